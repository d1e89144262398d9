"""``synergy benchmark``: exit 0 / 1 / 2, the worst blocks named, swapped and unpartnered
blocks, real SynergyFinder and DrugComb tables (package data)."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from synergy.cli import main
from synergy.datasets import path, simulate
from synergy.io.store import save_screen
from synergy.io.table import to_table
from synergy.scoring import score


def _run(*args: str):
    result = CliRunner().invoke(main, ["benchmark", *map(str, args)])
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli_benchmark")
    screen = simulate(
        5,
        n_doses=5,
        noise_sd=3.0,
        synergy_strength=[0.0, 1.0, 0.5, -0.3, 2.0],
        seed=4,
        drug_row=[f"r{k}" for k in range(5)],
        drug_col=[f"c{k}" for k in range(5)],
        truth=False,
    )
    scored = score(screen)
    paths = {"screen": folder / "screen.csv", "scored": folder / "scored.nc"}
    to_table(screen, level="well").to_csv(paths["screen"], index=False)
    save_screen(scored, paths["scored"])
    own = to_table(scored, level="block")
    variants = {"own": own}
    moved = own.copy()
    moved.loc[moved.block_id == "4", "ZIP_synergy"] += 5.0
    variants["moved"] = moved
    variants["swapped"] = own.rename(columns={"drug1": "drug2", "drug2": "drug1"})
    partial = own[own.block_id != "2"].copy()
    extra = partial.iloc[[0]].copy()
    extra[["block_id", "drug1", "drug2"]] = ["77", "imatinib", "dasatinib"]
    variants["partial"] = pd.concat([partial, extra])
    variants["junk"] = pd.DataFrame({"id": [1], "value": [2.0]})
    for name, table in variants.items():
        paths[name] = folder / f"{name}.csv"
        table.to_csv(paths[name], index=False)
    paths["folder"] = folder
    return paths


def test_own_scores_exit_0(files):
    code, out = _run(files["screen"], files["own"])
    assert code == 0, out
    assert "PASS" in out and "matched 5 block(s)" in out
    code, out = _run(files["scored"], files["own"])  # an already scored screen
    assert code == 0, out


def test_one_block_moved_exit_1_naming_it(files):
    code, out = _run(files["screen"], files["moved"])
    assert code == 1
    assert "FAIL" in out and "block '4' zip -5.000" in out
    assert "block '4' zip: ours" in out
    code, _ = _run(files["screen"], files["moved"], "--max-outside", "1")
    assert code == 0
    code, _ = _run(files["screen"], files["moved"], "--models", "bliss,hsa,loewe")
    assert code == 0


def test_swapped_drug_order_matched(files):
    code, out = _run(files["screen"], files["swapped"])
    assert code == 0, out
    assert "drug order swapped in the published table" in out


def test_unpartnered_blocks_listed(files):
    code, out = _run(files["screen"], files["partial"])
    assert code == 0
    assert "only in the screen: block '2'" in out
    assert "only in the published table: block '77' imatinib × dasatinib" in out


def test_table_written(files):
    table = files["folder"] / "comparison.csv"
    code, _ = _run(files["screen"], files["moved"], "--table", table)
    assert code == 1
    written = pd.read_csv(table, dtype={"block": str})
    assert len(written) == 5 * 4
    row = written[(written.block == "4") & (written.model == "zip")].iloc[0]
    assert row["diff"] == pytest.approx(-5.0) and not row["within"]
    assert isinstance(row["explanation"], str)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["/nonexistent.csv"], "no such file"),
        (["JUNK"], "found columns: id, value"),
        (["OWN", "--table", "out.txt"], "write the table as"),
        (["OWN", "--models", "musyc"], "unknown model"),
        (["OWN", "--max-outside", "-1"], "--max-outside"),
        (["OWN", "--fits"], "no single-drug fits"),
        (["OWN", "--columns", "zip"], "role=column pairs"),
        (["JUNK", "--columns", "block=id,zip=nope"], "not in the table"),
    ],
)
def test_bad_input_exit_2(files, extra, message):
    extra = [{"JUNK": files["junk"], "OWN": files["own"]}.get(e, e) for e in extra]
    code, out = _run(files["screen"], *extra)
    assert code == 2, out
    assert message in out


def test_sf_mathews_with_published_fits_and_drugcomb_auto():
    folder = path("sf_mathews")
    code, out = _run(
        folder / "data.csv",
        folder / "synergyfinder3_summary.csv",
        folder / "synergyfinder3_drc.csv",
        "--fits",
        "--models",
        "bliss,hsa,loewe",
    )
    assert code == 0, out
    assert "published fits used for 2 block(s)" in out
    dc = path("drugcomb_examples")
    code, out = _run(dc / "data.csv", dc / "published_scores.csv", "--convention", "auto")
    assert code == 0, out
    assert "overall → synergyfinder2" in out and "→ tie" in out


def test_explicit_column_mapping(files):
    own = pd.read_csv(files["own"], dtype={"block_id": str})
    other = own[["block_id", "ZIP_synergy"]].rename(
        columns={"block_id": "Combination ID", "ZIP_synergy": "ZIP score"}
    )
    table = files["folder"] / "other.csv"
    other.to_csv(table, index=False)
    code, out = _run(files["screen"], table)
    assert code == 2 and "found columns: Combination ID, ZIP score" in out
    code, out = _run(files["screen"], table, "--columns", "block=Combination ID,zip=ZIP score")
    assert code == 0, out
    assert "columns used: block=Combination ID, zip=ZIP score" in out


def _self_contained(text: str) -> None:
    import re

    links = re.findall(r"""(?:src|href)\s*=\s*["']?([^"'\s>]+)""", text, flags=re.I)
    assert links and all(not re.match(r"(https?:)?//", link, flags=re.I) for link in links)
    assert all(link.startswith(("data:image/png;base64,", "#")) for link in links)


def test_report_written_exit_codes_unchanged(files):
    report = files["folder"] / "bench.html"
    code, out = _run(files["screen"], files["moved"], "--report", report)
    assert code == 1 and f"wrote {report}" in out
    text = report.read_text(encoding="utf-8")
    _self_contained(text)
    assert text.count("<img") == 2  # scatter and Bland–Altman: no surfaces in the table
    for model in ("bliss", "hsa", "loewe", "zip"):
        assert f'<td class="text">{model}</td>' in text
    assert "FAIL" in text and "unexplained" in text  # block 4's evidence sentence
    code, out = _run(files["screen"], files["own"], "--report", report)
    assert code == 2 and "--overwrite" in out  # an existing output is never replaced silently
    assert "FAIL" in report.read_text(encoding="utf-8")
    code, out = _run(files["screen"], files["own"], "--report", report, "--overwrite")
    assert code == 0, out
    assert "PASS" in report.read_text(encoding="utf-8")
    code, out = _run(files["screen"], files["own"], "--report", files["folder"] / "r.pdf")
    assert code == 2 and "write the report as .html" in out


def test_report_with_surfaces_and_auto():
    folder = path("sf_mathews")
    from synergy.benchmark import compare, read_published
    from synergy.datasets import load
    from synergy.report._benchmark import render_benchmark_report

    pub = read_published(
        [folder / "synergyfinder3_summary.csv", folder / "synergyfinder3_surface.csv"]
    )
    result = compare(load("sf_mathews"), pub, convention="auto")
    text = render_benchmark_report(result)
    _self_contained(text)
    assert text.count("<img") == 3 and "Which pipeline made this table?" in text
    assert "Per-well δ" in text


def test_three_drug_tables_from_the_shell(tmp_path):
    folder = path("sf_ncats_3drug")
    report = tmp_path / "three.html"
    code, out = _run(
        folder / "data.csv",
        folder / "synergyfinder3_summary.csv",
        "--tolerance",
        "0.01",
        "--report",
        report,
    )
    assert code == 0, out
    assert "matched 1 block(s)" in out and "only in the screen: block '2'" in out
    _self_contained(report.read_text(encoding="utf-8"))
    code, out = _run(folder / "data.csv", folder / "synergyfinder3_summary.csv",
                     "--convention", "synergyfinder2")  # fmt: skip
    assert code == 2 and "no N-drug definitions" in out
