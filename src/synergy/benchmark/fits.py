"""Published single-drug fits: reading SynergyFinder's fit table, injecting the fits into a
screen, their SSE on our data, and the fit check of docs/design.md §6.23.

docs/design.md §3: science functions accept ``hill_row``/``hill_col`` already in the screen, so
scoring with another tool's own fits reproduces its numbers when only its fitting differs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from synergy.benchmark.columns import block_ids, numeric_column
from synergy.benchmark.matching import Matching, normalise_id
from synergy.benchmark.per_drug import drug_suffixes, keep_variables, per_drug_array
from synergy.errors import ColumnError, SynergyError
from synergy.hill.model import HILL_PARAMS, hill_predict
from synergy.io.layout import fit_variables, n_drugs

__all__ = [
    "SSE_FLOOR",
    "SSE_RATIO",
    "fit_check",
    "fit_sse",
    "fits_of",
    "fits_table",
    "inject_published_fits",
    "poorer",
    "published_fit_arrays",
    "with_fit_check",
]

#: a fit is poorer than another when its SSE exceeds the other's by more than 1 % ...
SSE_RATIO = 1.01
#: ... and by more than 0.01 %² (noise-free fits differ by rounding only)
SSE_FLOOR = 0.01
OTHER_FITTER = {"drc": "lsq", "lsq": "drc"}
FITTED = ("loewe", "zip")


def poorer(a: float, b: float) -> bool:
    """SSE ``a`` exceeds ``b`` by more than 1 % (and by more than :data:`SSE_FLOOR`)."""
    return bool(np.isfinite(a) and np.isfinite(b) and a > SSE_RATIO * b + SSE_FLOOR)


def sse_text(value: float) -> str:
    """An SSE for a sentence: thousands separated, small values to 3 significant digits."""
    return f"{value:,.1f}" if value >= 1 else f"{value:.3g}"


def fits_of(scored: xr.Dataset) -> tuple[np.ndarray, np.ndarray] | None:
    """Single-drug fits of a screen (:func:`synergy.hill.screen.drug_fits`): parameters
    ``(B, N, 4)`` (``HILL_PARAMS``) and L.4 flags ``(B, N)``; None when it has no fits."""
    from synergy.hill.screen import drug_fits

    if any(name not in scored for name in fit_variables(scored, "hill")):
        return None
    return drug_fits(scored)


def published_fit_arrays(
    screen: xr.Dataset, fits: pd.DataFrame, matching: Matching
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The published fits laid out on the screen's blocks and drugs.

    Published drug k (side ``row``/``col`` of a pair, ``"1"`` … ``"N"`` beyond) is our drug
    ``order[k]`` of the matched block: a swapped pair takes the published row drug's fit for
    our column drug.

    Returns
    -------
    params : ndarray (B, N, 4)
        NaN where the published table has no fit for the block and drug.
    l4 : ndarray (B, N) bool
    has : ndarray (B, N) bool
    """
    n_block, n_drug = screen.sizes["block"], n_drugs(screen)
    sides = drug_suffixes(n_drug)
    position = {b: i for i, b in enumerate(screen["block"].values.astype(str))}
    keys = zip(fits["block"].map(normalise_id), fits["side"].astype(str), strict=True)
    lookup = {key: r for r, key in enumerate(keys)}
    values = fits[list(HILL_PARAMS)].to_numpy(dtype=np.float64)
    l4_all = fits["l4"].to_numpy(dtype=bool)
    params = np.full((n_block, n_drug, 4), np.nan)
    l4 = np.zeros((n_block, n_drug), dtype=bool)
    has = np.zeros((n_block, n_drug), dtype=bool)
    for pair in matching.pairs.itertuples():
        if pair.block not in position:
            continue
        i = position[pair.block]
        for k, j in enumerate(pair.order):
            row = lookup.get((normalise_id(pair.published_block), sides[k]))
            if row is not None:
                params[i, j], l4[i, j], has[i, j] = values[row], l4_all[row], True
    return params, l4, has


def inject_published_fits(
    screen: xr.Dataset, fits: pd.DataFrame, matching: Matching, fitter: str = "drc"
) -> tuple[xr.Dataset, list[str]]:
    """Replace the single-drug fits of matched blocks by the published tool's own fits.

    Blocks without a published fit (for any of their drugs) keep fits of ``fitter``.  Any
    number of drugs: published drug k is our drug ``order[k]`` of the matched block.

    Parameters
    ----------
    screen : xarray.Dataset
        A screen (fits present or not).
    fits : pandas.DataFrame
        :attr:`PublishedScores.fits <synergy.benchmark.PublishedScores.fits>`.
    matching : Matching
        Our blocks and their published rows (a swapped pair swaps the fits).
    fitter : {"drc", "lsq"}
        Fitter of the blocks the published table has no fit for.

    Returns
    -------
    screen : xarray.Dataset
        With the single-drug fits (``hill_row``/``hill_col`` of pairs, ``hill`` of N drugs;
        + ``_model``) replaced where published fits exist, their status set to 0 there and
        ``attrs["published_fits"]`` naming the blocks (comma-separated).
    injected : list of str
        Our blocks whose fits all came from the published table.
    """
    from synergy.hill import fit_screen

    stems = tuple(fit_variables(screen, "hill"))
    keep = [v for v in screen.data_vars if not str(v).startswith(stems)]
    out = fit_screen(keep_variables(screen, keep), fitter=fitter, replicates="mean")
    params, l4, has = published_fit_arrays(out, fits, matching)
    both = has.all(axis=1)
    if not both.any():
        raise SynergyError(
            "the published fit table has no fits for the matched blocks (by block id and drug "
            "side conc1, conc2 …)"
        )
    new = {
        suffix: np.array(per_drug_array(out, "hill", suffix, params=params_of))
        for suffix, params_of in (("", HILL_PARAMS), ("_model", None), ("_status", None))
    }
    new[""][both] = params[both]
    new["_model"][both] = l4[both]
    new["_status"][both] = 0
    for suffix, values in new.items():
        names = fit_variables(out, "hill", suffix)
        for k, name in enumerate(names):
            var = out[name].transpose("block", ...)
            if suffix == "":
                var = var.sel(param=list(HILL_PARAMS)).transpose("block", ..., "param")
            attrs = var.attrs | ({"source": "mixed"} if suffix == "" else {})
            part = values[:, k] if len(names) > 1 else values
            out[name] = (var.dims, part.astype(var.dtype), attrs)
    for name in stems:
        for extra in ("stderr", "ic50_ci", "sse", "drc_status"):
            if f"{name}_{extra}" in out:
                out = out.drop_vars(f"{name}_{extra}")
    injected = out["block"].values.astype(str)[both].tolist()
    out.attrs["published_fits"] = ",".join(injected)
    return out, injected


def fit_sse(
    screen: xr.Dataset, params: np.ndarray, l4: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """SSE of given single-drug fits on the screen's single-drug points, for every drug.

    The points are the replicate means of the wells where the drug is the only one dosed,
    the all-zero control included — the points SynergyFinder fits (docs/synergyfinder.md §1;
    :func:`synergy.hill.screen.single_drug_arrays`).

    Parameters
    ----------
    screen : xarray.Dataset
        A screen of either layout.
    params : ndarray (B, N, 4)
        Hill parameters (``HILL_PARAMS`` of :mod:`synergy.hill.model`) per block and drug
        (a pair's row drug first).
    l4 : ndarray (B, N) bool
        SynergyFinder's L.4 fallback fits (dose 0 evaluated at 1e-10).

    Returns
    -------
    sse : ndarray (B, N)
        Sum of squared residuals, %²; NaN where the parameters are NaN.
    n_points : ndarray (B, N) int
    """
    from synergy.hill.screen import single_drug_arrays

    conc, response = single_drug_arrays(screen, "mean")
    ok = np.isfinite(conc) & np.isfinite(response)
    flat = np.asarray(params, dtype=float).reshape(-1, 4)
    predicted = hill_predict(np.where(ok, conc, 1.0), flat, np.asarray(l4, bool).reshape(-1))
    residual = np.where(ok, response - predicted, 0.0)
    sse = np.where(np.all(np.isfinite(flat), axis=1), np.sum(residual**2, axis=1), np.nan)
    shape = np.shape(params)[:2]
    return sse.reshape(shape), ok.sum(axis=1).reshape(shape)


def fit_check(
    base: xr.Dataset,
    scored: xr.Dataset,
    models: tuple[str, ...],
    *,
    convention: str,
    fitter: str,
) -> pd.DataFrame | None:
    """docs/design.md §6.23's check: does the other fitter improve a block's single-drug fits?

    Fits every block's single drugs with the other fitter (``lsq`` for ``drc`` and back),
    and for the blocks where it lowers a fit's SSE by more than 1 % (and
    :data:`SSE_FLOOR`) scores the fitted models (Loewe, ZIP) with it too — so a user sees
    which scores rest on a poor fit, and what a better one gives.  Any number of drugs.

    Parameters
    ----------
    base : xarray.Dataset
        The unscored screen.
    scored : xarray.Dataset
        The scored screen (with its single-drug fits).
    models : tuple of str
        Models compared.
    convention, fitter : str
        How ``scored`` was scored.

    Returns
    -------
    pandas.DataFrame or None
        One row per block: ``block``, ``other_fitter``, ``sse_<drug>`` (the fits used),
        ``check_sse_<drug>`` (the other fitter's) for each drug (``row``/``col`` of a pair,
        ``1`` … ``N`` beyond), ``improved``, and ``check_<model>`` (the score with the other
        fitter; NaN unless improved).  None when the screen has no fits or no fitted model
        is compared.
    """
    from synergy.hill import fit_screen
    from synergy.scoring import score

    fitted = tuple(m for m in models if m in FITTED)
    other = OTHER_FITTER.get(fitter)
    used = fits_of(scored)
    if not fitted or other is None or used is None:
        return None
    raw = keep_variables(base, ("response", "input_order"))
    refit = fit_screen(raw, fitter=other, replicates="mean")
    table = pd.DataFrame({"block": scored["block"].values.astype(str), "other_fitter": other})
    ours, _ = fit_sse(scored, *used)
    theirs, _ = fit_sse(refit, *fits_of(refit))
    improved = np.zeros(len(table), dtype=bool)
    for k, side in enumerate(drug_suffixes(n_drugs(scored))):
        table[f"sse_{side}"], table[f"check_sse_{side}"] = ours[:, k], theirs[:, k]
        improved |= np.array(
            [poorer(a, b) for a, b in zip(ours[:, k], theirs[:, k], strict=True)], bool
        )
    table["improved"] = improved
    for model in fitted:
        table[f"check_{model}"] = np.nan
    if improved.any():
        rescored = score(
            raw.isel(block=np.flatnonzero(improved)),
            fitted,
            convention=convention,
            fitter=other,
            refit=True,
        )
        for model in fitted:
            table.loc[improved, f"check_{model}"] = rescored[f"{model}_score"].values
    return table


def with_fit_check(
    blocks: pd.DataFrame, checks: pd.DataFrame, names: dict[str, list[str]]
) -> pd.DataFrame:
    """Add ``fit_check`` (words) and ``check_score`` to the rows whose model rests on a
    single-drug fit the other fitter improves (docs/design.md §6.23).

    ``names``: block → its drugs' names (our order), for the words."""
    by_block = checks[checks["improved"]].set_index("block")
    blocks = blocks.copy()
    blocks["fit_check"] = ""
    blocks["check_score"] = np.nan
    rows = blocks[blocks["block"].isin(by_block.index) & blocks["model"].isin(FITTED)]
    notes, values = [], []
    for row in rows.itertuples():
        check = by_block.loc[row.block]
        value = float(check[f"check_{row.model}"])
        drugs = names[row.block]
        improved = [
            f"{drug} SSE {sse_text(check[f'sse_{side}'])} → {sse_text(check[f'check_sse_{side}'])}"
            for drug, side in zip(drugs, drug_suffixes(len(drugs)), strict=True)
            if poorer(check[f"sse_{side}"], check[f"check_sse_{side}"])
        ]
        notes.append(
            f"fitter='{check['other_fitter']}' improves the single-drug fits "
            f"({'; '.join(improved)}); {row.model} with it: {value:.3f}"
        )
        values.append(value)
    blocks.loc[rows.index, "fit_check"] = notes
    blocks.loc[rows.index, "check_score"] = values
    return blocks


def fits_table(table: pd.DataFrame, used: dict[str, str], name: str) -> pd.DataFrame:
    """SynergyFinder's drc fits → (block, side, ic50, hill_slope, bottom, top, l4)."""
    from synergy.hill.model import from_drc

    raw = table[used["drug"]].astype(str).str.strip().str.lower()
    numbered = raw.str.extract(r"^(?:conc|drug)(\d+)$")[0]
    if numbered.notna().all() and numbered.astype(int).max() >= 3:
        side = numbered  # N ≥ 3 drugs: "1" … "N"
    else:
        side = raw.map({"conc1": "row", "conc2": "col", "drug1": "row", "drug2": "col"})
    if side.isna().any():
        lines = (np.flatnonzero(side.isna().to_numpy()) + 2).tolist()[:8]
        raise ColumnError(f"{name}: column 'drug' must be conc1/conc2 … (lines {lines})")
    model = table[used["model"]].astype(str).str.strip().str.upper()
    l4 = (model == "L.4").to_numpy()
    b, c, d, e = (numeric_column(table, used[k], name) for k in "bcde")
    ic50, slope, bottom, top = from_drc(b, c, d, e, log_e=l4)
    return pd.DataFrame(
        {
            "block": block_ids(table[used["block"]]).to_numpy(),
            "side": side.to_numpy(),
            "ic50": ic50,
            "hill_slope": slope,
            "bottom": bottom,
            "top": top,
            "l4": l4,
        }
    )
