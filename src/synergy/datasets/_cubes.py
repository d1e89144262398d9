"""The N-drug dose cubes of :func:`synergy.datasets.simulate` (``n_drugs ≥ 3`` or
``layout="multi"``).

Each block is a full-factorial dose cube of N drugs.  Every drug alone follows a Hill curve
``E(x) = bottom + (top − bottom) / (1 + (ic50 / x) ** hill_slope)`` (% inhibition) with
parameters drawn per block and drug; the combination follows

- ``"bliss"``: Bliss independence of the N curves, ``100 · (1 − Π_i (1 − E_i(x_i) / 100))``,
  with an optional potency shift: every drug's IC50 divided by ``1 + synergy_strength · s``,
  ``s`` = the fraction of the *other* drugs present — the same knob as the pair surfaces';
- ``"loewe"``: a sham combination, one drug split N ways (``E(Σ_i x_i)`` with drug 1's curve
  for every drug): Loewe-additive by construction.

Replicates add Gaussian noise of ``noise_sd`` points.  Draws are keyed by (seed, block id)
(:func:`synergy.datasets.block_rng`), so a block is the same whatever else is simulated.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import xarray as xr

from synergy.datasets._layout import per_block
from synergy.datasets.streams import block_rng
from synergy.errors import SynergyError
from synergy.hill.model import HILL_PARAMS, evaluate
from synergy.io.screen import build_multi_screen

__all__ = ["CUBE_MODELS", "refuse_pair_options", "simulate_cubes"]

_KEY = 7301  # purpose key of the cubes' random streams
CUBE_MODELS = ("bliss", "loewe")


def refuse_pair_options(n_drugs: int, **given: bool) -> None:
    """Refuse the options of :func:`synergy.datasets.simulate` that only pairs have
    (``given``: option → whether the caller set it)."""
    refused = [name for name, value in given.items() if value]
    if refused:
        raise SynergyError(
            f"{refused} apply to drug pairs; N-drug cubes (n_drugs={n_drugs}) take n_doses "
            "(one number), dose_step, model ('bliss' or 'loewe'), synergy_strength, "
            "n_replicates, noise_sd, seed, sample, conc_unit, truth and provenance"
        )


def simulate_cubes(
    block_ids: list[str],
    *,
    n_drugs: int,
    n_doses: int,
    dose_step: float,
    model: str,
    synergy_strength: float | Sequence[float],
    n_replicates: int,
    noise_sd: float,
    seed: int,
    sample: str | Sequence[str],
    conc_unit: str,
    truth: bool,
    provenance: Mapping[str, Any] | None,
) -> xr.Dataset:
    """``len(block_ids)`` N-drug dose cubes (arguments as :func:`synergy.datasets.simulate`).

    Doses per drug: 0 and ``n_doses − 1`` ``dose_step``-fold dilutions from 1,000 (in
    ``conc_unit``).  Returns an N-drug screen with, if ``truth``, ``true_response`` (block,
    well) and ``true_hill`` (block, drug, param); ``attrs["truth"]`` names the model.
    """
    if model not in CUBE_MODELS:
        raise SynergyError(f"model must be 'bliss' or 'loewe' for N-drug cubes, got {model!r}")
    n_blocks = len(block_ids)
    strength = per_block(synergy_strength, n_blocks, "synergy_strength")
    doses = np.concatenate([[0.0], 1000.0 / dose_step ** np.arange(n_doses - 2, -1, -1)])
    grid = np.array(list(itertools.product(doses, repeat=n_drugs)))  # (W, N), sorted
    hills = np.empty((n_blocks, n_drugs, 4))
    true = np.empty((n_blocks, grid.shape[0]))
    response = np.empty((n_blocks, grid.shape[0], n_replicates))
    present = grid > 0
    others = (present.sum(axis=1, keepdims=True) - present) / max(n_drugs - 1, 1)
    for b, block_id in enumerate(block_ids):  # draws per block (keyed); surfaces vectorised
        rng = block_rng(seed, block_id, _KEY)
        hills[b, :, 0] = np.exp(rng.uniform(np.log(3.0), np.log(300.0), n_drugs))
        hills[b, :, 1] = rng.uniform(0.7, 2.5, n_drugs)
        hills[b, :, 2] = 0.0
        hills[b, :, 3] = rng.uniform(60.0, 100.0, n_drugs)
        if model == "loewe":
            hills[b] = hills[b, 0]
            true[b] = evaluate(grid.sum(axis=1), *hills[b, 0])
        else:
            ic50 = hills[b, :, 0] / (1.0 + strength[b] * others)
            alone = evaluate(grid, ic50, hills[b, :, 1], hills[b, :, 2], hills[b, :, 3])
            true[b] = 100.0 * (1.0 - np.prod(1.0 - alone / 100.0, axis=1))
        response[b] = true[b][:, None] + rng.normal(0.0, noise_sd, (grid.shape[0], n_replicates))
    names = np.array([[f"drug_{chr(97 + i)}" for i in range(n_drugs)]] * n_blocks)
    samples = np.full(n_blocks, sample) if isinstance(sample, str) else np.asarray(sample)
    if samples.shape != (n_blocks,):
        raise SynergyError(f"sample must be one name or one per block ({n_blocks})")
    screen = build_multi_screen(
        block_ids,
        names,
        samples,
        np.broadcast_to(grid, (n_blocks, *grid.shape)),
        response,
        conc_unit=conc_unit,
        provenance={
            "simulator": "synergy.datasets.simulate",
            "model": model,
            "seed": seed,
            "noise_sd": noise_sd,
            "synergy_strength": synergy_strength,
            **dict(provenance or {}),
        },
    )
    if not truth:
        return screen
    screen["true_response"] = (("block", "well"), true)
    screen["true_hill"] = (("block", "drug", "param"), hills)
    screen = screen.assign_coords(param=list(HILL_PARAMS))
    screen.attrs["truth"] = model
    return screen
