"""The scoring core against its stored outputs (tests/data/baseline; docs/design.md §16).

Every case of ``tests/data/baseline/make.py`` is scored again and compared, variable by
variable, with the arrays stored by the commit named in ``tests/data/baseline/README.md``:
bit for bit (NaN in the same places) unless :data:`MOVED` lists the variable as computed by a
new path, in which case within ``1e-12`` absolute (values in % points or doses of order 1–100).
Status codes and status text are always compared exactly; no variable may appear or vanish.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import sys
from pathlib import Path

import numpy as np
import pytest

BASELINE = Path(__file__).parent / "data" / "baseline"
_spec = importlib.util.spec_from_file_location("baseline_make", BASELINE / "make.py")
make = sys.modules.setdefault("baseline_make", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(make)

# (case regex, variable regex) -> absolute tolerance, for outputs whose code path moved
# (e.g. a pair model now computed as N = 2 of the N-drug core); everything else is bitwise.
MOVED: dict[tuple[str, str], float] = {
    # block means now add the wells one after another (padding-independent; §16), not pairwise
    (".*", "(bliss|hsa|loewe|zip)_score"): 1e-12,
    (".*", "ci_log_mean"): 1e-12,
}


@functools.cache
def _stored() -> dict[str, np.ndarray]:
    with np.load(make.STORE) as store:
        return {key: store[key] for key in store.files}


@functools.cache
def _screen(loader):
    return loader()


def _tolerance(case: str, variable: str) -> float:
    if variable.endswith(("status", "status_reason")) or variable == "block":
        return 0.0
    for (case_pattern, var_pattern), tol in MOVED.items():
        if re.fullmatch(case_pattern, case) and re.fullmatch(var_pattern, variable):
            return tol
    return 0.0


def test_store_is_small_and_covers_every_case():
    assert make.STORE.stat().st_size < 5e6
    stored_cases = {key.split("/")[0] for key in _stored()}
    assert stored_cases == {case.name for case in make.CASES}


@pytest.mark.parametrize("case", make.CASES, ids=lambda case: case.name)
def test_scores_match_the_stored_baseline(case):
    fresh = make.score_case(case, _screen(case.screen).copy(deep=True))
    stored = {k: v for k, v in _stored().items() if k.split("/")[0] == case.name}
    assert sorted(fresh) == sorted(stored), "variables appeared or vanished"
    for key, expected in stored.items():
        got = fresh[key]
        variable = key.split("/", 1)[1]
        assert got.shape == expected.shape, key
        assert got.dtype.kind == expected.dtype.kind, key
        tol = _tolerance(case.name, variable)
        if expected.dtype.kind != "f" or tol == 0.0:
            assert np.array_equal(got, expected, equal_nan=expected.dtype.kind == "f"), key
        else:
            assert np.array_equal(np.isnan(got), np.isnan(expected)), key
            np.testing.assert_allclose(got, expected, rtol=0, atol=tol, equal_nan=True, err_msg=key)
