"""Hill curve evaluation, inversion and drc conversions (analytic cases)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synergy.hill as hill


def test_evaluate_analytic_points():
    x = np.array([0.0, 0.5, 1.0, 2.0, np.inf])
    e = hill.evaluate(x, 1.0, 2.0, 10.0, 90.0)
    np.testing.assert_allclose(e, [10.0, 10.0 + 80.0 / 5.0, 50.0, 10.0 + 80.0 * 4.0 / 5.0, 90.0])
    # falling curve, broadcasting over parameters
    e2 = hill.evaluate([[1.0]], [1.0, 3.0], 1.0, 100.0, 0.0)
    np.testing.assert_allclose(e2, [[50.0, 75.0]])


@settings(deadline=None, max_examples=60)
@given(
    ic50=st.floats(1e-6, 1e6),
    slope=st.floats(0.1, 10.0),
    bottom=st.floats(-50.0, 50.0),
    span=st.floats(1.0, 150.0),
    frac=st.floats(0.01, 0.99),
    falling=st.booleans(),
)
def test_inverse_is_the_inverse(ic50, slope, bottom, span, frac, falling):
    top = bottom - span if falling else bottom + span
    effect = bottom + frac * (top - bottom)
    dose = hill.inverse(effect, ic50, slope, bottom, top)
    assert hill.evaluate(dose, ic50, slope, bottom, top) == pytest.approx(effect, abs=1e-7 * span)


def test_inverse_outside_the_range_is_nan():
    out = hill.inverse([-1.0, 0.0, 100.0, 101.0], 1.0, 1.0, 0.0, 100.0)
    assert np.all(np.isnan(out))


def test_drc_conversion_both_signs_and_l4():
    # b < 0: rising from c to d
    ic50, slope, bottom, top = hill.from_drc(-1.5, 2.0, 95.0, 3.0)
    assert (ic50, slope, bottom, top) == (3.0, 1.5, 2.0, 95.0)
    # b > 0: the same curve written the other way round
    ic50, slope, bottom, top = hill.from_drc(1.5, 95.0, 2.0, 3.0)
    assert (ic50, slope, bottom, top) == (3.0, 1.5, 2.0, 95.0)
    x = np.geomspace(0.01, 100, 9)
    drc_curve = 95.0 + (2.0 - 95.0) / (1.0 + np.exp(1.5 * (np.log(x) - np.log(3.0))))
    np.testing.assert_allclose(hill.evaluate(x, ic50, slope, bottom, top), drc_curve, rtol=1e-12)
    # L.4 fallback: e is ln(EC50)
    ic50_l4, *_ = hill.from_drc(-1.0, 0.0, 100.0, np.log(7.0), log_e=True)
    assert ic50_l4 == pytest.approx(7.0)
    # vectorised round trip
    b, c, d, e = hill.to_drc([1.0, 2.0], [0.5, 3.0], [0.0, 10.0], [100.0, 20.0])
    back = hill.from_drc(b, c, d, e)
    np.testing.assert_allclose(np.stack(back), [[1.0, 2.0], [0.5, 3.0], [0.0, 10.0], [100.0, 20.0]])
    assert np.all(b < 0)
