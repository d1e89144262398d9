"""Per-curve sensitivity measures against numeric references (quad, brentq)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.optimize import brentq

import synergy.hill as hill
from synergy import sensitivity as sens

# (ic50, slope, bottom, top) with the tested range 0.01–100
CASES = np.array(
    [
        [1.0, 1.0, 0.0, 100.0],
        [0.05, 2.5, 5.0, 80.0],
        [30.0, 0.7, -5.0, 120.0],
        [3.0, 1.2, 10.0, 40.0],  # never reaches 50 %
        [1e4, 1.0, 0.0, 90.0],  # IC50 above the top dose
        [0.5, 1.5, 95.0, 10.0],  # falling curve
    ]
)
LO, HI = 0.01, 100.0


def fits():
    return hill.HillFit.from_params(
        *CASES.T, conc=np.broadcast_to([0.0, LO, 1.0, HI], (len(CASES), 4)),
        response=np.zeros((len(CASES), 4)),
    )  # fmt: skip


def curve(u, p):
    """E at log10 dose u."""
    return hill.evaluate(10.0**u, *p)


def test_ic50_flavours():
    f = fits()
    np.testing.assert_array_equal(sens.relative_ic50(f), CASES[:, 0])
    np.testing.assert_array_equal(sens.synergyfinder_ic50(f), np.minimum(CASES[:, 0], HI))
    dose, flag = sens.absolute_ic50(f)
    for p, d, fl in zip(CASES, dose, flag, strict=True):
        lo, hi = sorted((p[2], p[3]))
        if not lo < 50.0 < hi:
            assert np.isnan(d) and fl == sens.NEVER_REACHED
            continue
        ref = 10 ** brentq(lambda u, p=p: curve(u, p) - 50.0, -12, 12, xtol=1e-14)
        assert d == pytest.approx(ref, rel=1e-9)
        assert fl == (sens.REACHED if LO <= ref <= HI else sens.REACHED_OUTSIDE_TESTED)


def test_emax_and_effect_at_max_dose():
    f = fits()
    np.testing.assert_array_equal(sens.emax(f), CASES[:, 3])
    np.testing.assert_allclose(sens.effect_at_max_dose(f), [curve(np.log10(HI), p) for p in CASES])


def test_auc_against_quad():
    f = fits()
    area = sens.auc(f)
    mean = sens.auc(f, normalize=True)
    for p, a, m in zip(CASES, area, mean, strict=True):
        ref = quad(lambda u, p=p: curve(u, p), np.log10(LO), np.log10(HI), epsabs=1e-11)[0]
        assert a == pytest.approx(ref, rel=1e-9)
        assert m == pytest.approx(ref / 4.0, rel=1e-9)


def dss_reference(p, kind, t=10.0):
    """DSS from its definition (Yadav 2014), integral by quad and x1 by brentq."""
    ic50, b, _, top = p
    a, d = min(top, 100.0), 0.0
    x_min, x2 = np.log10(LO), np.log10(HI)
    if ic50 >= HI or a <= t:
        return 0.0

    def y(x):
        return d + (a - d) / (1 + 10 ** (b * (np.log10(ic50) - x)))

    x1 = brentq(lambda x: y(x) - t, -30, 30, xtol=1e-14)
    x1 = min(max(x1, x_min), x2)
    area = quad(lambda x: y(x) - t, x1, x2, epsabs=1e-12)[0]
    dss1 = 100 * area / ((x2 - x_min) * (100 - t))
    score = {1: dss1, 2: dss1 / np.log10(a), 3: dss1 * 2 / np.log10(a) * (x2 - x1) / (x2 - x_min)}[
        kind
    ]
    if kind == 2 and score > 50:
        score = 0.0
    return 0.0 if not 0 <= score <= 100 else score


@pytest.mark.parametrize("kind", [1, 2, 3])
def test_dss_against_quad(kind):
    f = fits()
    got = sens.dss(f, kind)
    for p, g in zip(CASES, got, strict=True):
        assert g == pytest.approx(dss_reference(p, kind), rel=1e-8, abs=1e-10)
    assert got[0] > 0 and got[4] == 0.0  # an IC50 above the top dose scores 0


def test_dss_typical_value():
    """A potent full-efficacy drug scores high, a weak one low (DSS2 scale)."""
    f = hill.HillFit.from_params([0.03, 50.0], 1.5, 0.0, [100.0, 60.0])
    scores = sens.dss(f, 2, conc_min=LO, conc_max=HI)
    assert scores[0] > 20 and scores[1] < 5
    missing = hill.HillFit.from_params(np.nan, 1.0, 0.0, 100.0)
    assert np.isnan(sens.dss(missing, conc_min=LO, conc_max=HI))
