"""The glossary both report pages end with: what each number and word on the page means."""

from __future__ import annotations

from synergy import status as status_codes
from synergy.report._html import esc

TERMS: tuple[tuple[str, str], ...] = (
    (
        "% inhibition",
        "the response of a well relative to its plate's controls: 0 % = untreated, "
        "100 % = no cell left.",
    ),
    (
        "reference (expected)",
        "the inhibition the two drugs would give together if they did not interact, from "
        "each drug's effect alone. Four definitions: HSA (the stronger drug alone), Bliss "
        "(independent action), Loewe (a drug combined with itself) and ZIP (potencies and "
        "shapes of the single-drug curves unchanged).",
    ),
    (
        "δ (delta)",
        "observed minus reference inhibition at a dose combination, in % points "
        "(ZIP: fitted combination surface minus reference). δ > 0: synergy, more effect "
        "than expected; δ < 0: antagonism.",
    ),
    (
        "synergy score",
        "the mean δ over the combination wells of a block (% points), as SynergyFinder "
        "reports it. Scores above about 10 are commonly read as synergy, below −10 as "
        "antagonism; between, as additive.",
    ),
    (
        "CI of a score",
        "the confidence interval in brackets, present when the screen was scored with "
        "bootstrap intervals.",
    ),
    (
        "MSA (most synergistic area)",
        "the mean δ of the 3 × 3 square of adjacent dose combinations with the highest mean, "
        "drawn as a box on the landscapes: where to look for the best dose pair.",
    ),
    (
        "IC50",
        "the dose at which a drug alone gives half its maximal effect (the midpoint of its "
        "fitted Hill curve). Beyond the tested doses it is written '> top dose' or "
        "'< lowest dose', as SynergyFinder caps it.",
    ),
    (
        "95 % CI of the IC50",
        "the range the IC50 lies in with 95 % confidence; 'not identified' when the data "
        "cannot bound it (a flat curve, or an interval over more than four decades).",
    ),
    (
        "fit quality",
        "how the single-drug Hill fit went, in words below; 'good' when it converged "
        "inside the tested doses.",
    ),
    (
        "confidence band",
        "the shaded region around a fitted curve: where the curve lies with 95 % "
        "confidence. It is clipped at the frame of the panel.",
    ),
    (
        "barometer",
        "for one dose combination: the observed inhibition (black) against what each "
        "reference expects (coloured marks); the gap is that model's δ.",
    ),
)

# status words a reader meets on the page, explained from synergy.status
STATUS_WORDS = (
    "ok",
    "warning",
    "failed",
    "flat",
    "hit_bound",
    "not_converged",
    "ic50_extrapolated",
    "too_few_points",
    "no_monotherapy",
    "loewe_fallback_wells",
    "missing_combination_wells",
    "missing_monotherapy_wells",
)


def glossary_html() -> str:
    """The glossary section: terms, then the status words (:func:`synergy.status.explain`)."""
    terms = "".join(f"<dt>{esc(term)}</dt><dd>{esc(text)}</dd>" for term, text in TERMS)
    words = "".join(
        f"<dt>{esc(word.replace('_', ' '))}</dt><dd>{esc(status_codes.explain(word))}</dd>"
        for word in STATUS_WORDS
    )
    return (
        '<section id="glossary" class="glossary"><h2>How to read this report</h2>'
        f"<dl>{terms}</dl><h3>Status words</h3><dl>{words}</dl></section>"
    )
