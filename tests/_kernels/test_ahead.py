"""drc's replica compiled in a child process on a cold numba cache (synergy._kernels.ahead).

The end-to-end test runs the first ``synergy.score`` twice on empty caches, with and without
the child: the scores must be the same bits, and with the child the scoring process must
compile no drc kernel (it loads them from the child's cache entries) and nothing twice.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from synergy._kernels import ahead

FIRST_SCORE = """
import json, sys
import numpy as np
import synergy
from synergy.cli.warmup import CompileTimer
screen = synergy.datasets.load("sf_oneil")
with CompileTimer() as timer:
    scored = synergy.score(screen)
values = {name: np.asarray(scored[name].values, dtype=float).ravel().tolist()
          for name in ("zip", "bliss", "loewe", "hsa", "hill_row", "hill_col")}
json.dump({"compiled": sorted(timer.seconds), "values": values}, sys.stdout)
"""


def _first_score(cache, child: bool) -> dict:
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache), ahead.ENV_SWITCH: "1" if child else "0"}
    result = subprocess.run(
        [sys.executable, "-c", FIRST_SCORE], capture_output=True, text=True, env=env, timeout=1500
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.slow
@pytest.mark.skipif(ahead._cores() < 2, reason="the child is only started with two cores")
def test_child_compiles_drc_and_the_scores_keep_their_bits(tmp_path):
    alone = _first_score(tmp_path / "alone", child=False)
    helped = _first_score(tmp_path / "helped", child=True)
    assert "synergy._kernels.drc" in alone["compiled"]
    assert "synergy._kernels.drc" not in helped["compiled"]  # loaded from the child's cache
    assert {"synergy._kernels.hill_batch", "synergy._kernels.loewe_grid"} <= set(helped["compiled"])
    for name, values in alone["values"].items():
        np.testing.assert_array_equal(helped["values"][name], values, err_msg=name)


def test_no_child_when_switched_off_or_on_one_core(monkeypatch):
    monkeypatch.setattr(ahead, "in_cache", lambda dispatcher, unknown=True: False)
    monkeypatch.setenv(ahead.ENV_SWITCH, "0")
    assert ahead.start_drc_child(parallel=False) is None
    monkeypatch.setenv(ahead.ENV_SWITCH, "1")
    monkeypatch.setattr(ahead, "_cores", lambda: 1)
    assert ahead.start_drc_child(parallel=False) is None


def test_no_child_when_the_replica_is_cached(monkeypatch):
    monkeypatch.setenv(ahead.ENV_SWITCH, "1")
    monkeypatch.setattr(ahead, "_cores", lambda: 2)
    monkeypatch.setattr(ahead, "in_cache", lambda dispatcher, unknown=True: True)
    assert ahead.start_drc_child(parallel=False) is None


def test_wait_reports_a_failed_child_and_kills_a_hung_one():
    assert ahead.wait(None) is False
    ok = subprocess.Popen([sys.executable, "-c", "pass"])
    assert ahead.wait(ok) is True
    failed = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    assert ahead.wait(failed) is False
    hung = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    assert ahead.wait(hung, timeout=0.5) is False
    assert hung.returncode is not None  # killed and reaped, not left running


def test_in_cache_answers_unknown_for_a_dispatcher_without_cache_internals():
    assert ahead.in_cache(object()) is True
    assert ahead.in_cache(object(), unknown=False) is False


def _sleeper(seconds: float) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", f"import time; time.sleep({seconds})"])


def test_an_early_child_is_waited_for_by_the_fit_and_killed_if_the_caller_ends_first(
    monkeypatch,
):
    started = []

    def start(parallel):
        started.append(_sleeper(60 if not started else 0.1))
        return started[-1]

    monkeypatch.setattr(ahead, "start_drc_child", start)
    with ahead.early_drc_child():  # the caller fails before fitting: child killed
        pass
    assert started[0].returncode is not None
    with ahead.early_drc_child():
        with ahead.drc_in_child(parallel=True) as child:  # takes the early child
            assert child is started[1]
        assert child.returncode == 0  # waited for, not killed
    assert len(started) == 2
