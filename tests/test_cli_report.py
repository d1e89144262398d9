"""``synergy report``: writes the page from a scored screen or a raw table; exit 2 on bad input."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import synergy
from synergy.cli import main
from synergy.io.store import save_screen
from synergy.io.table import to_table


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli_report")
    screen = synergy.datasets.simulate(2, n_doses=4, noise_sd=3, n_replicates=2, seed=5)
    scored = synergy.score(screen)
    nc = save_screen(scored, folder / "scored.nc")
    csv = folder / "raw.csv"
    to_table(screen, level="well").to_csv(csv, index=False)
    return folder, nc, csv


def _run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_report_from_a_scored_screen(inputs):
    folder, nc, _ = inputs
    out = folder / "from_nc.html"
    result = _run("report", str(nc), "-o", str(out), "--static")
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert 'id="block-1"' in page and 'id="block-2"' in page
    assert "wrote" in result.output and "scoring" not in result.output


def test_report_scores_a_raw_table_first(inputs):
    folder, _, csv = inputs
    out = folder / "from_csv.html"
    result = _run(
        "report",
        str(csv),
        "-o",
        str(out),
        "--rank-by",
        "bliss",
        "--title",
        "raw",
        "--extra",
        "plate_qc,isobologram,landscape_3d",
        "--max-blocks",
        "1",
        "--static",
    )
    assert result.exit_code == 0, result.output
    assert "scoring 2 blocks" in result.output
    page = out.read_text(encoding="utf-8")
    assert "<title>raw</title>" in page and "Blocks ranked by Bliss" in page
    # one section: curves, matrix, landscapes + the three extra figures
    assert page.count('<section class="block"') == 1
    assert page.count("data:image/png;base64,") == 1 + 3 + 3


def test_interactive_report_is_the_default(inputs):
    folder, nc, _ = inputs
    out = folder / "live.html"
    result = _run("report", str(nc), "-o", str(out), "--top", "1")
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output and "live_files/" in result.output
    files = sorted(p.name for p in (folder / "live_files").iterdir())
    assert files == ["blocks-00000.js", "blocks.csv", "blocks.xlsx", "overview.js",
                     "report.css", "report.js"]  # fmt: skip
    assert "top 1" in out.read_text(encoding="utf-8")
    # the data folder is an output too: not replaced without --overwrite
    again = CliRunner().invoke(main, ["report", str(nc), "-o", str(out)])
    assert again.exit_code == 2 and "live_files: exists" in again.output
    assert _run("report", str(nc), "-o", str(out), "--overwrite").exit_code == 0
    one = folder / "one.html"
    assert _run("report", str(nc), "-o", str(one), "--self-contained").exit_code == 0
    assert not (folder / "one_files").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.nc", "-o", "r.html"], "missing.nc: no such file"),
        (["{nc}", "-o", "r.pdf"], "write the report as .html"),
        (["{nc}", "-o", "nofolder/r.html"], "does not exist"),
        (["{nc}", "-o", "r.html", "--rank-by", "musyc"], "rank_by='musyc' is not scored"),
        (
            ["{nc}", "-o", "r.html", "--extra", "violin", "--static"],
            "unknown extra figure(s) violin",
        ),
        (["{nc}", "-o", "r.html", "--extra", "isobologram"], "add --static"),
        (["{nc}", "-o", "r.html", "--static", "--self-contained"], "one file already"),
        (["{nc}", "-o", "r.html", "--top", "0"], "--top must be >= 1"),
    ],
)
def test_bad_inputs_exit_2(inputs, args, message, monkeypatch):
    folder, nc, _ = inputs
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(main, ["report", *(a.format(nc=nc) for a in args)])
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_unreadable_input_exits_2(inputs):
    folder, _, _ = inputs
    bad = folder / "bad.csv"
    bad.write_text("this,is,not\na,screen,at all\n")
    result = CliRunner().invoke(main, ["report", str(bad), "-o", str(folder / "bad.html")])
    assert result.exit_code == 2, result.output
    assert "Error" in result.output
