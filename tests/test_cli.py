"""The command line, end to end in a subprocess (exit codes and messages)."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "synergy.cli", *args], capture_output=True, text=True, timeout=120
    )


def test_version():
    result = _run("--version")
    assert result.returncode == 0 and "0." in result.stdout


def test_cli_starts_without_the_numerical_stack():
    """`synergy --help` answers in ~0.1 s: building the CLI imports neither xarray, pandas
    nor numba (each command imports what it needs when it runs; docs/design.md §14)."""
    code = (
        "import sys, synergy.cli; print(sorted({'xarray', 'pandas', 'numba'} & set(sys.modules)))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_info(data_dir):
    result = _run("info", str(data_dir / "sf_oneil" / "data.csv"))
    assert result.returncode == 0, result.stderr
    assert "2 blocks" in result.stdout and "MK-1775" in result.stdout


@pytest.mark.parametrize("name", ["sf_mathews", "sf_ncats_3drug"])
def test_validate_exit_0_on_good_input(data_dir, name):
    result = _run("validate", str(data_dir / name / "data.csv"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_validate_exit_1_names_the_problem(tmp_path):
    bad = tmp_path / "gap.csv"
    bad.write_text("block_id,drug1,drug2,drug4,conc1,conc2,conc4,response\n1,a,b,d,0,0,0,1\n")
    result = _run("validate", str(bad))
    assert result.returncode == 1
    assert "gap.csv" in result.stdout and "without gaps" in result.stdout


def test_bad_input_exits_2_without_traceback(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("block_id,drug1,drug2,conc1,conc2,response\n1,a,b,-1,0,1\n")
    result = _run("info", str(bad))
    assert result.returncode == 2
    assert "bad.csv" in result.stderr and "line 2" in result.stderr
    assert "Traceback" not in result.stderr
