"""``synergy score`` end to end in subprocesses: outputs, summary, kill -9 and --resume,
exit code 2 on bad input, options and output paths."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import xarray as xr

from synergy.datasets import simulate
from synergy.io.store import open_screen
from synergy.io.table import to_table
from synergy.io.validate import open_any
from synergy.scoring import score

N_BLOCKS = 48
CHUNK = "4"  # 12 chunks: the killed run is still going when its first chunk is saved


def _cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "synergy.cli", *args],
        capture_output=True,
        text=True,
        timeout=180,
        **kwargs,
    )


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cli_score")


@pytest.fixture(scope="module")
def input_csv(workdir) -> Path:
    screen = simulate(N_BLOCKS, n_doses=6, n_replicates=2, noise_sd=6.0, seed=5, truth=False)
    path = workdir / "screen.csv"
    to_table(screen, level="well").to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def uninterrupted(workdir, input_csv) -> tuple[subprocess.CompletedProcess, Path, Path]:
    out, table = workdir / "full.nc", workdir / "full.csv"
    result = _cli(
        "score", str(input_csv), "-o", str(out), "--table", str(table), "--fitter", "lsq",
        "--chunk-blocks", CHUNK, "--seed", "1",
    )  # fmt: skip
    return result, out, table


def test_end_to_end_writes_screen_table_and_summary(input_csv, uninterrupted):
    result, out, table = uninterrupted
    assert result.returncode == 0, result.stderr
    # the output is what the library gives on the same input
    expect = score(open_any(str(input_csv)), fitter="lsq")
    xr.testing.assert_identical(open_screen(out), expect)
    blocks = pd.read_csv(table)
    assert len(blocks) == N_BLOCKS
    assert blocks["block_id"].astype(str).tolist() == expect.block.values.tolist()
    pd.testing.assert_series_equal(
        blocks["ZIP_synergy"], pd.Series(expect.zip_score.values, name="ZIP_synergy")
    )
    assert f"scored {N_BLOCKS} blocks" in result.stdout
    counts = [int((expect.status == k).sum()) for k in (0, 1, 2)]
    assert f"status: {counts[0]} ok, {counts[1]} warning, {counts[2]} failed" in result.stdout
    assert f"wrote {out}" in result.stdout and f"wrote {table}" in result.stdout
    assert not (out.parent / (out.name + ".checkpoint")).exists()
    assert "Traceback" not in result.stderr and "RuntimeWarning" not in result.stderr


def test_kill_and_resume_gives_the_uninterrupted_output(workdir, input_csv, uninterrupted):
    out = workdir / "killed.nc"
    checkpoint = workdir / "killed.nc.checkpoint"
    args = ["score", str(input_csv), "-o", str(out), "--fitter", "lsq", "--seed", "1", "--quiet"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "synergy.cli", *args, "--chunk-blocks", CHUNK],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not list(checkpoint.glob("chunk-*.json")) and time.monotonic() < deadline:
        assert proc.poll() is None, "the run ended before its first checkpoint was seen"
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    saved = len(list(checkpoint.glob("chunk-*.json")))
    assert 1 <= saved < N_BLOCKS // int(CHUNK), saved
    assert not out.exists()

    # without --resume the checkpoint is protected; with it only the rest is scored
    refused = _cli(*args)
    assert refused.returncode == 2 and "--resume" in refused.stderr
    resumed = _cli(*[a for a in args if a != "--quiet"], "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert f"resumed: {saved} chunk(s) ({saved * int(CHUNK)} blocks)" in resumed.stdout
    full = open_screen(uninterrupted[1])
    got = open_screen(out)
    assert got.block.values.tolist() == full.block.values.tolist()  # none twice, none missing
    xr.testing.assert_identical(got, full)
    assert not checkpoint.exists()


def test_malformed_input_exits_2_naming_the_problem(workdir):
    bad = workdir / "bad.csv"
    bad.write_text(
        "block_id,drug1,drug2,conc1,conc2,response\n1,a,b,0,0,1\n1,a,b,-5,0,3\n1,a,b,1,1,2\n"
    )
    result = _cli("score", str(bad), "-o", str(workdir / "bad.nc"))
    assert result.returncode == 2
    assert "bad.csv" in result.stderr and "line 3" in result.stderr
    assert "Traceback" not in result.stderr
    missing = _cli("score", str(workdir / "nothing.csv"), "-o", str(workdir / "x.nc"))
    assert missing.returncode == 2 and "nothing.csv: no such file" in missing.stderr
    assert not (workdir / "bad.nc").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "{d}/no/such/folder/out.nc"], "does not exist"),
        (["-o", "{d}/screen.csv/out.nc"], "does not exist"),
        (["-o", "{d}/out.txt"], "write the scored screen as .nc"),
        (["-o", "{d}/ok.nc", "--table", "{d}/no/such/t.csv"], "does not exist"),
        (["-o", "{d}/ok.nc", "--models", "bliss,schindler"], "unknown model"),
        (["-o", "{d}/ok.nc", "--fitter", "nelder"], "fitter"),
        (["-o", "{d}/ok.nc", "--workers", "2", "--scheduler", "tcp://x:1"], "not both"),
    ],
)
def test_bad_output_or_options_exit_2_before_any_work(workdir, input_csv, args, message):
    args = [a.format(d=workdir) for a in args]
    result = _cli("score", str(input_csv), *args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert "scored" not in result.stdout
    assert not (workdir / "ok.nc").exists()


def test_debug_shows_the_traceback(workdir):
    result = _cli("score", str(workdir / "nothing.csv"), "-o", str(workdir / "x.nc"), "--debug")
    assert result.returncode != 0 and "Traceback" in result.stderr


def test_help_lists_the_options():
    result = _cli("score", "--help")
    assert result.returncode == 0
    for option in ("--table", "--models", "--workers", "--scheduler", "--resume", "--seed"):
        assert option in result.stdout


def test_check_fits_flags_blocks_resting_on_a_poorer_fit(workdir):
    """--check-fits: sf_mathews block 1 (drc's collapsed ispinesib fit) is flagged."""
    from synergy.datasets import load_bundled

    path, out = workdir / "mathews.csv", workdir / "mathews.nc"
    to_table(load_bundled("sf_mathews"), level="well").to_csv(path, index=False)
    result = _cli(
        "score", str(path), "-o", str(out), "--check-fits", "--no-checkpoint",
        "--correct-baseline", "part",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    scored = open_screen(out)
    assert scored["fit_check_status"].values.tolist() == [7, 0]
    assert json.loads(scored.attrs["scoring"])["correct_baseline"] == "part"
    assert (scored["baseline"].values < 0).all()
    assert "1 x Fits: the other curve fitter fits a single drug clearly better" in result.stdout


def test_three_drug_screen_scores_like_the_library(workdir, data_dir):
    """An N-drug table through `synergy score` (chunked) = synergy.score on the same input."""
    path = data_dir / "sf_ncats_3drug" / "data.csv"
    out, table = workdir / "ncats3.nc", workdir / "ncats3.csv"
    result = _cli(
        "score", str(path), "-o", str(out), "--table", str(table), "--chunk-blocks", "1",
        "--no-checkpoint",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    expect = score(open_any(str(path)))
    xr.testing.assert_identical(open_screen(out), expect)
    blocks = pd.read_csv(table)
    assert blocks[["drug1", "drug2", "drug3"]].shape == (2, 3)
    assert (blocks["ZIP_synergy"].to_numpy() == expect["zip_score"].values).all()
    info = _cli("info", str(path))
    assert info.returncode == 0 and "dose combinations of 3 drugs" in info.stdout


def test_bootstrap_options_reach_the_scores(workdir, input_csv):
    out = workdir / "boot.nc"
    result = _cli(
        "score", str(input_csv), "-o", str(out), "--fitter", "lsq", "--models", "bliss",
        "--n-boot", "20", "--seed", "3", "--well-intervals", "--no-checkpoint",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    scored = open_screen(out)
    expect = score(
        open_any(str(input_csv)), models=("bliss",), fitter="lsq", n_boot=20, seed=3,
        well_intervals=True,
    )  # fmt: skip
    xr.testing.assert_identical(scored, expect)
    assert {"bliss_score_low", "bliss_score_high", "bliss_pvalue", "bliss_low"} <= set(scored)


def test_musyc_calibrate_reaches_the_scores(workdir, input_csv):
    out = workdir / "musyc.nc"
    result = _cli(
        "score", str(input_csv), "-o", str(out), "--fitter", "lsq", "--models", "musyc",
        "--musyc-calibrate", "39", "--seed", "4", "--no-checkpoint",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    scored = open_screen(out)
    expect = score(
        open_any(str(input_csv)), models=("musyc",), fitter="lsq", seed=4,
        model_options={"musyc": {"calibrate": 39, "seed": 4}},
    )  # fmt: skip
    xr.testing.assert_identical(scored, expect)
    assert "musyc_log_alpha12_pvalue" in scored
    plain = _cli(
        "score", str(input_csv), "-o", str(workdir / "plain.nc"), "--fitter", "lsq",
        "--models", "musyc", "--musyc-calibrate", "0", "--musyc-alpha-on-bound", "keep",
        "--no-checkpoint",
    )  # fmt: skip
    assert plain.returncode == 0, plain.stderr
    expect = score(
        open_any(str(input_csv)), models=("musyc",), fitter="lsq",
        model_options={"musyc": {"calibrate": 0, "alpha_on_bound": "keep"}},
    )  # fmt: skip
    xr.testing.assert_identical(open_screen(workdir / "plain.nc"), expect)
    assert "musyc_log_alpha12_pvalue" not in expect
    bad = _cli("score", str(input_csv), "-o", str(workdir / "x.nc"), "--musyc-calibrate", "9")
    assert bad.returncode == 2 and "--musyc-* options need" in bad.stderr


def test_model_option_flags_come_from_the_registry(workdir, input_csv):
    out = workdir / "zimmer.nc"
    result = _cli(
        "score", str(input_csv), "-o", str(out), "--fitter", "lsq", "--models", "bliss,zimmer",
        "--model-option", "zimmer.intervals=wald", "--model-option", "zimmer.max_iter=50",
        "--no-checkpoint",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    expect = score(
        open_any(str(input_csv)), models=("bliss", "zimmer"), fitter="lsq",
        model_options={"zimmer": {"intervals": "wald", "max_iter": 50}},
    )  # fmt: skip
    xr.testing.assert_identical(open_screen(out), expect)
    bad = _cli(
        "score", str(input_csv), "-o", str(workdir / "y.nc"), "--models", "zimmer",
        "--model-option", "zimmer.max_iter=many",
    )  # fmt: skip
    assert bad.returncode == 2 and "max_iter must be int" in bad.stderr
    help_text = " ".join(_cli("score", "--help").stdout.split())
    assert "zimmer: intervals (str), max_iter (int)" in help_text


def test_response_range_reaches_the_scores_as_in_the_library(workdir):
    """--response-range is score(response_range=): the same blocks get the warning."""
    from synergy.datasets import path as data_path

    source = data_path("sf_oneil") / "data.csv"
    out = workdir / "narrow_range.nc"
    run = _cli("score", str(source), "-o", str(out), "--quiet", "--response-range", "-5", "60")
    assert run.returncode == 0, run.stderr
    scored = open_screen(out)
    expect = score(open_any(str(source)), response_range=(-5.0, 60.0))
    xr.testing.assert_equal(scored["status"], expect["status"])
    assert (expect["status"].values >= 1).all()  # both blocks reach beyond 60 % inhibition
    assert all("60" in str(r) for r in scored["status_reason"].values)
