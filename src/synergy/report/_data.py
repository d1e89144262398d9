"""The data the interactive report draws from: one overview table, one payload per block.

Pair screens (block, row, col) and N-drug screens (block, well, drug) go through one path:
a block is a list of single-drug curves and a list of dose *panels* (a 2-D grid of two
drugs' doses holding the observed inhibition and each model's reference and δ).  A pair
block has one panel; an N-drug block has one panel per dose of its third drug (drugs
beyond the third at dose 0), the slices of :func:`synergy.plot.slice_landscapes`.

Grids travel as base64 little-endian int16 in tenths of a % point (NaN = -32768): 0.1 %
resolution is finer than any plate reader's noise and keeps a 10,000-block report small.
Nothing here computes science: curves are :func:`synergy.hill.evaluate` of the stored fits,
texts come from :mod:`synergy.status` and :mod:`synergy.plot` (doses, IC50s, intervals).
"""

from __future__ import annotations

import base64

import numpy as np
import xarray as xr

from synergy import status as status_codes
from synergy.io.layout import (
    drug_names,
    fit_variables,
    flat_doses,
    n_drugs,
    per_drug_names,
    per_drug_values,
)
from synergy.models.registry import LABELS

NAN_CODE = -32768
SCALE = 10.0  # stored value = round(10 × % points)
CURVE_POINTS = 20
BAND_RATIO = 1.1  # step of the band half-width codes above 100 % points (pack_width)


def tenths(values: np.ndarray) -> np.ndarray:
    """Floats (% points) as little-endian int16 tenths, NaN as :data:`NAN_CODE` (any shape:
    code a whole screen at once, then :func:`b64` each block's part)."""
    x = np.asarray(values, dtype=np.float64)
    scaled = np.clip(np.round(x * SCALE), -32767, 32767)
    return np.where(np.isfinite(x), scaled, NAN_CODE).astype("<i2")


def b64(codes: np.ndarray) -> str:
    """Coded values (row-major bytes) as base64 text."""
    return base64.b64encode(np.ascontiguousarray(codes).tobytes()).decode("ascii")


def pack(grid: np.ndarray) -> str:
    """A float grid (% points) as base64 int16 tenths, row-major; NaN as :data:`NAN_CODE`."""
    return b64(tenths(grid))


def width_codes(half: np.ndarray) -> np.ndarray:
    """Half-widths of confidence bands (% points, any shape) as uint8 codes.

    ``k`` = 0–200: ``k / 2`` % points (0.5-point steps); 201–253: ``100 · 1.1^(k − 200)``
    (5 % relative steps up to 16,000 points: wider bands only need to reach the frame);
    254: wider still; 255: no band (NaN).  One byte per dose keeps every block's bands
    within 0.1 MB per 1,000 blocks (docs/design.md §17).
    """
    h = np.asarray(half, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        tail = 200.0 + np.round(np.log(np.maximum(h, 100.0) / 100.0) / np.log(BAND_RATIO))
        codes = np.where(h <= 100.0, np.round(np.maximum(h, 0.0) * 2.0), np.minimum(tail, 254))
    return np.where(np.isfinite(h), codes, np.where(np.isnan(h), 255, 254)).astype(np.uint8)


def pack_width(half: np.ndarray) -> str:
    """:func:`width_codes` as base64 text."""
    return b64(width_codes(half))


def unpack_width(text: str) -> np.ndarray:
    """Inverse of :func:`pack_width` (254 → inf, 255 → NaN)."""
    k = np.frombuffer(base64.b64decode(text), dtype=np.uint8).astype(np.float64)
    wide = 100.0 * BAND_RATIO ** (k - 200.0)
    out = np.where(k <= 200, k / 2.0, wide)
    return np.where(k == 255, np.nan, np.where(k == 254, np.inf, out))


def unpack(text: str, shape: tuple[int, ...]) -> np.ndarray:
    """Inverse of :func:`pack` (for tests and readers of the data files)."""
    coded = np.frombuffer(base64.b64decode(text), dtype="<i2").astype(np.float64)
    return np.where(coded == NAN_CODE, np.nan, coded / SCALE).reshape(shape)


def _r(value: float, digits: int = 3) -> float | None:
    """A JSON number to ``digits`` significant digits (None for NaN)."""
    x = float(value)
    if not np.isfinite(x):
        return None
    return float(f"{x:.{digits}g}")


def explain_all(screen: xr.Dataset, name: str) -> np.ndarray:
    """(flag word, plain explanation) of every element of the status variable ``name``,
    as an object array of its shape; ("", "") per block when the variable is absent."""
    if name not in screen:
        out = np.empty(screen.sizes["block"], dtype=object)
        out[:] = [("", "")] * out.size
        return out
    codes = np.asarray(screen[name].values, int)
    words = status_codes.decode(screen[name].attrs)
    out = np.empty(codes.shape, dtype=object)
    for code in np.unique(codes):
        word = words.get(int(code), f"code_{int(code)}")
        pair = (word, status_codes.explain(word))
        for index in zip(*np.nonzero(codes == code), strict=True):
            out[index] = pair
    return out


def status_words(screen: xr.Dataset) -> dict[str, str]:
    """``{flag word: plain explanation}`` of every status variable of the screen (the page
    sends each block's words and looks their sentences up here)."""
    out = {}
    for name, var in screen.data_vars.items():
        if name.endswith("_status") or name == "status":
            for word in status_codes.decode(var.attrs).values():
                out[word] = status_codes.explain(word)
    return out


def block_statuses() -> dict[int, list[str]]:
    """``{code: [word, explanation]}`` of the block ``status`` (:mod:`synergy.status`)."""
    codes = [*status_codes.CODES["block"].values(), status_codes.NOT_SCORED]
    return {c.value: [c.word, c.explanation] for c in codes}


def score_severities(screen: xr.Dataset, models: list[str]) -> dict[str, int]:
    """``{flag word: 0 note, 1 warning, 2 failed}`` of the models' status words (the rule
    of :func:`synergy.models.common.severity`, which sets the block ``status``)."""
    from synergy.models.common import severity

    out = {}
    for m in models:
        if f"{m}_status" in screen:
            for code, word in status_codes.decode(screen[f"{m}_status"].attrs).items():
                out[word] = int(severity(np.array([code]))[0])
    return out


def _texts(screen: xr.Dataset, name: str) -> np.ndarray:
    n = screen.sizes["block"]
    return np.asarray(screen[name].values).astype(str) if name in screen else np.full(n, "")


def block_drugs(screen: xr.Dataset) -> list[list[str]]:
    """Each block's drug names, in order (a pair's row drug first); a missing name reads
    as the drug's place ("row drug", "column drug"; "drug k" of N drugs)."""
    fallback = per_drug_names(screen, ("row drug", "column drug"), "drug {}")
    return [
        [name or fallback[k] for k, name in enumerate(row)] for row in drug_names(screen).tolist()
    ]


def per_drug(screen: xr.Dataset, suffix: str, fill: tuple[int, ...] = ()) -> np.ndarray:
    """The single-drug fit variable ``hill…<suffix>`` per block and drug, (B, N, *fill)
    (:func:`synergy.io.layout.per_drug_values`); NaN where the screen does not hold it."""
    if all(name in screen for name in fit_variables(screen, "hill", suffix)):
        return per_drug_values(screen, "hill", suffix)
    return np.full((screen.sizes["block"], n_drugs(screen), *fill), np.nan)


def status_names(screen: xr.Dataset) -> list[str]:
    """The status variable of each drug's fit, one name per drug (N drugs share one)."""
    names = fit_variables(screen, "hill", "_status")
    return [name for name in names for _ in range(n_drugs(screen) // len(names))]


def hill_arrays(screen: xr.Dataset) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Fits (B, D, 4), IC50 intervals (B, D, 2) and the status variable names per drug."""
    params = per_drug(screen, "", (4,)).astype(float)
    ci = per_drug(screen, "_ic50_ci", (2,)).astype(float)
    return params, ci, status_names(screen)


def single_drug_doses(screen: xr.Dataset) -> np.ndarray:
    """Each drug's tested doses (B, D, M), NaN-padded, ascending, 0 included: the distinct
    doses of the drug over the block's wells (a pair's grid doses)."""
    conc = np.moveaxis(flat_doses(screen), 2, 1)  # (B, D, W)
    out = np.sort(conc, axis=2)  # ascending, NaN last
    repeat = np.zeros(out.shape, dtype=bool)
    repeat[:, :, 1:] = out[:, :, 1:] == out[:, :, :-1]
    out = np.sort(np.where(repeat, np.nan, out), axis=2)  # each dose once, NaN last
    width = int(np.max(np.sum(np.isfinite(out), axis=2), initial=1))
    return out[:, :, :width]


def tested_range(doses: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lowest positive and highest tested dose (…, M) → (…), NaN where none."""
    positive = np.isfinite(doses) & (doses > 0)
    has = positive.any(axis=-1)
    low = np.min(np.where(positive, doses, np.inf), axis=-1, initial=np.inf)
    high = np.max(np.where(positive, doses, -np.inf), axis=-1, initial=-np.inf)
    return np.where(has, low, np.nan), np.where(has, high, np.nan)


def fit_words(screen: xr.Dataset, names: list[str]) -> list[list[tuple[str, str]]]:
    """(word, explanation) of each block's single-drug fits, ``names`` = the status
    variable of each drug (:func:`status_names`)."""
    codes = per_drug(screen, "_status")
    words = np.empty(codes.shape, dtype=object)
    for k, name in enumerate(names):
        if name not in screen:
            for i in range(len(codes)):
                words[i, k] = ("", "")
            continue
        meanings = status_codes.decode(screen[name].attrs)
        for code in np.unique(codes[:, k]):
            word = meanings.get(int(code), f"code_{int(code)}")
            for i in np.flatnonzero(codes[:, k] == code):
                words[i, k] = (word, status_codes.explain(word))
    return [list(row) for row in words]


def score_models(screen: xr.Dataset, models: list[str]) -> dict[str, dict[str, np.ndarray]]:
    """Per model: score, CI ends, MSA, max δ (NaN where absent), (B,) each."""
    n = screen.sizes["block"]
    nan = np.full(n, np.nan)
    out = {}
    for m in models:
        get = {
            key: np.asarray(screen[f"{m}_{suffix}"].values, float)
            if f"{m}_{suffix}" in screen
            else nan
            for key, suffix in (
                ("score", "score"),
                ("low", "score_low"),
                ("high", "score_high"),
                ("msa", "msa"),
                ("max", "max"),
            )
        }
        out[m] = get
    return out


def msa_positions(screen: xr.Dataset, model: str) -> np.ndarray:
    """(B, 2) row and column index of the MSA box's first well (-1: none)."""
    names = (f"{model}_msa_row", f"{model}_msa_col")
    if not all(name in screen for name in names):
        return np.full((screen.sizes["block"], 2), -1)
    return np.stack([np.asarray(screen[name].values) for name in names], axis=1).astype(int)


def labels(models: list[str]) -> dict[str, str]:
    """How the page names each model."""
    return {m: LABELS.get(m, m) for m in models}
