"""``synergy.score``: the one scoring entry point (docs/design.md §6.5).

Scores every block of a screen with the reference models Bliss, HSA, Loewe and ZIP
(:mod:`synergy.models`), fitting the single drugs first when the screen has no fits.
Conventions: ``"synergyfinder3"`` (SynergyFinder 3.7, default) and ``"synergyfinder2"``
(synergyfinder 2.x as DrugComb's pipeline ran it).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr

from synergy.cleaning import DEFAULT_THRESHOLD, clean_wells
from synergy.errors import SynergyError
from synergy.hill.fitter_rule import fit_names, fits_for
from synergy.io.groups import group_plan, join_groups, padded_dims, shape_groups
from synergy.io.layout import require_pair
from synergy.io.response_kind import PLAUSIBLE_RANGE, screen_response_warnings, unscorable
from synergy.models import registry
from synergy.models.baseline import correct_baseline as apply_baseline
from synergy.models.dispatch import rescore_function, score_models
from synergy.models.status import combine_status
from synergy.scoring_checks import (
    CONVENTIONS,
    check_bootstrap,
    check_model_options,
    check_options,
    known_models,
)

if TYPE_CHECKING:
    from synergy.options import ScoringOptions

__all__ = ["CONVENTIONS", "DEFAULT_MODELS", "MODELS", "check_options", "score"]

# the models shipped with synergy (synergy.models.registry.REGISTRY is the live list)
DEFAULT_MODELS = registry.model_names(default=True)
MODELS = registry.model_names()


def _add_bootstrap(
    out: xr.Dataset, models: tuple[str, ...], settings: dict, boot: dict
) -> xr.Dataset:
    """Bootstrap intervals and p-values of the block scores (:mod:`synergy.stats`)."""
    from synergy.stats import bootstrap

    extra = bootstrap(
        out,
        models,
        n_boot=settings["n_boot"],
        ci=boot["ci"],
        seed=boot["seed"],
        method=boot["bootstrap"],
        rescore=rescore_function(
            settings["convention"], settings["loewe_solver"], settings["fitter"]
        ),
        well_intervals=boot["well_intervals"],
    )
    settings.update(
        bootstrap=boot["bootstrap"], ci=boot["ci"], seed=0 if boot["seed"] is None else boot["seed"]
    )
    return out.assign(extra.data_vars)


def _with_fits(screen: xr.Dataset, fitter: str, refit: bool | None) -> xr.Dataset:
    screen = fits_for(screen, fitter, refit)  # the fitter rule (docs/design.md §9)
    names = fit_names(screen)
    present = all(name in screen for name in names)
    if refit is False and not present:
        raise SynergyError(
            "refit=False but the screen has no single-drug fits (hill_row/hill_col, or hill "
            "for N drugs): fit the single drugs "
            "(synergy.hill.fit_screen) or use refit=None"
        )
    if present and not refit:
        return screen
    from synergy.hill import fit_screen

    drop = [v for v in screen.data_vars if str(v).startswith(names)]
    return fit_screen(screen.drop_vars(drop), fitter=fitter, replicates="mean")


def _flag_response_scale(
    status: xr.DataArray, reason: xr.DataArray, screen: xr.Dataset, plausible: tuple[float, float]
) -> tuple[xr.DataArray, xr.DataArray]:
    """Blocks whose responses leave ``plausible`` (% inhibition) or whose controls are far
    from 0 get a warning (still scored): a wrong scale or response kind (docs/design.md §12)."""
    words = screen_response_warnings(screen, plausible)
    flagged = words != ""
    if not flagged.any():
        return status, reason
    text = np.asarray(reason.values, dtype=object)
    joined = [f"{w}; {r}" if r else w for w, r in zip(words[flagged], text[flagged], strict=True)]
    text[flagged] = joined
    status = status.copy(data=np.maximum(status.values, flagged.astype(np.int8)))
    return status, reason.copy(data=text.astype(str))


def score(
    screen: xr.Dataset,
    models: Sequence[str] = DEFAULT_MODELS,
    *,
    convention: str = "synergyfinder3",
    loewe_solver: str | None = None,
    fitter: str | None = None,
    refit: bool | None = None,
    correct_baseline: str = "non",
    n_boot: int = 0,
    ci: float = 0.95,
    seed: int | None = None,
    check_fits: bool = False,
    sensitivity: bool = False,
    bootstrap: str = "resample",
    well_intervals: bool = False,
    model_options: Mapping[str, Mapping[str, Any]] | None = None,
    response_range: tuple[float, float] = PLAUSIBLE_RANGE,
    impute: str | None = None,
    outliers: str | None = None,
    outlier_threshold: float = DEFAULT_THRESHOLD,
    options: ScoringOptions | None = None,
) -> xr.Dataset:
    """Score every block of a screen with the reference models.

    Definitions (SynergyFinder 3.7 by default; each model's docstring gives the formula):
    Bliss and HSA from the observed single-drug wells (:func:`synergy.models.score_bliss`,
    :func:`~synergy.models.score_hsa`), Loewe from the single-drug Hill fits
    (:func:`~synergy.models.score_loewe`), ZIP from the fits and row/column slice fits
    (:func:`~synergy.models.score_zip`).  δ in % points, positive = synergy; block scores
    are the mean δ over the measured combination wells.  Replicates are averaged per well
    first (SynergyFinder's replicate-mean table; docs/design.md §6.8).

    Parameters
    ----------
    screen : xarray.Dataset
        A screen (docs/design.md §1), responses in % inhibition.
    models : sequence of str
        Models to score, from ``MODELS`` ("bliss", "hsa", "loewe", "zip", "musyc",
        "musyc_gamma", "ci", "zimmer", "braid"; default the four reference models).
        ``"musyc"`` fits the MuSyC surface (:func:`synergy.models.musyc.fit_musyc`:
        ``musyc`` parameters, log alpha and beta with ``ci`` intervals, ``musyc_status``),
        started from the Hill fits;
        ``"musyc_gamma"`` fits it with the cooperativities γ12, γ21 too (``fit_gamma=True``:
        the same ``musyc_*`` variables plus ``musyc_log_gamma12/21``; not with ``"musyc"``);
        ``"ci"`` the Chou–Talalay combination index and DRI
        (:func:`synergy.models.combination_index.combination_index`); ``"zimmer"``
        Zimmer's effective-dose model (:func:`synergy.models.zimmer.fit_zimmer`: a12, a21,
        < 0 synergy) and ``"braid"`` BRAID's κ (:func:`synergy.models.braid.fit_braid`,
        > 0 synergy), each with ``ci`` intervals and a ``<model>_status``.
    convention : {"synergyfinder3", "synergyfinder2"}
        Whose definitions to reproduce: SynergyFinder 3.7 (default), or SynergyFinder 2.x
        as DrugComb's pipeline used it (ZIP: :mod:`synergy.models.zip_sf2`; Loewe:
        ``loewe_solver="sf2"``; Bliss in its floating-point form; HSA unchanged).
    loewe_solver : {"grid100", "exact", "sf2"}, optional
        Loewe's reference: SynergyFinder 3's 100-point grid, the exact root of Loewe's
        equation, or SynergyFinder 2's definition.  Default from the convention
        (``"grid100"`` for synergyfinder3, ``"sf2"`` for synergyfinder2).
    fitter : {"drc", "lsq"}, optional
        Fitter of the single drugs and of ZIP's slices.  Default from the convention:
        ``"drc"`` (drc's procedure, SynergyFinder's numbers; also
        :func:`synergy.hill.fit_screen`'s default).
    refit : bool, optional
        Single-drug fits: ``None`` (default) uses ``hill_row``/``hill_col`` when the screen
        has them and they are ``fitter``'s (from an earlier
        :func:`synergy.hill.fit_screen` with the same fitter) or were given (no ``fitter``
        attribute, or SynergyFinder's fit table injected), refits fits made by another
        fitter with a logged notice naming both
        (:func:`synergy.hill.fitter_rule.fits_for`), and fits otherwise;
        ``True`` always refits (the old fits are replaced); ``False`` requires them and
        uses them whatever made them (with a notice when another fitter did).  Bliss/HSA
        need no fits.
    correct_baseline : {"non", "part", "all"}
        SynergyFinder's baseline correction (:mod:`synergy.models.baseline`): lift negative
        responses (``"part"``) or all responses (``"all"``) by the lowest fitted single-drug
        value before scoring; the single drugs are then refitted on the corrected data
        (``refit=False`` is refused) and ``baseline`` (block) is added.
    n_boot : int
        Bootstrap resamples per block for intervals and p-values (0: none; e.g. 200 for
        stable 95 % intervals; SynergyFinder uses 10).  Every resample is rescored with
        the same models, refitting the single drugs and ZIP's slices with ``fitter``
        (:func:`synergy.stats.bootstrap`).  Only the reference models' scores (Bliss, HSA,
        Loewe, ZIP) are bootstrapped; the parametric models (MuSyC, Zimmer, BRAID, CI)
        report their own intervals; ``n_boot`` with none of the reference models is an
        error.
    ci : float
        Confidence level of bootstrap intervals and of MuSyC's intervals.
    seed : int, optional
        Seed of the bootstrap (draws keyed by (seed, block id, resample, well); §3, §16.3), and
        of MuSyC's calibration unless ``model_options`` gives its own; None means 0.
    check_fits : bool
        Also fit the single drugs with the other fitter (docs/design.md §6.23;
        :func:`synergy.models.fit_check.check_fits`): blocks where it lowers a drug's SSE by
        more than 1 % get ``fit_check_status`` 7 (a warning in ``status``) and the Loewe/ZIP
        scores with the other fitter's fits (``loewe_score_other``, ``zip_score_other``).
    bootstrap : {"resample", "synergyfinder"}
        ``"resample"``: residual bootstrap with the small-K correction (replicate deviations
        pooled per block; fitted-surface residuals without replicates), percentile
        intervals, Wald p-values; ``"synergyfinder"``: SynergyFinder 3's parametric
        bootstrap and p-value formula (:mod:`synergy.stats.bootstrap`).
    well_intervals : bool
        With ``n_boot``: also per-well intervals of δ, ``<model>_low``/``<model>_high``.
    model_options : mapping, optional
        Keyword options of the fitted models' functions, by model: e.g.
        ``{"musyc": {"calibrate": 199}}`` (:func:`synergy.models.musyc.fit_musyc`: draws
        of the bootstrap calibrating log alpha's intervals and p-values; 0 for the faster,
        anti-conservative F test), ``{"zimmer": {"intervals": "wald"}}``.  Recorded in
        the ``scoring`` attribute.
    response_range : (low, high), % inhibition
        Blocks with a response outside it, or with controls far from 0 % inhibition, get a
        warning status naming the values (a wrong scale or response kind); they are still
        scored.  Default −150 … 250 (real plates reach −87 %, i.e. 187 % viability).
    impute : {None, "hill_bliss"}
        Missing wells (docs/design.md §18; :func:`synergy.cleaning.clean_wells`): None
        (default) scores the measured wells only, flagging missing ones in the models'
        statuses; ``"hill_bliss"`` fills every dose combination without a measured well
        (single drugs from their Hill fit, combinations from the Bliss reference plus the
        neighbours' Bliss excess) before scoring.  Adds ``imputed`` (block, row, col,
        replicate mask), ``n_imputed`` and ``impute_status`` (a warning in ``status``);
        imputed values are not resampled by the bootstrap.
    outliers : {None, "flag", "exclude"}
        Outlier wells (a value far from its neighbouring cells, in robust SDs of the
        block's residuals): ``"flag"`` marks them (``outlier`` mask, ``n_outliers``,
        ``outlier_status``), ``"exclude"`` also leaves them out of the scores (with
        ``impute``, emptied cells are imputed).  With either option ``response`` holds
        what was scored and ``response_observed`` the responses as given.
    outlier_threshold : float
        k of the outlier detector (default calibrated to ≤ 1 % false flags on clean
        simulated screens; ``benchmarks/bench_outliers.py``).
    options : synergy.options.ScoringOptions, optional
        All of the settings above as one validated object, instead of the keywords (not
        with them).  Every result records its options: ``ScoringOptions.from_dataset``.

    Returns
    -------
    xarray.Dataset
        A new Dataset: the screen (with the fits used) plus, for each model ``m``,
        ``m`` (block, row, col: δ), ``m_reference``, ``m_score``, ``m_n_wells``, ``m_msa``
        (+ window indices), ``m_max``/``m_min`` (+ doses), ``m_status``; ``zip_fit``,
        ``loewe_fallback``/``loewe_n_fallback``; and ``status`` (block: 0 ok, 1 warning,
        2 failed) with ``status_reason`` (block, str).  With ``n_boot``: ``m_score_low``,
        ``m_score_high``, ``m_score_se``, ``m_pvalue`` (+ ``m_pvalue_note``: why NaN),
        ``m_n_boot`` (block), ``bootstrap_noise`` (block), and on request
        ``m_low``/``m_high`` (block, row, col).

    Raises
    ------
    SynergyError
        On an unknown model, convention, solver or fitter, or an option not implemented.
    """
    given = {k: v for k, v in locals().items() if k not in ("screen", "options")}
    if options is not None:
        mixed = [k for k, v in given.items() if not _is_default(k, v)]
        if mixed:
            raise SynergyError(f"give options= or keywords, not both (got options= and {mixed})")
        return score(screen, **options.as_kwargs())
    plan = group_plan(screen)
    if len(plan) == 1:
        return _score_grid(screen, **given)
    # a ragged screen: each shape group scored at its own grid (docs/design.md §16)
    check_options(models, convention, loewe_solver, fitter, correct_baseline, n_boot, ci)
    parts = [_score_grid(group, **given) for group in shape_groups(screen, plan)]
    return join_groups(parts, plan, {d: screen.sizes[d] for d in padded_dims(screen)})


def _score_grid(
    screen: xr.Dataset,
    *,
    models: Sequence[str],
    convention: str,
    loewe_solver: str | None,
    fitter: str | None,
    refit: bool | None,
    correct_baseline: str,
    n_boot: int,
    ci: float,
    seed: int | None,
    check_fits: bool,
    sensitivity: bool,
    bootstrap: str,
    well_intervals: bool,
    model_options: Mapping[str, Mapping[str, Any]] | None,
    response_range: tuple[float, float],
    impute: str | None,
    outliers: str | None,
    outlier_threshold: float,
) -> xr.Dataset:
    """:func:`score` on blocks that share one grid (every block of the screen, or a group)."""
    given = {k: v for k, v in locals().items() if k != "screen"}
    record = dict(given)
    models, fitter, loewe_solver = check_options(
        models, convention, loewe_solver, fitter, correct_baseline, n_boot, ci
    )
    check_bootstrap(n_boot, bootstrap, screen)
    screen = clean_wells(screen, impute, outliers, outlier_threshold)  # §18; None: unchanged
    per_model = check_model_options(model_options, models)
    for model in models:  # the models' own random draws (MuSyC's calibration): score's seed
        opts = per_model.get(model, {})
        takes_seed = "seed" in registry.get(model).options
        if takes_seed and opts.get("calibrate", None) != 0 and seed is not None:
            per_model[model] = {"seed": seed, **opts}
    resampled = tuple(m for m in models if registry.get(m).bootstrap)  # δ-score models
    if n_boot and not resampled:
        raise SynergyError(
            f"n_boot bootstraps the scores of "
            f"{[m for m in known_models() if registry.get(m).bootstrap]}, none of which is among "
            f"models={list(models)}; MuSyC, Zimmer and BRAID report their own intervals (ci=)"
        )
    hopeless = unscorable(screen["response"].values)
    out = screen.copy()
    if hopeless.any():  # numerical trouble stays in its block: fitted as empty, then failed
        out["response"] = screen["response"].where(~xr.DataArray(hopeless, dims="block"))
    if correct_baseline != "non":
        if refit is False:
            raise SynergyError(
                "correct_baseline needs single-drug fits of the corrected data: use refit=None"
            )
        out = apply_baseline(out, correct_baseline, fitter)
        refit = True
    if any(registry.get(m).needs_fits for m in models):
        out = _with_fits(out, fitter, refit)
    if check_fits:
        require_pair(
            screen,
            "check_fits",
            "score it with check_fits=False (the check compares the fits of drug pairs only)",
        )
    parts = score_models(out, models, convention, loewe_solver, fitter, ci, per_model)
    out = out.assign({name: var for part in parts for name, var in part.data_vars.items()})
    checked = models
    if check_fits and any(registry.get(m).check_fits for m in models):
        from synergy.models.fit_check import check_fits as run_check

        def rescore(screen: xr.Dataset, fitted: tuple[str, ...], other: str) -> xr.Dataset:
            found = score_models(screen, fitted, convention, loewe_solver, other, ci, per_model)
            return xr.merge(found, compat="override")

        out = out.assign(run_check(out, models, rescore, fitter=fitter).data_vars)
        checked = (*models, "fit_check")
    if sensitivity:
        from synergy.sensitivity import block_sensitivity

        out = out.assign(block_sensitivity(out, fitter=fitter).data_vars)
    prefixes = tuple(registry.get(m).prefix if m in known_models() else m for m in checked)
    status, reason = combine_status(out, prefixes)
    status, reason = _flag_response_scale(status, reason, screen, response_range)
    out["status"], out["status_reason"] = status, reason
    settings = {
        "models": list(models),
        "convention": convention,
        "loewe_solver": loewe_solver,
        "fitter": fitter,
        "correct_baseline": correct_baseline,
        "n_boot": n_boot,
        "check_fits": bool(check_fits),
        "sensitivity": bool(sensitivity),
        "model_options": per_model,
    }
    if n_boot:
        boot = {"ci": ci, "seed": seed, "bootstrap": bootstrap, "well_intervals": well_intervals}
        out = _add_bootstrap(out, resampled, settings, boot)
    # ScoringOptions.from_dataset: the options as they acted (MuSyC's seed filled in; no
    # seed where nothing draws)
    if not n_boot and not any("seed" in registry.get(m).options for m in models):
        record["seed"] = None
    settings["options"] = {**record, "models": list(models), "model_options": per_model}
    out.attrs = {**screen.attrs, "scoring": json.dumps(settings, sort_keys=True)}
    if hopeless.any():
        out["response"] = screen["response"]
    return out


def _is_default(name: str, value: Any) -> bool:
    default = DEFAULT_MODELS if name == "models" else (score.__kwdefaults__ or {})[name]
    return value is default or (type(value) is type(default) and value == default)
