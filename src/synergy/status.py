"""Every status code of synergy, its flag word and a one-line explanation (docs/design.md §4).

Status variables are small integers with CF ``flag_values``/``flag_meanings`` attributes;
the words are what tables and filters use, the explanations are what a person reads (the
report, ``status_reason``, the CLI summary, figure titles, ``compare``).  Each family is the
code space of one kind of variable:

- ``block`` — ``status``: 0 ok, 1 warning, 2 failed;
- ``score`` — ``<model>_status`` of Bliss, HSA, Loewe, ZIP and ``fit_check_status`` (one code
  space: 0 ok, 1-9 score computed with a note or warning, >= 10 failed, score NaN);
- ``musyc``, ``interaction`` (Zimmer, BRAID), ``ci`` — the fitted models' ``<model>_status``
  (same severity rule);
- ``hill`` — ``hill_row_status``/``hill_col_status``/``hill_status`` (higher = worse);
- ``drc`` — ``hill_*_drc_status`` (drc's procedure); ``hill_model`` — ``hill_*_model``;
- ``bootstrap_noise`` — where the bootstrap's noise came from;
- ``impute``, ``outliers`` — ``impute_status``/``outlier_status`` (block) of
  ``score(impute=, outliers=)`` (:mod:`synergy.cleaning`);
- ``not_scored`` (-1) — a block the batch path could not score (declared in every status
  variable of such a run).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from synergy._kernels import drc as _drc
from synergy._kernels import hill_lsq as _lsq

__all__ = [
    "CODES",
    "NOT_SCORED",
    "Code",
    "decode",
    "explain",
    "flag_attrs",
    "meanings",
]


@dataclass(frozen=True)
class Code:
    """One status code: its value, flag word and plain explanation."""

    value: int
    word: str
    explanation: str


def _family(*codes: tuple[int, str, str]) -> dict[int, Code]:
    return {v: Code(v, w, e) for v, w, e in codes}


_FIT_FAILED = "the single drugs' dose-response fit failed, so this score could not be computed"
_NO_MONO = "a drug has no measured wells alone in this block: no reference to compare with"

# codes the fitted surfaces (MuSyC, Zimmer, BRAID) share
_SURFACE: dict[int, tuple[int, str, str]] = {
    5: (
        5,
        "fitted_without_monotherapy",
        "fitted without single-drug wells: the single-drug curves come from the surface alone",
    ),
    7: (7, "hit_bound", "a fitted parameter ended on its limit; read it as a bound"),
    8: (8, "not_converged", "the fit did not converge; the last values are reported"),
    10: (10, "no_monotherapy", _NO_MONO),
    11: (
        11,
        "not_identifiable",
        "the data cannot pin the surface down (a parameter on its limit, or uncertainties "
        "beyond use); no estimate is reported",
    ),
    12: (12, "too_few_points", "too few measured wells to fit the surface"),
    15: (15, "non_finite_data", "a response or dose is infinite or negative"),
}

CODES: dict[str, dict[int, Code]] = {
    "block": _family(
        (0, "ok", "every score of the block was computed without a warning"),
        (1, "warning", "the scores exist, but read the reason before trusting them"),
        (2, "failed", "at least one requested score could not be computed"),
    ),
    "score": _family(
        (0, "ok", "computed without a warning"),
        (1, "no_msa_window", "no 3 x 3 block of wells for the most synergistic area (a note)"),
        (2, "missing_combination_wells", "some combination wells were not measured"),
        (3, "missing_monotherapy_wells", "some single-drug wells were not measured"),
        (
            4,
            "loewe_fallback_wells",
            "some wells had an effect neither drug reaches alone; SynergyFinder's fallback "
            "(the stronger drug at the summed dose) was used",
        ),
        (5, "loewe_no_exact_root", "Loewe's equation has no exact solution at some wells"),
        (6, "zip_slice_fit_failed", "ZIP could not fit some rows or columns of the matrix"),
        (
            7,
            "other_fitter_better_fit",
            "the other curve fitter fits a single drug clearly better; compare the scores "
            "with the other fitter's (loewe_score_other, zip_score_other)",
        ),
        (10, "no_monotherapy", _NO_MONO),
        (11, "single_drug_fit_failed", _FIT_FAILED),
        (12, "no_combination_wells", "the block has no measured combination wells"),
        (13, "no_scored_wells", "no combination well could be scored"),
    ),
    "musyc": _family(
        (0, "ok", "the MuSyC surface fitted without a warning"),
        _SURFACE[5],
        (
            6,
            "alpha_on_bound",
            "a potency interaction (alpha) ended on its limit: the data cannot pin it down",
        ),
        _SURFACE[7],
        _SURFACE[8],
        (9, "synergy_ci_undefined", "the interval of a synergy parameter could not be computed"),
        *(_SURFACE[c] for c in (10, 11, 12, 15)),
    ),
    "interaction": _family(
        (0, "ok", "the surface fitted without a warning"),
        *(_SURFACE[c] for c in (5, 7, 8)),
        (9, "synergy_ci_undefined", "the interval of the interaction parameter is undefined"),
        *(_SURFACE[c] for c in (10, 11, 12, 15)),
    ),
    "ci": _family(
        (0, "ok", "computed without a warning"),
        (
            1,
            "no_constant_ratio_series",
            "no series of wells at a constant dose ratio, so the combination's median-effect "
            "line is less reliable",
        ),
        (8, "poor_median_effect_fit", "the median-effect line fits the data poorly"),
        (
            10,
            "too_few_single_drug_points",
            "a drug has fewer than two wells alone with an effect between 0 and 100 %",
        ),
        (11, "median_effect_fit_failed", "a drug's median-effect line has no positive slope"),
        (12, "no_combination_wells", "the block has no measured combination wells"),
    ),
    "hill": _family(
        (_lsq.CONVERGED, "converged", "the dose-response curve fitted well"),
        (1, "ic50_extrapolated", "the IC50 lies outside the tested doses (extrapolated)"),
        (_lsq.HIT_BOUND, "hit_bound", "a fitted parameter ended on its limit; read it as a bound"),
        (3, "flat", "the drug shows no significant dose effect; IC50 and slope mean nothing"),
        (_lsq.NOT_CONVERGED, "not_converged", "the curve fit did not converge"),
        (_lsq.TOO_FEW_POINTS, "too_few_points", "too few doses measured to fit a curve"),
        (
            _lsq.NON_FINITE_DATA,
            "non_finite_data",
            "a response or dose is infinite or negative, so no curve was fitted",
        ),
    ),
    "drc": _family(
        (_drc.OK, "ok", "drc's four-parameter log-logistic curve (LL.4) fitted"),
        (
            _drc.L4_FALLBACK,
            "l4_fallback",
            "LL.4 failed; drc's fallback on log dose (L.4) was fitted, as SynergyFinder does",
        ),
        (_drc.FAILED, "failed", "both LL.4 and L.4 failed (SynergyFinder would stop here)"),
        (_drc.TOO_FEW_POINTS, "too_few_points", "fewer than two points to fit"),
        (_drc.NON_FINITE_DATA, "non_finite_data", "a response or dose is infinite or negative"),
    ),
    "hill_model": _family(
        (0, "ll4", "four-parameter log-logistic curve"),
        (1, "l4_fallback", "drc's fallback curve on log dose (L.4)"),
    ),
    "bootstrap_noise": _family(
        (0, "replicate_residuals", "noise from the spread of the replicates"),
        (1, "fitted_surface_residuals", "no replicates: noise from a smooth surface's residuals"),
        (2, "no_noise_estimate", "no replicates and too few wells: no interval"),
    ),
    # synergy.cleaning (docs/design.md §18): block statuses of impute= and outliers=
    "impute": _family(
        (0, "ok", "no cell of the dose grid was missing"),
        (
            1,
            "wells_imputed",
            "some dose combinations had no measured well and were filled in (impute=); the "
            "scores rest partly on these made-up values (the imputed mask shows which)",
        ),
        (
            2,
            "imputation_incomplete",
            "some missing wells could not be filled in (a single drug had too few wells for "
            "a curve) and stay missing",
        ),
    ),
    "outliers": _family(
        (0, "ok", "no well stood out from its neighbours"),
        (
            1,
            "outlier_wells_flagged",
            "some wells read far from their neighbours (a failed dispense or bubble?); they "
            "were kept in the scores (the outlier mask shows which)",
        ),
        (
            2,
            "outlier_wells_excluded",
            "some wells read far from their neighbours and were left out of the scores "
            "(the outlier mask shows which)",
        ),
    ),
}

NOT_SCORED = Code(-1, "not_scored", "the block raised an error while scoring (see the reason)")

# a word's explanation regardless of family (families agree where a word is shared)
_BY_WORD: dict[str, str] = {}
for _codes in CODES.values():
    for _c in _codes.values():
        _BY_WORD.setdefault(_c.word, _c.explanation)
_BY_WORD[NOT_SCORED.word] = NOT_SCORED.explanation


def meanings(family: str) -> dict[int, str]:
    """``{code: word}`` of a family (e.g. ``"score"``)."""
    return {v: c.word for v, c in CODES[family].items()}


def flag_attrs(family: str, codes: tuple[int, ...] | None = None) -> dict[str, Any]:
    """CF ``flag_values``/``flag_meanings`` of a family, restricted to ``codes`` if given."""
    chosen = sorted(CODES[family]) if codes is None else list(codes)
    return {
        "flag_values": np.asarray(chosen, dtype=np.int8),
        "flag_meanings": " ".join(CODES[family][c].word for c in chosen),
    }


def decode(attrs: Mapping[str, Any]) -> dict[int, str]:
    """``{code: word}`` from a status variable's attributes (``var.attrs``)."""
    values = np.atleast_1d(attrs.get("flag_values", []))
    words = str(attrs.get("flag_meanings", "")).split()
    return {int(v): w for v, w in zip(values, words, strict=False)}


def explain(word: str) -> str:
    """The one-line explanation of a flag word (the word itself if it is not known)."""
    return _BY_WORD.get(word, word.replace("_", " "))
