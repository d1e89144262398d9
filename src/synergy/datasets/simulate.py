"""Simulated combination screens with a known ground truth, for 2 and N drugs.

:func:`simulate` draws per-block monotherapy Hill curves (or takes them), lays out dose
grids, evaluates a combination surface (Bliss-independent, Loewe-additive or MuSyC, with a
stated synergy), adds Gaussian noise, replicates and missing wells, and returns a screen
built by :func:`synergy.io.screen.build_screen` with the truth stored next to the data.
With ``n_drugs ≥ 3`` (or ``layout="multi"``) it draws full-factorial dose cubes in the N-drug
layout instead (:mod:`synergy.datasets._cubes`); :func:`simulate_multi` is that call under
the name the user guide uses.

Random draws are keyed by ``(seed, purpose, block id)`` (:func:`block_rng`), never by a
block's position: simulating blocks ``["a", "b"]`` or ``["b", "a"]`` gives the same data
for each block, and changing the noise level does not move the missing wells.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import xarray as xr

from synergy._version import __version__
from synergy.datasets import _surfaces as surf
from synergy.datasets._cubes import refuse_pair_options, simulate_cubes
from synergy.datasets._layout import HILL_PARAMS, PURPOSE, grids, hill_table, pad, per_block
from synergy.datasets.streams import block_rng, seed_stream
from synergy.errors import SynergyError
from synergy.io.screen import build_screen

__all__ = ["HILL_PARAMS", "block_rng", "simulate", "simulate_multi"]

Model = Literal["bliss", "loewe", "musyc"]


def _shifted_ic50s(x1, x2, p1, p2, strength):
    """IC50s in combination for the potency-shift synergy (see :func:`simulate`)."""
    occ1 = surf.occupancy(x1, p1[0], p1[1])
    occ2 = surf.occupancy(x2, p2[0], p2[1])
    return p1[0] / (1.0 + strength * occ2), p2[0] / (1.0 + strength * occ1)


def _loewe_blocks_ok(p1: np.ndarray, p2: np.ndarray) -> np.ndarray:
    """Blocks where the Loewe-additive surface is defined: both curves rise."""
    return (p1[:, 3] > p1[:, 2]) & (p2[:, 3] > p2[:, 2])


def _loewe(x1, x2, p1, p2, ic50_1, ic50_2):
    return surf.loewe_additive(
        x1, x2, (ic50_1, p1[1], p1[3]), (ic50_2, p2[1], p2[3]), 0.5 * (p1[2] + p2[2])
    )


def _musyc_truth(x1, x2, p_row, p_col, alpha12, alpha21, beta, gamma=None):
    """MuSyC surface (block, row, col) and its per-block parameters (see :func:`simulate`)."""
    n_block = p_row.shape[0]
    a12 = per_block(alpha12, n_block, "alpha12")
    a21 = per_block(alpha21, n_block, "alpha21")
    beta_b = per_block(beta, n_block, "beta")
    if np.any(a12 <= 0) or np.any(a21 <= 0):
        raise SynergyError("alpha12 and alpha21 must be > 0")
    e0 = p_row[:, 2]
    row_stronger = np.abs(p_row[:, 3] - e0) >= np.abs(p_col[:, 3] - e0)
    strong = np.where(row_stronger, p_row[:, 3], p_col[:, 3])
    e3 = strong + beta_b * (strong - e0)
    pr, pc = p_row[:, :, None, None], p_col[:, :, None, None]  # (B, 4, 1, 1)
    e0, e3, a12, a21 = (v[:, None, None] for v in (e0, e3, a12, a21))
    g = [per_block(1.0 if gamma is None else v, n_block, "gamma") for v in (gamma or (1, 1))]
    if np.any(g[0] <= 0) or np.any(g[1] <= 0):
        raise SynergyError("gamma12 and gamma21 must be > 0")
    true = surf.musyc_surface(
        x1, x2, (pr[:, 0], pr[:, 1], pr[:, 3]), (pc[:, 0], pc[:, 1], pc[:, 3]), e0, e3, a12, a21,
        *(v[:, None, None] for v in g),
    )  # fmt: skip
    a12, a21, e3 = a12[:, 0, 0], a21[:, 0, 0], e3[:, 0, 0]
    out = {"true_alpha12": a12, "true_alpha21": a21, "true_beta": beta_b, "true_e3": e3}
    if gamma is not None:
        out.update(true_gamma12=g[0], true_gamma21=g[1])
    return true, out


def _truth_variables(true, x1, x2, p_row, p_col, loewe_ok) -> dict[str, Any]:
    """Ground-truth variables: the surface, the curves, and its Bliss / Loewe excess."""
    p1 = tuple(p_row[:, j, None, None] for j in range(4))
    p2 = tuple(p_col[:, j, None, None] for j in range(4))
    bliss_ref = surf.bliss_independent(surf.hill(x1, *p1), surf.hill(x2, *p2), p1[2])
    loewe_ref = np.full_like(true, np.nan)
    if loewe_ok.any():
        ok = np.flatnonzero(loewe_ok)
        q1 = tuple(p[ok] for p in p1)
        q2 = tuple(p[ok] for p in p2)
        loewe_ref[ok] = _loewe(x1[ok], x2[ok], q1, q2, q1[0], q2[0])
    surface, params = ("block", "row", "col"), ("block", "param")
    return {
        "true_response": (surface, true, {"units": "%", "long_name": "noise-free surface"}),
        "true_hill_row": (params, p_row, {"long_name": "true Hill parameters, row drug"}),
        "true_hill_col": (params, p_col, {"long_name": "true Hill parameters, column drug"}),
        "true_bliss_delta": (surface, true - bliss_ref, {"units": "%"}),
        "true_loewe_delta": (surface, true - loewe_ref, {"units": "%"}),
    }


def _cubes_wanted(n_drugs: int, layout: str) -> bool:
    """Whether ``simulate`` draws N-drug cubes (else pair grids)."""
    if layout not in ("auto", "pair", "multi"):
        raise SynergyError(f"layout must be 'auto', 'pair' or 'multi', got {layout!r}")
    if n_drugs < 2:
        raise SynergyError(f"n_drugs must be ≥ 2, got {n_drugs}")
    if layout == "pair" and n_drugs != 2:
        raise SynergyError(f"layout='pair' holds two drugs per block, not n_drugs={n_drugs}")
    return layout == "multi" or n_drugs > 2


def simulate(
    blocks: int | Sequence[str] = 4,
    *,
    n_drugs: int = 2,
    layout: Literal["auto", "pair", "multi"] = "auto",
    model: Model = "bliss",
    hill_row: Mapping[str, Any] | np.ndarray | None = None,
    hill_col: Mapping[str, Any] | np.ndarray | None = None,
    conc_row: Any = None,
    conc_col: Any = None,
    n_doses: int | tuple[int, int] = 8,
    dose_step: float = 3.0,
    ragged: bool = False,
    synergy_strength: float | Sequence[float] = 0.0,
    alpha12: float | Sequence[float] = 1.0,
    alpha21: float | Sequence[float] = 1.0,
    beta: float | Sequence[float] = 0.0,
    gamma: tuple[Any, Any] | None = None,
    noise_sd: float = 0.0,
    n_replicates: int = 1,
    missing_fraction: float = 0.0,
    seed: int | None = 0,
    drug_row: str | Sequence[str] = "drug_a",
    drug_col: str | Sequence[str] = "drug_b",
    sample: str | Sequence[str] = "simulated",
    conc_unit: str = "nM",
    truth: bool = True,
    provenance: Mapping[str, Any] | None = None,
) -> xr.Dataset:
    """Simulate a combination screen whose ground truth is known.

    Parameters
    ----------
    blocks : int or sequence of str
        Number of blocks (ids ``"1"…"B"``) or the block ids themselves.
    n_drugs : int
        Drugs per block (≥ 2).  Two drugs: a dose grid per block (the pair layout); more:
        full-factorial dose cubes in the N-drug layout (docs/design.md §1.1; see Notes).
    layout : {"auto", "pair", "multi"}
        ``"auto"``: pairs for two drugs, the N-drug layout beyond; ``"multi"``: dose cubes in
        the N-drug layout for two drugs too (as ``read_screen(..., layout="multi")``).
    model : {"bliss", "loewe", "musyc"}
        How the combination wells are generated (formulas in Notes; cubes: bliss, loewe).
    hill_row, hill_col : mapping or ndarray, optional
        Monotherapy Hill parameters of the row / column drug per block, docs/design.md §3
        parametrisation: ``{"ic50": …, "hill_slope": …, "bottom": …, "top": …}`` (each a number
        or one value per block; missing keys default to slope 1, bottom 0, top 100 %), or an
        array of shape (4,) or (B, 4) in that order.  ic50 in ``conc_unit``; bottom and top in
        % inhibition.  Default: drawn per block, ic50 log-uniform in [1, 1000], slope uniform
        in [0.7, 3], bottom 0, top uniform in [60, 100].
    conc_row, conc_col : array_like, optional, in ``conc_unit``
        Dose grids: one 1-D grid for every block, a (B, R) NaN-padded array, or a list of 1-D
        grids (ragged).  Each ascends from 0.  Default: 0 and ``n_doses − 1`` doses spaced
        ``dose_step``-fold and centred on the drug's ic50 (the middle dose is the ic50).
    n_doses : int or (int, int)
        Doses per default grid, the zero dose included (row, column).
    dose_step : float
        Fold step of default grids (3 = 3-fold dilutions, √10 ≈ 3.16 = half-log).
    ragged : bool
        Default grids get a per-block number of doses drawn in ``[max(3, ⌈n/2⌉), n]``.
    synergy_strength : float or sequence, > −1
        Potency synergy ``s`` for ``model="bliss"`` or ``"loewe"`` (0 = the null model).
    alpha12, alpha21, beta : float or sequence
        MuSyC potency (> 0) and efficacy synergy for ``model="musyc"``.
    gamma : (gamma12, gamma21), optional
        MuSyC cooperativity (floats or sequences, > 0; None: γ = 1 and no truth variables).
    noise_sd : float
        Standard deviation of Gaussian noise added to every well and replicate, % points
        (not clipped: observed inhibition can fall below 0 or above 100, as in real plates).
    n_replicates : int
        Replicates per well (the ``replicate`` dimension).
    missing_fraction : float in [0, 1)
        Probability that a (well, replicate) is missing (NaN, never 0).
    seed : int or None
        Seed of every draw (with the block id and the draw's purpose).  None draws a fresh
        seed from the OS and records it in ``attrs["provenance"]``.
    drug_row, drug_col, sample : str or sequence of str
        Names, one for all blocks or one per block.
    conc_unit : str
        Unit of every concentration.
    truth : bool
        Add the ground-truth variables listed under Returns.
    provenance : mapping, optional
        Extra entries for ``attrs["provenance"]``.

    Returns
    -------
    xarray.Dataset
        A screen (docs/design.md §1) with, if ``truth``: ``true_response`` (block, row, col), the
        noise-free surface in %; ``true_hill_row`` / ``true_hill_col`` (block, param);
        ``true_bliss_delta`` and ``true_loewe_delta`` (block, row, col), the true surface
        minus the Bliss / Loewe-additive reference of the true monotherapy curves (% points;
        Loewe NaN where not defined, and with the convention of the Notes, not SynergyFinder's
        fallback of docs/design.md §6.6); and per block ``true_synergy_strength`` (bliss, loewe)
        or ``true_alpha12``, ``true_alpha21``, ``true_beta`` and ``true_e3`` (musyc; with
        ``gamma`` also ``true_gamma12``, ``true_gamma21``).

    Notes
    -----
    With ``E1(x) = hill(x; ic50_1, h1, b, t1)``, ``E2`` alike, doses x1 (row), x2 (column).
    Both drugs of a block share the bottom ``b = E(0, 0)``, the untreated control.

    - **bliss**: ``E = 100 · (1 − (1 − E1*/100)(1 − E2*/100))`` (for ``b = 0``; otherwise on
      the range above ``b``, :func:`~synergy.datasets._surfaces.bliss_independent`), where
      ``E1*`` is drug 1's curve
      with its IC50 divided by ``1 + s·p2(x2)``, ``p2 = 1 / (1 + (ic50_2 / x2)**h2)`` being the
      partner's occupancy (and symmetrically for ``E2*``).  ``s = 0`` is Bliss independence;
      ``s > 0`` is potency synergy, up to a ``(1 + s)``-fold IC50 shift at a saturating partner
      dose; ``−1 < s < 0`` is antagonism.  Single-drug edges are the Hill curves exactly.
    - **loewe**: the ``E`` solving ``x1 / X1(E) + x2 / X2(E) = 1`` with ``X_i`` the inverse of
      the (potency-shifted, as above) curves.  Needs rising curves (top > bottom);
      with different tops, a drug contributes 0 above its own top (see
      :func:`synergy.datasets._surfaces.loewe_additive`).
    - **musyc**: the two-drug MuSyC surface, γ = 1 unless given (:func:`~synergy.datasets._surfaces.
      musyc_surface`): ``E0 = bottom`` (shared), ``E1 = t1``, ``E2 = t2``, ``E3 = Es + β (Es −
      E0)`` with ``Es`` the stronger top.  With ``alpha12 = alpha21 = 1`` the state
      occupancies factorise, ``E = E0(1−p1)(1−p2) + E1 p1(1−p2) + E2 (1−p1)p2 + E3 p1 p2``;
      this equals the Bliss surface only when ``E0 = 0`` and ``E3 = E1 + E2 − E1·E2/100``.
      ``β = 0`` (``E3 = max(E1, E2)``) therefore reduces to Bliss only when ``E0 = 0`` and
      the stronger drug reaches 100 % or the weaker one has no effect (top 0); otherwise
      (``E0 = 0``, tops in [0, 100]) β = 0 lies below Bliss.

    **N-drug cubes** (``n_drugs ≥ 3`` or ``layout="multi"``; :mod:`synergy.datasets._cubes`):
    every drug's doses are 0 and ``n_doses − 1`` ``dose_step``-fold dilutions from 1,000;
    its curve is drawn per block (ic50 log-uniform in [3, 300], slope uniform in [0.7, 2.5],
    bottom 0, top uniform in [60, 100]); ``bliss`` is Bliss independence of the N curves,
    every IC50 divided by ``1 + s · f`` with ``f`` the fraction of the other drugs present;
    ``loewe`` is one drug split N ways (Loewe-additive by construction).  The truth is
    ``true_response`` (block, well) and ``true_hill`` (block, drug, param).  The pair-only
    options (given curves or grids, ragged grids, missing wells, MuSyC, drug names) are
    refused.
    """
    if isinstance(blocks, int | np.integer):
        block_ids = [str(i + 1) for i in range(int(blocks))]
    else:
        block_ids = [str(b) for b in blocks]
    n_block = len(block_ids)
    if n_block == 0 or len(set(block_ids)) != n_block:
        raise SynergyError("blocks must be a positive number or a list of distinct ids")
    if model not in ("bliss", "loewe", "musyc"):
        raise SynergyError(f"model must be 'bliss', 'loewe' or 'musyc', got {model!r}")
    if n_replicates < 1 or not 0.0 <= missing_fraction < 1.0 or noise_sd < 0:
        raise SynergyError("need n_replicates ≥ 1, 0 ≤ missing_fraction < 1 and noise_sd ≥ 0")
    if seed is None:
        seed = int(np.random.SeedSequence().generate_state(1, dtype=np.uint32)[0])
    n_row_doses, n_col_doses = (n_doses, n_doses) if np.ndim(n_doses) == 0 else n_doses
    if min(n_row_doses, n_col_doses) < 2 or dose_step <= 1.0:
        raise SynergyError("n_doses must be ≥ 2 (zero dose included) and dose_step > 1")
    strength = per_block(synergy_strength, n_block, "synergy_strength")
    if np.any(strength <= -1.0):
        raise SynergyError("synergy_strength must be > -1 (a potency shift factor 1 + s > 0)")
    if _cubes_wanted(n_drugs, layout):
        refuse_pair_options(
            n_drugs,
            hill_row=hill_row is not None, hill_col=hill_col is not None,
            conc_row=conc_row is not None, conc_col=conc_col is not None, ragged=ragged,
            missing_fraction=missing_fraction > 0, gamma=gamma is not None,
            alpha12=np.any(np.asarray(alpha12) != 1.0), alpha21=np.any(np.asarray(alpha21) != 1.0),
            beta=np.any(np.asarray(beta) != 0), drug_row=drug_row != "drug_a",
            drug_col=drug_col != "drug_b", n_doses=np.ndim(n_doses) != 0,
        )  # fmt: skip
        return simulate_cubes(
            block_ids, n_drugs=n_drugs, n_doses=int(n_doses), dose_step=dose_step, model=model,
            synergy_strength=synergy_strength, n_replicates=n_replicates, noise_sd=noise_sd,
            seed=seed, sample=sample, conc_unit=conc_unit, truth=truth, provenance=provenance,
        )  # fmt: skip
    p_row = hill_table(hill_row, block_ids, seed, "hill_row")
    p_col = hill_table(hill_col, block_ids, seed, "hill_col")
    grid_kw = {"dose_step": dose_step, "ragged": ragged, "seed": seed}
    grids_row = grids(
        conc_row, p_row[:, 0], block_ids, n_doses=n_row_doses, **grid_kw, purpose="grid_row"
    )
    grids_col = grids(
        conc_col, p_col[:, 0], block_ids, n_doses=n_col_doses, **grid_kw, purpose="grid_col"
    )
    conc_r, conc_c = pad(grids_row), pad(grids_col)

    x1, x2 = conc_r[:, :, None], conc_c[:, None, :]
    p1 = tuple(p_row[:, j, None, None] for j in range(4))
    p2 = tuple(p_col[:, j, None, None] for j in range(4))
    shared = np.isclose(p_row[:, 2], p_col[:, 2], rtol=0.0, atol=1e-9)
    if not shared.all():
        bad = [block_ids[i] for i in np.flatnonzero(~shared)][:5]
        raise SynergyError(
            f"both drugs of a block must share the bottom E(0) (the block's untreated "
            f"control); blocks {bad} do not"
        )
    loewe_ok = _loewe_blocks_ok(p_row, p_col)
    if model == "musyc":
        if np.any(strength != 0.0):
            raise SynergyError(
                "synergy_strength applies to 'bliss' and 'loewe'; for 'musyc' "
                "use alpha12, alpha21 and beta"
            )
        true, truth_per_block = _musyc_truth(x1, x2, p_row, p_col, alpha12, alpha21, beta, gamma)
    else:
        if model == "loewe" and not loewe_ok.all():
            bad = [block_ids[i] for i in np.flatnonzero(~loewe_ok)][:5]
            raise SynergyError(
                f"model='loewe' needs rising curves (top > bottom) for both drugs; "
                f"blocks {bad} break this"
            )
        ic50_1, ic50_2 = _shifted_ic50s(x1, x2, p1, p2, strength[:, None, None])
        if model == "bliss":
            true = surf.bliss_independent(
                surf.hill(x1, ic50_1, p1[1], p1[2], p1[3]),
                surf.hill(x2, ic50_2, p2[1], p2[2], p2[3]),
                p1[2],
            )
        else:
            true = _loewe(x1, x2, p1, p2, ic50_1, ic50_2)
        truth_per_block = {"true_synergy_strength": strength}

    response = np.repeat(true[..., None], n_replicates, axis=-1)
    bit_generator = np.random.PCG64(0)
    rng = np.random.Generator(bit_generator)
    for i, block_id in enumerate(block_ids):
        shape = (grids_row[i].size, grids_col[i].size, n_replicates)
        if noise_sd > 0:
            seed_stream(bit_generator, seed, block_id, PURPOSE["noise"])
            response[i, : shape[0], : shape[1]] += noise_sd * rng.standard_normal(shape)
        if missing_fraction > 0:
            seed_stream(bit_generator, seed, block_id, PURPOSE["missing"])
            response[i, : shape[0], : shape[1]][rng.random(shape) < missing_fraction] = np.nan

    settings = {
        "generator": "synergy.datasets.simulate",
        "synergy_version": __version__,
        "model": model,
        "seed": seed,
        "noise_sd": noise_sd,
        "n_replicates": n_replicates,
        "missing_fraction": missing_fraction,
        "dose_step": dose_step if conc_row is None or conc_col is None else None,
        "ragged": ragged,
        "simulated": True,
    }
    screen = build_screen(
        block_ids,
        drug_row,
        drug_col,
        sample,
        conc_r,
        conc_c,
        response,
        conc_unit=conc_unit,
        provenance={**settings, **dict(provenance or {})},
    )
    if not truth:
        return screen
    variables = _truth_variables(true, x1, x2, p_row, p_col, loewe_ok)
    variables |= {name: ("block", values) for name, values in truth_per_block.items()}
    screen = screen.assign(variables).assign_coords(param=("param", list(HILL_PARAMS)))
    screen.attrs["truth"] = json.dumps(
        {"variables": sorted(variables), "model": model}, sort_keys=True
    )
    return screen


def simulate_multi(
    n_blocks: int = 4,
    *,
    n_drugs: int = 3,
    n_doses: int = 6,
    model: Literal["bliss", "loewe"] = "bliss",
    synergy_strength: float = 0.0,
    n_replicates: int = 1,
    noise_sd: float = 0.0,
    seed: int = 0,
    conc_unit: str = "nM",
) -> xr.Dataset:
    """N-drug dose cubes: :func:`simulate` with ``layout="multi"`` (the name the user guide
    documents, docs/user_guide/three_drugs.md; its defaults: 3 drugs, 6 doses)."""
    return simulate(
        n_blocks, n_drugs=n_drugs, layout="multi", n_doses=n_doses, model=model,
        synergy_strength=synergy_strength, n_replicates=n_replicates, noise_sd=noise_sd,
        seed=seed, conc_unit=conc_unit,
    )  # fmt: skip
