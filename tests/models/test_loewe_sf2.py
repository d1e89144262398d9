"""SynergyFinder 2's Loewe (``solver="sf2"``) against its definition worked by hand.

SynergyFinder 2.0 (``Loewe`` in ``R/calculate_synergy_score.R``) solves
``x_col / X_col(y) + x_row / X_row(y) = 1`` with ``nleqslv`` Newton from
``max(c_col, c_row) + 1`` (drc's LL.4 ``c``: the lower asymptote) and takes
``max_i f_i(x_row + x_col)`` (capped at 100) when nleqslv fails — in particular when the
equation is NaN at the start, which happens when the start lies outside either curve's
range.  The expected values below are computed from that rule with numpy and scipy only.
"""

from __future__ import annotations

import numpy as np
from model_cases import hill_curve, synthetic_screen
from scipy.optimize import brentq

from synergy.models import score_loewe

CONC_ROW = np.array([[0.0, 0.5, 1.0, 2.0, 4.0]])
CONC_COL = np.array([[0.0, 0.25, 0.5, 1.0, 2.0]])
# (ic50, hill_slope, bottom, top) in % inhibition; slopes not integers (R's ^ is then NaN
# for a negative base, as in SynergyFinder 2's equation)
FLAT_ROW = np.array([[2.0, 1.3, 30.0, 30.4]])  # range 0.4 points: start 31 is outside it
COL = np.array([[1.0, 1.7, 0.0, 90.0]])


def _dose_for_effect(y, ic50, slope, bottom, top):
    """X(y) of a rising curve, NaN outside (bottom, top) as R's ^ gives it."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return ic50 * ((y - bottom) / (top - y)) ** (1.0 / slope)


def _by_hand(par_row, par_col, x_row, x_col):
    """SynergyFinder 2's reference at one well, rising curves (drc's c = bottom)."""
    start = max(par_row[2], par_col[2]) + 1.0

    def g(y):
        return (x_col / _dose_for_effect(y, *par_col) + x_row / _dose_for_effect(y, *par_row)
                - 1.0)  # fmt: skip

    if np.isfinite(g(start)):
        lo = max(par_row[2], par_col[2]) + 1e-9
        hi = min(par_row[3], par_col[3]) - 1e-9
        return min(brentq(g, lo, hi, xtol=1e-12), 100.0), False
    fallback = max(hill_curve(x_row + x_col, *par_row), hill_curve(x_row + x_col, *par_col))
    return min(float(fallback), 100.0), True


def _score(par_row, par_col, solver="sf2"):
    screen = synthetic_screen(CONC_ROW, CONC_COL, par_row, par_col, "bliss")
    return screen, score_loewe(screen, solver=solver)


def test_flat_row_drug_falls_back_at_every_well():
    screen, scored = _score(FLAT_ROW, COL)
    observed = screen["response"].values[0, :, :, 0]
    expected = np.zeros((5, 5))
    deltas = []
    for i in range(1, 5):
        for j in range(1, 5):
            ref, fell_back = _by_hand(FLAT_ROW[0], COL[0], CONC_ROW[0, i], CONC_COL[0, j])
            assert fell_back
            expected[i, j] = ref
            deltas.append(observed[i, j] - ref)
    np.testing.assert_allclose(scored["loewe_reference"].values[0, 1:, 1:], expected[1:, 1:],
                               rtol=0, atol=1e-10)  # fmt: skip
    assert scored["loewe_n_fallback"].item() == 16
    assert abs(scored["loewe_score"].item() - np.mean(deltas)) < 1e-10
    # the root of Loewe's equation exists inside the flat drug's 0.4-point range: the
    # exact solver finds it, and the two definitions differ by more than 10 points
    _, exact = _score(FLAT_ROW, COL, solver="exact")
    assert abs(exact["loewe_score"].item() - scored["loewe_score"].item()) > 10


def test_newton_root_where_the_start_is_inside_both_ranges():
    row = np.array([[2.0, 1.3, 2.0, 70.0]])
    _, scored = _score(row, COL)
    for i in range(1, 5):
        for j in range(1, 5):
            ref, fell_back = _by_hand(row[0], COL[0], CONC_ROW[0, i], CONC_COL[0, j])
            assert not fell_back
            ours = scored["loewe_reference"].values[0, i, j]
            assert abs(ours - ref) < 1e-6, (i, j, ours, ref)
    assert scored["loewe_n_fallback"].item() == 0
