"""``synergy.benchmark.compare``: our scores against a published table, block by block.

Scores the screen (or takes its scores), pairs its blocks with the published rows
(:func:`~synergy.benchmark.matching.match_blocks`), and reports per block and model ours,
theirs and the difference, per model the agreement
(:func:`~synergy.benchmark.agreement.agreement`), per well where the table has surfaces, and
for every block beyond tolerance the
evidence of why (:func:`~synergy.benchmark.evidence.explain`).  ``convention="auto"`` scores
under both SynergyFinder conventions and names the one that reproduces the table.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pandas as pd
import xarray as xr

from synergy.benchmark.blocks import block_table
from synergy.benchmark.convention import CONVENTIONS, choose, summarise
from synergy.benchmark.evidence import explain
from synergy.benchmark.fits import fit_check, inject_published_fits, with_fit_check
from synergy.benchmark.matching import Matching, match_blocks
from synergy.benchmark.per_drug import keep_variables
from synergy.benchmark.published import MODELS, PublishedScores, read_published
from synergy.benchmark.result import BenchmarkResult
from synergy.benchmark.wells import compare_wells
from synergy.errors import SynergyError
from synergy.io.layout import drug_names, fit_variables, n_drugs

__all__ = ["compare", "score_for_benchmark"]


def _models(requested: Sequence[str] | str | None, published: PublishedScores) -> tuple[str, ...]:
    available = published.models
    if requested is None:
        chosen = available
    else:
        requested = (requested,) if isinstance(requested, str) else tuple(requested)
        chosen = tuple(dict.fromkeys(m.strip().lower() for m in requested))
        unknown = [m for m in chosen if m not in MODELS]
        if unknown:
            raise SynergyError(f"unknown model(s) {unknown}: choose from {MODELS}")
        absent = [m for m in chosen if m not in available]
        if absent:
            raise SynergyError(
                f"the published table has no scores for {absent}; it has {list(available)}"
            )
    if not chosen:
        raise SynergyError("the published table has no model scores to compare")
    return chosen


def _scoring(screen: xr.Dataset) -> dict[str, Any]:
    try:
        return json.loads(screen.attrs.get("scoring") or "{}")
    except json.JSONDecodeError:
        return {}


def _base(screen: xr.Dataset, keep_fits: bool) -> xr.Dataset:
    """The screen without scores (and without fits unless kept)."""
    keep = [v for v in ("response", "n_control", "input_order") if v in screen]  # ZIP slices
    if keep_fits:
        stems = tuple(fit_variables(screen, "hill"))
        keep += [v for v in screen.data_vars if str(v).startswith(stems)]
    out = keep_variables(screen, keep)
    out.attrs = {k: v for k, v in screen.attrs.items() if k != "scoring"}
    return out


def score_for_benchmark(
    screen: xr.Dataset,
    models: tuple[str, ...],
    conventions: Sequence[str],
    *,
    fitter: str | None = None,
    fits: tuple[pd.DataFrame, Matching] | None = None,
    correct_baseline: str = "non",
) -> tuple[dict[str, xr.Dataset], xr.Dataset, list[str]]:
    """Score a screen under each convention for a comparison.

    Parameters
    ----------
    screen : xarray.Dataset
        The screen (its scores, if any, are replaced).
    models : tuple of str
        Models to score.
    conventions : sequence of str
        ``"synergyfinder3"`` and/or ``"synergyfinder2"``.
    fitter : {"drc", "lsq"}, optional
        Fitter of the single drugs and ZIP slices; ``None``: the convention's (``drc``),
        and single-drug fits already in the screen are used.
    fits : (fits table, Matching), optional
        Published single-drug fits to score with
        (:func:`~synergy.benchmark.fits.inject_published_fits`).
    correct_baseline : {"non", "part", "all"}
        SynergyFinder's baseline correction (:mod:`synergy.models.baseline`); not with
        ``fits``.

    Returns
    -------
    runs : dict
        convention → scored screen.
    base : xarray.Dataset
        The unscored screen that was scored (with the injected fits).
    injected : list of str
        Blocks scored with the published fits.
    """
    from synergy.scoring import score

    injected: list[str] = []
    base = _base(screen, keep_fits=fitter is None and fits is None)
    if fits is not None:
        base, injected = inject_published_fits(base, fits[0], fits[1], fitter or "drc")
    refit = False if fits is not None else (True if fitter is not None else None)
    if correct_baseline != "non":
        refit = None
    runs = {
        c: score(
            base,
            models,
            convention=c,
            fitter=fitter,
            refit=refit,
            correct_baseline=correct_baseline,
        )
        for c in conventions
    }
    return runs, base, injected


def compare(
    scored: xr.Dataset,
    published: Any,
    *,
    models: Sequence[str] | str | None = None,
    tolerance: float = 0.5,
    convention: str | None = None,
    fitter: str | None = None,
    use_published_fits: bool = False,
    check_fits: bool = True,
) -> BenchmarkResult:
    """Compare a screen's synergy scores with a published table.

    Parameters
    ----------
    scored : xarray.Dataset
        A screen, scored (``<model>_score``) or not.  Its scores are used as they are when
        ``convention`` and ``fitter`` are None and it has every model's score; otherwise it
        is scored here with :func:`synergy.score`.
    published : PublishedScores, path, DataFrame or list of them
        The published scores (:func:`~synergy.benchmark.published.read_published`).
    models : sequence of str, optional
        Models to compare (default: every model the table has).
    tolerance : float
        Largest |ours − published| that counts as agreeing, % points.
    convention : {"synergyfinder3", "synergyfinder2", "auto"}, optional
        Score under this convention; ``"auto"`` scores under both and reports which
        reproduces the table (per model, ``"tie"`` where they tie; the main tables use the
        overall winner, synergyfinder3 on a tie), then under the winner with SynergyFinder's
        baseline corrections ``correct_baseline="part"``/``"all"`` and reports which of
        ``non``/``part``/``all`` reproduces it best (ties as ties; the main tables use the
        winner, ``non`` on a tie).  Blocks of N ≥ 3 drugs: ``synergyfinder3`` only
        (SynergyFinder 2 scores pairs; ``"auto"`` compares the baseline corrections).
        Default: the screen's own scores, or synergyfinder3.
    fitter : {"drc", "lsq"}, optional
        Fitter (default: the convention's, drc's procedure).
    use_published_fits : bool
        Score with the published tool's own single-drug fits (the table must include them,
        e.g. SynergyFinder's ``synergyfinder3_drc.csv``): its formulas are then compared
        without its fitting.  Any number of drugs (published drug k is matched by name).
    check_fits : bool
        docs/design.md §6.23: fit every block's single drugs with the other fitter too, flag the
        scores that rest on a fit it improves by > 1 % in SSE (``fit_check``,
        ``check_score``), and give the other fitter's score as evidence for blocks beyond
        tolerance.  On by default (and always in ``synergy benchmark``); drug pairs only.

    Returns
    -------
    BenchmarkResult

    Raises
    ------
    SynergyError
        Bad tables or options, or no published block matching any block of the screen.
    """
    if not tolerance >= 0:
        raise SynergyError(f"tolerance must be ≥ 0 points, got {tolerance!r}")
    if convention not in (None, "auto", *CONVENTIONS):
        raise SynergyError(
            f"convention must be 'auto', 'synergyfinder3' or 'synergyfinder2', got {convention!r}"
        )
    pub = published if isinstance(published, PublishedScores) else read_published(published)
    models = _models(models, pub)
    n_drug = n_drugs(scored)
    if n_drug != pub.n_drugs:
        raise SynergyError(
            f"the screen has {n_drug} drugs per block, the published tables {pub.n_drugs}: "
            "compare tables of the same combinations"
        )
    matching = match_blocks(scored, pub.blocks)
    if matching.pairs.empty:
        raise SynergyError(
            "no published block matches a block of the screen (by block id, or by drugs and "
            f"sample); published: {matching.unmatched_published[:5]}; ours: "
            f"{matching.unmatched_screen[:5]}"
        )
    if use_published_fits and pub.fits is None:
        raise SynergyError(
            "use_published_fits: the published tables include no single-drug fits (give "
            "SynergyFinder's drc table, e.g. synergyfinder3_drc.csv)"
        )
    as_is = (
        convention is None
        and fitter is None
        and not use_published_fits
        and all(f"{m}_score" in scored for m in models)
    )
    injected: list[str] = []
    if as_is:
        runs = {_scoring(scored).get("convention", "as scored"): scored}
        base = _base(scored, keep_fits=True)
    else:
        # SynergyFinder 2's rules are defined for drug pairs: N-drug "auto" weighs the
        # baseline corrections under synergyfinder3 only
        candidates = CONVENTIONS if n_drug == 2 else CONVENTIONS[:1]
        chosen = list(candidates) if convention == "auto" else [convention or CONVENTIONS[0]]
        fits = (pub.fits, matching) if use_published_fits else None
        runs, base, injected = score_for_benchmark(scored, models, chosen, fitter=fitter, fits=fits)
    tables = {c: block_table(s, pub, matching, models, tolerance) for c, s in runs.items()}
    conventions = block_conventions = None
    best: dict[str, str] = {}
    ties: dict[str, list[str]] = {}
    if len(runs) > 1:
        conventions, block_conventions, best, tied = choose(tables, models, tolerance)
        ties |= {f"convention:{k}": v for k, v in tied.items()}
    main = best.get("overall", next(iter(runs)))
    main = CONVENTIONS[0] if main == "tie" else main
    main_scored, blocks = runs[main], tables[main]
    baselines = block_baselines = None
    best_baseline: dict[str, str] = {}
    correction = _scoring(main_scored).get("correct_baseline", "non")
    if convention == "auto" and not use_published_fits:
        runs_b, tables_b = {"non": main_scored}, {"non": blocks}
        for option in ("part", "all"):
            found, _, _ = score_for_benchmark(
                scored, models, [main], fitter=fitter, correct_baseline=option
            )
            runs_b[option] = found[main]
            tables_b[option] = block_table(found[main], pub, matching, models, tolerance)
        baselines, block_baselines, best_baseline, tied = choose(
            tables_b, models, tolerance, key="correct_baseline"
        )
        ties |= {f"baseline:{k}": v for k, v in tied.items()}
        correction = best_baseline["overall"] if best_baseline["overall"] != "tie" else "non"
        main_scored, blocks = runs_b[correction], tables_b[correction]
    used_fitter = _scoring(main_scored).get("fitter", fitter or "drc")
    rescore_convention = main if main in CONVENTIONS else CONVENTIONS[0]
    checks = None
    # docs/design.md §6.23's check (and the other fitter's evidence) is defined on pairs' fits
    check_fits = check_fits and n_drug == 2
    if check_fits:
        checks = fit_check(
            base, main_scored, models, convention=rescore_convention, fitter=used_fitter
        )
        if checks is not None:
            ids = main_scored["block"].values.astype(str)
            names = dict(zip(ids, drug_names(main_scored).tolist(), strict=True))
            blocks = with_fit_check(blocks, checks, names)
    evidence = explain(
        base,
        main_scored,
        pub,
        matching,
        blocks,
        models,
        convention=rescore_convention,
        fitter=used_fitter,
        check_fits=check_fits,
        tolerance=tolerance,
    )
    if len(evidence):
        why = evidence.set_index(["block", "model"])["explanation"]
        keys = pd.MultiIndex.from_frame(blocks[["block", "model"]])
        blocks["explanation"] = why.reindex(keys).to_numpy()
    else:
        blocks["explanation"] = None
    wells = well_summary = None
    if pub.wells is not None:
        wells, well_summary = compare_wells(main_scored, pub.wells, matching, models, tolerance)
    settings = {
        "convention": main,
        "correct_baseline": correction,
        "fitter": used_fitter,
        "tolerance": float(tolerance),
        "models": list(models),
        "published_fits": injected,
        "tables": pub.describe(),
        "n_drugs": n_drug,
    }
    return BenchmarkResult(
        blocks=blocks,
        summary=summarise(blocks, models, tolerance),
        evidence=evidence,
        wells=wells,
        well_summary=well_summary,
        unmatched_screen=matching.unmatched_screen,
        unmatched_published=matching.unmatched_published,
        conventions=conventions,
        block_conventions=block_conventions,
        best=best,
        baselines=baselines,
        block_baselines=block_baselines,
        best_baseline=best_baseline,
        ties=ties,
        settings=settings,
        scored=main_scored,
        fit_checks=checks,
    )
