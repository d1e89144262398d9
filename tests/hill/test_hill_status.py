"""Status codes and their CF attributes."""

from __future__ import annotations

import numpy as np

from synergy._kernels import hill_lsq
from synergy.hill import HillStatus, count_status, flag_attrs, status_names


def test_codes_are_ordered_by_severity_and_match_the_kernel():
    assert [s.value for s in HillStatus] == list(range(7))
    assert HillStatus.HIT_BOUND == hill_lsq.HIT_BOUND
    assert HillStatus.NOT_CONVERGED == hill_lsq.NOT_CONVERGED
    assert HillStatus.TOO_FEW_POINTS == hill_lsq.TOO_FEW_POINTS
    assert HillStatus.NON_FINITE_DATA == hill_lsq.NON_FINITE_DATA


def test_flag_attrs_and_names():
    attrs = flag_attrs()
    assert attrs["flag_values"].dtype == np.int8
    meanings = attrs["flag_meanings"].split()
    assert len(meanings) == len(attrs["flag_values"])
    assert meanings[0] == "converged" and "ic50_extrapolated" in meanings
    names = status_names(np.array([[0, 3], [6, 9]]))
    assert names.tolist() == [["converged", "flat"], ["non_finite_data", "unknown"]]
    counts = count_status(np.array([0, 0, 2, 5]))
    assert counts["converged"] == 2 and counts["hit_bound"] == 1 and counts["flat"] == 0
    assert sum(counts.values()) == 4
