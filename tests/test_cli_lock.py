"""Two ``synergy score`` runs on one output (a scheduler retry, a resume while the first
still runs): one writes the correct result, the other exits 2 naming the first."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import xarray as xr

from synergy.datasets import simulate
from synergy.io.outputs import lock_path
from synergy.io.store import open_screen
from synergy.io.table import to_table
from synergy.io.validate import open_any
from synergy.scoring import score

N_BLOCKS = 64


def _cli(*args: str, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "synergy.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        **kwargs,
    )


def test_second_run_on_the_same_output_exits_2_and_the_first_finishes(tmp_path: Path):
    screen = simulate(N_BLOCKS, n_doses=6, n_replicates=2, noise_sd=6.0, seed=7, truth=False)
    source = tmp_path / "screen.csv"
    to_table(screen, level="well").to_csv(source, index=False)
    out = tmp_path / "scored.nc"
    args = ["score", str(source), "-o", str(out), "--fitter", "lsq", "--quiet"]
    first = subprocess.Popen(
        [sys.executable, "-m", "synergy.cli", *args, "--chunk-blocks", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    checkpoint = tmp_path / "scored.nc.checkpoint"
    deadline = time.monotonic() + 240
    while not list(checkpoint.glob("chunk-*.json")) and time.monotonic() < deadline:
        assert first.poll() is None, first.communicate()
        time.sleep(0.01)
    # hold the first run mid-write (stopped, still alive) so that the second runs meet it
    # whatever the machine's speed; it resumes afterwards
    os.kill(first.pid, signal.SIGSTOP)
    assert lock_path(out).exists()

    # a retry, a resume and an overwrite while the first run is still writing: refused, exit 2
    try:
        for extra in ([], ["--resume"], ["--overwrite"]):
            second = _cli(*args, *extra)
            assert second.returncode == 2, second.stderr
            pattern = (
                rf"another run \(pid {first.pid} on {re.escape(socket.gethostname())}, since "
                rf"[^)]+\) is writing {re.escape(str(out))}"
            )
            assert re.search(pattern, second.stderr), second.stderr
            assert "Traceback" not in second.stderr
        assert first.poll() is None, "the first run ended before the second was refused"
    finally:
        os.kill(first.pid, signal.SIGCONT)

    _, stderr = first.communicate(timeout=300)
    assert first.returncode == 0, stderr
    expect = score(open_any(str(source)), fitter="lsq")
    xr.testing.assert_identical(open_screen(out), expect)
    assert not lock_path(out).exists() and not checkpoint.exists()
