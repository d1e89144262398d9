""":func:`~synergy.benchmark.compare` for N-drug screens and SynergyFinder's multi-drug tables.

Same result as for pairs (:class:`~synergy.benchmark.BenchmarkResult`), with ``drugs`` ("A ×
B × C", our order) in place of ``drug_row``/``drug_col``, per-well rows with
``conc_1..conc_N`` (our drug order; wells with at least two drugs present), and evidence
from our status, the single-drug fits (ours against the published fits on the same points,
where the tables give them), wells the other tool had that we lack, and replicates.
``convention="auto"`` compares SynergyFinder's baseline corrections (N-drug scores exist
under ``synergyfinder3`` only).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import xarray as xr

from synergy.benchmark.agreement import agreement
from synergy.benchmark.blocks import block_table
from synergy.benchmark.convention import choose, summarise
from synergy.benchmark.fits import FITTED, poorer, sse_text
from synergy.benchmark.multi import match_multi
from synergy.benchmark.published import PublishedScores
from synergy.benchmark.result import BenchmarkResult
from synergy.benchmark.wells import DOSE_RTOL
from synergy.errors import SynergyError
from synergy.hill.model import HILL_PARAMS, hill_predict

__all__ = ["compare_multi"]

BASELINES = ("non", "part", "all")


def place_multi(screen: xr.Dataset, wells: pd.DataFrame, matching) -> pd.DataFrame:
    """Published wells of the matched blocks located among our wells.

    Returns the published rows with ``block`` (ours), ``b``, ``w`` (our well; -1 where no
    well has these doses), ``conc_1..conc_N`` in our drug order, ``n_drugs_present`` and
    ``measured`` (we have a response there).
    """
    position = {b: k for k, b in enumerate(screen["block"].values.astype(str))}
    concs = [f"conc_{k + 1}" for k in range(screen.sizes["drug"])]
    conc = screen["conc"].transpose("block", "well", "drug").values
    response = screen["response"].transpose("block", "well", "replicate").values
    keys = wells["block"].astype(str)
    parts = []
    for pair in matching.pairs.itertuples():
        part = wells[keys == str(pair.published_block)].copy()
        if part.empty:
            continue
        b = position[pair.block]
        published = part[concs].to_numpy(float)
        doses = np.empty_like(published)
        doses[:, list(pair.order)] = published  # published drug k is our drug order[k]
        hit = np.isclose(doses[:, None, :], conc[b][None, :, :], rtol=DOSE_RTOL, atol=0.0)
        hit = hit.all(axis=-1)
        w = np.where(hit.any(axis=1), hit.argmax(axis=1), -1)
        part[concs] = doses
        part["block"], part["b"], part["w"] = pair.block, b, w
        part["n_drugs_present"] = (doses > 0).sum(axis=1)
        part["measured"] = (w >= 0) & np.isfinite(response[b, np.maximum(w, 0)]).any(axis=-1)
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=[*wells.columns, "b", "w", "n_drugs_present", "measured"])
    return pd.concat(parts, ignore_index=True)


def _compare_wells(scored, wells, matching, models, tolerance):
    placed = place_multi(scored, wells, matching)
    placed = placed[placed["n_drugs_present"] >= 2]
    concs = [c for c in placed.columns if c.startswith("conc_")]
    on_grid = placed["w"].to_numpy(int) >= 0
    b, w = placed["b"].to_numpy(int), placed["w"].to_numpy(int)
    rows, summary = [], {}
    for model in models:
        if model not in placed or model not in scored:
            continue
        ours = np.full(len(placed), np.nan)
        ours[on_grid] = scored[model].transpose("block", "well").values[b[on_grid], w[on_grid]]
        theirs = placed[model].to_numpy(float)
        frame = placed[["block", *concs]].reset_index(drop=True)
        frame = frame.assign(model=model, ours=ours, theirs=theirs, diff=ours - theirs)
        rows.append(frame.assign(placed=on_grid))
        summary[model] = agreement(ours, theirs, tolerance)
    table = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    return table, pd.DataFrame.from_dict(summary, orient="index")


def _fit_sse(scored, params: np.ndarray, l4: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """SSE (B, N) of fits (B, N, 4) on each drug's single-drug points (control included)."""
    from synergy.hill.screen import single_drug_arrays

    conc, response = single_drug_arrays(scored, "mean")
    ok = np.isfinite(conc) & np.isfinite(response)
    flat = params.reshape(-1, 4)
    predicted = hill_predict(np.where(ok, conc, 1.0), flat, l4.reshape(-1))
    sse = np.where(ok, response - predicted, 0.0) ** 2
    sse = np.where(np.all(np.isfinite(flat), axis=1), sse.sum(axis=1), np.nan)
    shape = params.shape[:2]
    return sse.reshape(shape), ok.sum(axis=1).reshape(shape)


def _explain(scored, pub: PublishedScores, matching, blocks: pd.DataFrame) -> pd.DataFrame:
    bad = blocks[~blocks["within"]]
    if bad.empty:
        return pd.DataFrame(columns=["block", "model", "diff", "explanation"])
    position = {b: k for k, b in enumerate(scored["block"].values.astype(str))}
    n_drug = scored.sizes["drug"]
    ours_sse = theirs_sse = n_points = None
    if "hill" in scored:
        params = scored["hill"].transpose("block", "drug", "param").sel(param=list(HILL_PARAMS))
        l4 = scored["hill_model"].values == 1 if "hill_model" in scored else None
        l4 = np.zeros(params.shape[:2], bool) if l4 is None else l4
        ours_sse, n_points = _fit_sse(scored, params.values, l4)
        if pub.fits is not None:
            laid = np.full(params.shape, np.nan)
            pub_l4 = np.zeros(params.shape[:2], bool)
            fits = pub.fits.assign(block=pub.fits["block"].astype(str)).set_index(["block", "side"])
            for pair in matching.pairs.itertuples():
                for k, j in enumerate(pair.order):
                    key = (str(pair.published_block), str(k + 1))
                    if key in fits.index:
                        laid[position[pair.block], j] = fits.loc[key, list(HILL_PARAMS)].to_numpy(
                            float
                        )
                        pub_l4[position[pair.block], j] = bool(fits.loc[key, "l4"])
            theirs_sse, _ = _fit_sse(scored, laid, pub_l4)
    lacking = {}
    if pub.wells is not None:
        placed = place_multi(scored, pub.wells, matching)
        lacking = placed[(placed["n_drugs_present"] >= 2) & ~placed["measured"]]
        lacking = lacking.groupby("block").size().to_dict()
    replicates = np.isfinite(scored["response"].transpose("block", "well", "replicate").values)
    replicates = replicates.any(axis=1).sum(axis=-1)
    rows = []
    for r in bad.itertuples():
        k = position[r.block]
        names = r.drugs.split(" × ")
        reasons = []
        if not np.isfinite(r.theirs):
            reasons.append("the published table has no score for this block (NA)")
        if not np.isfinite(r.ours):
            reasons.append("we have no score for this block (see our status)")
        row = {"block": r.block, "model": r.model, "diff": r.diff, "ours": r.ours,
               "theirs": r.theirs, "drugs": r.drugs, "status": r.status}  # fmt: skip
        for j in range(n_drug):
            ours = float(ours_sse[k, j]) if ours_sse is not None else np.nan
            theirs = float(theirs_sse[k, j]) if theirs_sse is not None else np.nan
            row[f"sse_{j + 1}"], row[f"published_sse_{j + 1}"] = ours, theirs
            if r.model not in FITTED:
                continue
            n = int(n_points[k, j]) if n_points is not None else 0
            if poorer(theirs, ours):
                reasons.append(
                    f"the published {names[j]} fit has SSE {sse_text(theirs)} where ours reaches "
                    f"{sse_text(ours)} on the same {n} points: the published score rests on a "
                    "poorer single-drug fit"
                )
            elif poorer(ours, theirs):
                reasons.append(
                    f"our {names[j]} fit has SSE {sse_text(ours)}, the published fit "
                    f"{sse_text(theirs)} on the same {n} points: ours is the poorer fit"
                )
        row["imputed_wells"] = int(lacking.get(r.block, 0))
        if row["imputed_wells"]:
            reasons.append(
                f"the published table has {row['imputed_wells']} combination well(s) the screen "
                "did not measure (imputed by the other tool; we do not impute, "
                "docs/design.md §6.12)"
            )
        row["replicates"] = int(replicates[k])
        if row["replicates"] > 1 and not reasons:
            reasons.append(
                f"the block has {row['replicates']} replicates: if the published tool scored "
                "them, its scores are bootstrap means (docs/design.md §6.8)"
            )
        if not reasons:
            reasons.append(
                "unexplained: the single-drug fits are equally good (SSE within 1 %)"
                if r.model in FITTED
                else "unexplained: Bliss and HSA use the observed wells only, so the published "
                "tool scored other data"
            )
        if r.status:
            reasons.append(f"our status: {r.status_reason}")
        row["explanation"] = "; ".join(reasons)
        rows.append(row)
    return pd.DataFrame(rows)


def compare_multi(
    scored: xr.Dataset,
    pub: PublishedScores,
    models: tuple[str, ...],
    tolerance: float,
    convention: str | None,
    fitter: str | None,
    use_published_fits: bool,
) -> BenchmarkResult:
    """:func:`~synergy.benchmark.compare` of an N-drug screen (arguments as there)."""
    from synergy.scoring import score

    if use_published_fits:
        raise SynergyError("use_published_fits is implemented for drug pairs only")
    matching = match_multi(scored, pub.blocks)
    if matching.pairs.empty:
        raise SynergyError(
            "no published block matches a block of the screen (by block id, or by the drugs and "
            f"sample); published: {matching.unmatched_published[:5]}; ours: "
            f"{matching.unmatched_screen[:5]}"
        )
    try:
        used = json.loads(scored.attrs.get("scoring") or "{}")
    except json.JSONDecodeError:
        used = {}
    as_is = convention is None and fitter is None and all(f"{m}_score" in scored for m in models)
    if as_is:
        runs = {used.get("correct_baseline", "non"): scored}
    else:
        base = scored.drop_vars(
            [v for v in scored.data_vars if v not in ("response", "n_control", "input_order")]
        )
        base = base.drop_vars([c for c in ("param", "bound") if c in base.coords])
        base.attrs = {k: v for k, v in scored.attrs.items() if k != "scoring"}
        options = BASELINES if convention == "auto" else ("non",)
        chosen = "synergyfinder3" if convention in (None, "auto") else convention
        runs = {
            c: score(base, models, convention=chosen, fitter=fitter, correct_baseline=c)
            for c in options
        }
    tables = {c: block_table(s, pub, matching, models, tolerance) for c, s in runs.items()}
    baselines = block_baselines = None
    best_baseline: dict[str, str] = {}
    ties: dict[str, list[str]] = {}
    main = next(iter(runs))
    if len(runs) > 1:
        baselines, block_baselines, best_baseline, tied = choose(
            tables, models, tolerance, key="correct_baseline"
        )
        ties = {f"baseline:{k}": v for k, v in tied.items()}
        main = best_baseline["overall"] if best_baseline["overall"] != "tie" else "non"
    main_scored, blocks = runs[main], tables[main]
    evidence = _explain(main_scored, pub, matching, blocks)
    blocks["explanation"] = None
    if len(evidence):
        why = evidence.set_index(["block", "model"])["explanation"]
        keys = pd.MultiIndex.from_frame(blocks[["block", "model"]])
        blocks["explanation"] = why.reindex(keys).to_numpy()
    wells = well_summary = None
    if pub.wells is not None:
        wells, well_summary = _compare_wells(main_scored, pub.wells, matching, models, tolerance)
    scoring = json.loads(main_scored.attrs.get("scoring") or "{}")
    settings = {
        "convention": scoring.get("convention", "synergyfinder3"),
        "correct_baseline": main,
        "fitter": scoring.get("fitter", fitter or "drc"),
        "tolerance": float(tolerance),
        "models": list(models),
        "published_fits": [],
        "tables": pub.describe(),
        "n_drugs": pub.n_drugs,
    }
    return BenchmarkResult(
        blocks=blocks,
        summary=summarise(blocks, models, tolerance),
        evidence=evidence,
        wells=wells,
        well_summary=well_summary,
        unmatched_screen=matching.unmatched_screen,
        unmatched_published=matching.unmatched_published,
        baselines=baselines,
        block_baselines=block_baselines,
        best_baseline=best_baseline,
        ties=ties,
        settings=settings,
        scored=main_scored,
    )
