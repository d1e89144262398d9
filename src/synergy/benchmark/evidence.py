"""Why a block disagrees with the published score: :func:`explain` (any number of drugs).

For every (block, model) beyond tolerance it gathers what can be checked: our status; the
single-drug fits' SSE — ours, the published fit's on the same points (when the table gives
its fits), and the other fitter's (docs/design.md §6.23); the score with the other fitter and
under the other convention; combination wells the other tool reports but the screen lacks
(imputed there); replicates (SynergyFinder's bootstrap means, docs/design.md §6.8).  The words of
``explanation`` are built from those numbers only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from synergy.benchmark.fits import FITTED, fit_sse, fits_of, poorer, published_fit_arrays, sse_text
from synergy.benchmark.loewe_sf2 import loewe_sf2_facts, loewe_sf2_words
from synergy.benchmark.matching import Matching
from synergy.benchmark.per_drug import drug_suffixes
from synergy.benchmark.published import PublishedScores
from synergy.benchmark.wells import place_wells
from synergy.io.layout import drug_names, flat_values, n_drugs

__all__ = ["explain"]

_OTHER_CONVENTION = {"synergyfinder3": "synergyfinder2", "synergyfinder2": "synergyfinder3"}


def _rescore(base: xr.Dataset, models, convention: str, fitter: str, refit: bool):
    from synergy.scoring import score

    try:
        return score(base, models, convention=convention, fitter=fitter, refit=refit)
    except Exception:  # evidence must never abort the comparison
        return None


def _words(r: dict, names: list[str], model: str, tolerance: float) -> str:
    reasons = []
    if not np.isfinite(r["theirs"]):
        reasons.append("the published table has no score for this block (NA)")
    if not np.isfinite(r["ours"]):
        reasons.append("we have no score for this block (see our status)")
    drugs = dict(zip(drug_suffixes(len(names)), names, strict=True))
    if model in FITTED:
        for side in drugs:
            ours, theirs, n = r[f"sse_{side}"], r[f"published_sse_{side}"], r[f"n_points_{side}"]
            if poorer(theirs, ours):
                reasons.append(
                    f"the published {drugs[side]} fit has SSE {sse_text(theirs)} where ours "
                    f"reaches {sse_text(ours)} on the same {n} points: the published score rests "
                    "on a poorer single-drug fit"
                )
            elif poorer(ours, theirs):
                reasons.append(
                    f"our {drugs[side]} fit has SSE {sse_text(ours)}, the published fit "
                    f"{sse_text(theirs)} on the same {n} points: ours is the poorer fit"
                )
        other = r["other_fitter"]
        if other and np.isfinite(r["other_fitter_diff"]):
            if abs(r["other_fitter_diff"]) <= tolerance:
                reasons.append(
                    f"with fitter='{other}' our score is {r['other_fitter_score']:.3f} (diff "
                    f"{r['other_fitter_diff']:+.3f}), within tolerance: the difference is "
                    "the fitting"
                )
            for side in drugs:
                if poorer(r[f"sse_{side}"], r[f"other_fitter_sse_{side}"]):
                    reasons.append(
                        f"fitter='{other}' improves our {drugs[side]} fit (SSE "
                        f"{sse_text(r[f'sse_{side}'])} → {sse_text(r[f'other_fitter_sse_{side}'])})"
                    )
    conv_diff = r["other_convention_diff"]
    if np.isfinite(conv_diff) and abs(conv_diff) <= tolerance:
        reasons.append(
            f"under convention='{r['other_convention']}' our score is "
            f"{r['other_convention_score']:.3f} (diff {conv_diff:+.3f}): a convention difference"
        )
    if model == "loewe":
        reasons.extend(loewe_sf2_words(r, tolerance))
    if r["imputed_wells"]:
        reasons.append(
            f"the published table has {r['imputed_wells']} combination well(s) the screen "
            "did not measure (imputed by the other tool; we do not impute, docs/design.md §6.12)"
        )
    replicated = r["published_replicated"]
    if r["replicates"] > 1 and replicated is True:
        reasons.append(
            f"the published tool scored the {r['replicates']} replicates: its scores are means "
            "of bootstrap draws, not the score of the replicate means (docs/design.md §6.8); "
            "compare with its run on the replicate-mean table"
        )
    elif r["replicates"] > 1 and replicated is None and not reasons:
        reasons.append(
            f"the block has {r['replicates']} replicates: if the published tool scored them, "
            "its scores are bootstrap means, not the score of the replicate means "
            "(docs/design.md §6.8)"
        )
    if not reasons:
        if model in FITTED and (r["other_fitter"] or r["other_convention"]):
            reasons.append(
                "unexplained: the single-drug fits are equally good (SSE within 1 %) and "
                "neither the other fitter nor the other convention reproduces the score"
            )
        elif model in FITTED:  # N ≥ 3 drugs: neither exists
            reasons.append("unexplained: the single-drug fits are equally good (SSE within 1 %)")
        else:
            reasons.append(
                "unexplained: Bliss and HSA use the observed wells only, so the published "
                "tool scored other data (other wells, added noise or replicate handling)"
            )
    if r["status"]:
        reasons.append(f"our status: {r['status_reason']}")
    return "; ".join(reasons)


def explain(
    base: xr.Dataset,
    scored: xr.Dataset,
    published: PublishedScores,
    matching: Matching,
    blocks: pd.DataFrame,
    models: tuple[str, ...],
    *,
    convention: str,
    fitter: str,
    check_fits: bool = True,
    tolerance: float | None = None,
) -> pd.DataFrame:
    """Evidence for each (block, model) of ``blocks`` beyond tolerance.

    Parameters
    ----------
    base : xarray.Dataset
        The unscored screen that was scored (injected fits included).
    scored : xarray.Dataset
        The scored screen.
    published : PublishedScores
        The published tables.
    matching : Matching
        Block pairs.
    blocks : pandas.DataFrame
        :attr:`BenchmarkResult.blocks <synergy.benchmark.BenchmarkResult.blocks>`
        (``within``, ``diff``, ``theirs`` …).
    models : tuple of str
        Models compared.
    convention, fitter : str
        How ``scored`` was scored.
    check_fits : bool
        Rescore the blocks with the other fitter.
    tolerance : float, optional
        Tolerance in % points (default: the largest |diff| counted as within in ``blocks``,
        or 0.5).

    Returns
    -------
    pandas.DataFrame
        One row per (block, model) beyond tolerance: ``block``, ``model``, ``diff``,
        the block table's drug columns, ``status``, ``status_reason``, per drug (``row``/
        ``col`` of a pair, ``1`` … ``N`` beyond) ``sse_<drug>`` (our fit, %²),
        ``published_sse_<drug>`` (the published fit on the same points; NaN without a fit
        table), ``n_points_<drug>`` and ``other_fitter_sse_<drug>``; ``other_fitter``,
        ``other_fitter_score``, ``other_fitter_diff``, ``other_convention`` (pairs only:
        SynergyFinder 2 is defined for pairs) with ``other_convention_score``/``_diff``,
        ``imputed_wells``,
        ``replicates`` (ours), ``published_replicated`` (SynergyFinder's ``replicate`` flag,
        None if not given), for Loewe under ``convention="synergyfinder2"`` the facts of
        :func:`synergy.benchmark.loewe_sf2.loewe_sf2_facts`, and ``explanation``.
    """
    bad = blocks[~blocks["within"]]
    if bad.empty:
        return pd.DataFrame(columns=["block", "model", "diff", "explanation"])
    if tolerance is None:
        inside = blocks.loc[blocks["within"], "abs_diff"]
        tolerance = 0.5 if inside.empty else max(0.5, float(inside.max()))
    ids = list(dict.fromkeys(bad["block"]))
    sub = scored.sel(block=ids)
    sub_base = base.sel(block=ids)
    n_drug = n_drugs(sub)
    names = dict(zip(ids, drug_names(sub).tolist(), strict=True))
    fitted = tuple(m for m in models if m in FITTED)
    used = fits_of(sub)
    other_fitter = {"drc": "lsq", "lsq": "drc"}.get(fitter) if check_fits and fitted else None
    other = _rescore(sub_base, fitted, convention, other_fitter, True) if other_fitter else None
    # SynergyFinder 2's rules are defined for drug pairs only
    other_conv = _OTHER_CONVENTION.get(convention) if n_drug == 2 else None
    conv = _rescore(sub_base, models, other_conv, fitter, None) if other_conv else None
    nan = np.full((len(ids), n_drug), np.nan)
    sse = n_points = pub_sse = other_sse = nan
    if used is not None:
        sse, n_points = fit_sse(sub, *used)
    if published.fits is not None:
        params, l4, _ = published_fit_arrays(sub, published.fits, matching)
        pub_sse, _ = fit_sse(sub, params, l4)
    other_fits = fits_of(other) if other is not None else None
    if other_fits is not None:
        other_sse, _ = fit_sse(sub, *other_fits)
    per_block: dict[str, dict] = {b: {} for b in ids}
    for j, side in enumerate(drug_suffixes(n_drug)):
        for k, b in enumerate(ids):
            per_block[b] |= {
                f"sse_{side}": float(sse[k, j]),
                f"n_points_{side}": int(n_points[k, j]) if np.isfinite(n_points[k, j]) else 0,
                f"published_sse_{side}": float(pub_sse[k, j]),
                f"other_fitter_sse_{side}": float(other_sse[k, j]),
            }
    imputed = {b: 0 for b in ids}
    if published.wells is not None:
        placed = place_wells(sub, published.wells, matching)
        lacking = placed[placed["combination"] & ~placed["measured"]]
        imputed |= lacking.groupby("block").size().to_dict()
    replicates = np.isfinite(flat_values(sub, "response")).any(axis=1).sum(axis=-1)
    flags: dict[str, bool | None] = {}
    if "replicated" in published.blocks:
        pub_index = matching.pairs.set_index("block")["index"]
        for b in ids:
            flag = published.blocks.loc[pub_index[b], "replicated"]
            flags[b] = bool(flag) if isinstance(flag, bool | np.bool_) else None
    sf2_facts = None
    if convention == "synergyfinder2" and "loewe" in models and "loewe_n_fallback" in sub:
        sf2_facts = loewe_sf2_facts(sub, str(sub.attrs.get("conc_unit", "the screen's unit")))
    rows = []
    position = {b: k for k, b in enumerate(ids)}
    drug_columns = [c for c in ("drug_row", "drug_col", "drugs") if c in bad]
    for r in bad.itertuples():
        k = position[r.block]
        row = {
            "block": r.block,
            "model": r.model,
            "diff": r.diff,
            "ours": r.ours,
            "theirs": r.theirs,
            **{column: getattr(r, column) for column in drug_columns},
            "status": r.status,
            "status_reason": r.status_reason,
            **per_block[r.block],
            "other_fitter": other_fitter if r.model in FITTED else None,
            "other_fitter_score": np.nan,
            "other_fitter_diff": np.nan,
            "other_convention": other_conv,
            "other_convention_score": np.nan,
            "other_convention_diff": np.nan,
            "imputed_wells": int(imputed.get(r.block, 0)),
            "replicates": int(replicates[k]),
            "published_replicated": flags.get(r.block),
        }
        if sf2_facts and r.model == "loewe":
            row |= sf2_facts[k]
        if other is not None and r.model in FITTED:
            value = float(other[f"{r.model}_score"].values[k])
            row["other_fitter_score"], row["other_fitter_diff"] = value, value - r.theirs
        if conv is not None:
            value = float(conv[f"{r.model}_score"].values[k])
            row["other_convention_score"] = value
            row["other_convention_diff"] = value - r.theirs
        row["explanation"] = _words(row, names[r.block], r.model, tolerance)
        rows.append(row)
    return pd.DataFrame(rows)
