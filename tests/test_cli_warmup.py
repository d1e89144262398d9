"""The first-compilation note and ``synergy warmup``, in subprocesses.

The note is tested on a temporary, empty numba cache (``NUMBA_CACHE_DIR``): it must appear
once on a cold cache, from the library (logging) and from the command line (one stderr
line), and not at all once the cache is warm.  ``warmup`` runs on the suite's own cache (so
that its compilations are not paid twice) and must leave no kernel uncompiled.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from synergy._kernels import COMPILE_NOTE
from synergy.datasets import path

SCORE_TWICE = (
    "import synergy; s = synergy.datasets.load('sf_oneil'); synergy.score(s); synergy.score(s)"
)


def _python(*args: str, cache=None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if cache is not None:
        env["NUMBA_CACHE_DIR"] = str(cache)
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=1500, env=env
    )


@pytest.mark.slow
def test_compile_note_once_on_a_cold_cache_only(tmp_path):
    cache = tmp_path / "numba-cache"
    data = str(path("sf_oneil") / "data.csv")
    cli = ("-m", "synergy", "score", data, "-q", "-o")
    cold = _python(*cli, str(tmp_path / "cold.nc"), cache=cache)
    assert cold.returncode == 0, cold.stderr
    assert cold.stderr.count(COMPILE_NOTE) == 1
    assert f"synergy: {COMPILE_NOTE}\n" in cold.stderr  # one plain line, not a warning
    assert "Warning" not in cold.stderr
    warm = _python(*cli, str(tmp_path / "warm.nc"), cache=cache)
    assert warm.returncode == 0, warm.stderr
    assert COMPILE_NOTE not in warm.stderr
    # the library: logging (shown on stderr without a logging configuration), once
    library = _python("-c", SCORE_TWICE, cache=tmp_path / "library-cache")
    assert library.returncode == 0, library.stderr
    assert library.stderr.count(COMPILE_NOTE) == 1
    library_warm = _python("-c", SCORE_TWICE, cache=tmp_path / "library-cache")
    assert COMPILE_NOTE not in library_warm.stderr


@pytest.mark.slow
def test_warmup_compiles_every_kernel(tmp_path):
    listing = "from synergy.cli.warmup import uncompiled_kernels as u; print(u())"
    empty = _python("-c", listing, cache=tmp_path / "empty-cache")
    assert "synergy._kernels.loewe_grid.loewe_grid_blocks" in empty.stdout, empty.stderr
    assert "synergy._kernels.drc._fit_drc_parallel" in empty.stdout
    result = _python("-m", "synergy", "warmup")
    assert result.returncode == 0, result.stderr
    assert "not compiled" not in result.stdout
    assert "kernels compiled" in result.stdout or "already compiled" in result.stdout
    listed = _python("-c", listing)
    assert listed.stdout.strip() == "[]", listed.stdout + listed.stderr
