"""Kernels with a one-thread entry for small batches and a parallel one for large batches
(the parallel variant compiles only when needed): both give the same numbers, bit for bit.

The size thresholds are lowered here so that small batches take the parallel path."""

from __future__ import annotations

import numpy as np
import pytest

from synergy._kernels import drc, hill_lsq, loewe


def _curves(n: int, seed: int = 5):
    rng = np.random.default_rng(seed)
    conc = np.zeros((n, 9))
    conc[:, 1:] = 10 ** rng.uniform(-1, 2, n)[:, None] / 3.0 ** np.arange(8)[::-1]
    ic50 = conc[:, 4] * np.exp(rng.normal(0, 1, n))
    slope = rng.uniform(0.5, 3, n)
    with np.errstate(divide="ignore"):
        y = 100.0 / (1.0 + (ic50[:, None] / conc) ** slope[:, None])
    y += rng.normal(0, 5, y.shape)
    y[3, 1:] = np.nan  # too few points
    return conc, y


def _both(monkeypatch, module, name, call):
    monkeypatch.setattr(module, name, 10**9)
    serial = call()
    monkeypatch.setattr(module, name, 1)
    parallel = call()
    for a, b in zip(serial, parallel, strict=True):
        np.testing.assert_array_equal(a, b)
    return serial


def test_drc_fits(monkeypatch):
    conc, y = _curves(40)
    nan = np.full(40, np.nan)
    fixed = np.where(np.arange(40) % 3 == 0, 0.0, np.nan)
    out = _both(
        monkeypatch,
        drc,
        "PARALLEL_MIN_CURVES",
        lambda: drc.fit_drc_batch(conc, y, fixed, nan, 1e-10, True),
    )
    assert set(out[3]) >= {drc.OK, drc.TOO_FEW_POINTS}


def test_lsq_fits(monkeypatch):
    conc, y = _curves(70)
    n = conc.shape[0]
    bounds = np.empty((n, 4, 2))
    bounds[:] = [[-20.0, 20.0], [1e-2, 20.0], [-200.0, 300.0], [-200.0, 300.0]]
    free = np.full((n, 4), np.nan)
    out = _both(
        monkeypatch,
        hill_lsq,
        "PARALLEL_MIN_CURVES",
        lambda: hill_lsq.fit_hill_lsq(conc, y, np.ones_like(y), free, bounds, free, 100),
    )
    assert np.sum(out[6] == hill_lsq.CONVERGED) > n // 2


@pytest.mark.parametrize("solver", [loewe.SOLVER_GRID, loewe.SOLVER_EXACT, loewe.SOLVER_SF2])
def test_loewe_reference(monkeypatch, solver):
    rng = np.random.default_rng(2)
    n_block = 5
    conc = np.tile(np.array([0.0, 0.1, 1.0, 10.0]), (n_block, 1))
    observed = rng.uniform(0, 100, (n_block, 4, 4))
    par = np.column_stack(
        [rng.uniform(0.5, 5, n_block), rng.uniform(0.5, 3, n_block), np.zeros(n_block),
         rng.uniform(60, 100, n_block)]
    )  # fmt: skip

    def call():
        ref = np.full(observed.shape, np.nan)
        flag = np.full(observed.shape, np.nan)
        loewe.loewe_reference_kernel(conc, conc, observed, par, par[::-1].copy(), solver, 100,
                                     ref, flag)  # fmt: skip
        return ref, flag

    ref, _ = _both(monkeypatch, loewe, "PARALLEL_MIN_BLOCKS", call)
    assert np.isfinite(ref[:, 1:, 1:]).all()
