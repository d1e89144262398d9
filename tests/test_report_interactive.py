"""The interactive report: its data are the screen's numbers, it needs no network, it is
written as a page + folder or as one file, and it draws in a real browser (headless
Chromium) without a console error, 3-D surface included."""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import synergy
from synergy.errors import SynergyError
from synergy.io.table import to_table
from synergy.plot import format_dose
from synergy.report import write_interactive_report

pytestmark = pytest.mark.filterwarnings("error")


def _unpack(text: str, shape) -> np.ndarray:
    """Decode a grid of the page (base64 little-endian int16, tenths of a % point)."""
    coded = np.frombuffer(base64.b64decode(text), dtype="<i2").astype(float)
    return np.where(coded == -32768, np.nan, coded / 10).reshape(shape)


def _grids(panel: dict, overview: dict, shape) -> dict[str, np.ndarray]:
    """A panel's grids by name: ``o`` (observed), ``d:<model>`` (δ), ``r:<model>`` (reference)."""
    names = ["o", *(f"d:{m}" for m in overview["models"]), *(f"r:{m}" for m in overview["refs"])]
    flat = _unpack(panel["g"], (len(names), *shape))
    return dict(zip(names, flat, strict=True))


def _chunk(folder: Path, k: int = 0) -> list[dict]:
    text = (folder / f"blocks-{k:05d}.js").read_text(encoding="utf-8")
    match = re.fullmatch(rf"SYNERGY\.chunk\({k},(.*)\);\n", text, flags=re.S)
    assert match, text[:80]
    return json.loads(match.group(1))


def _overview(folder: Path) -> dict:
    text = (folder / "overview.js").read_text(encoding="utf-8")
    return json.loads(text[len("SYNERGY.overview(") : -len(");\n")])


@pytest.fixture(scope="module")
def mathews():
    return synergy.score(synergy.datasets.load("sf_mathews"))


@pytest.fixture(scope="module")
def mathews_report(mathews, tmp_path_factory):
    return write_interactive_report(mathews, tmp_path_factory.mktemp("m") / "mathews.html")


def test_block_grids_are_the_screens_numbers(mathews, mathews_report):
    folder = mathews_report.with_name("mathews_files")
    blocks, overview = _chunk(folder), _overview(folder)
    assert [b["id"] for b in blocks] == ["1", "2"]
    for i, block in enumerate(blocks):
        (panel,) = block["panels"]  # a pair's map: rows = first drug's doses (its curve)
        rows, cols = (np.array(c["x"]) for c in block["curves"])
        np.testing.assert_allclose(rows, mathews["conc_row"].values[i], rtol=1e-4)
        np.testing.assert_allclose(cols, mathews["conc_col"].values[i], rtol=1e-4)
        grids = _grids(panel, overview, (rows.size, cols.size))
        observed = np.nanmean(mathews["response"].values[i], axis=-1)
        np.testing.assert_allclose(grids["o"], observed, atol=0.05 + 1e-9)
        assert overview["refs"] == ["zip", "bliss", "hsa", "loewe"]
        for model in ("zip", "bliss", "hsa", "loewe"):
            delta = mathews[model].values[i]
            np.testing.assert_allclose(grids[f"d:{model}"], delta, atol=0.0501)
            reference = mathews[f"{model}_reference"].values[i]
            np.testing.assert_allclose(grids[f"r:{model}"], reference, atol=0.0501)
            msa = float(mathews[f"{model}_msa"].values[i])
            assert block["scores"][model][0] == pytest.approx(msa, rel=1e-3)
            (row,) = (r for r in overview["rows"] if r[0] == block["id"])
            score = float(mathews[f"{model}_score"].values[i])
            assert row[5][overview["models"].index(model)][0] == pytest.approx(score, rel=1e-3)


def test_ic50_and_intervals_in_plain_words(mathews, mathews_report):
    (block1, _) = _chunk(mathews_report.with_name("mathews_files"))
    row, col = block1["curves"]
    top = format_dose(float(np.nanmax(mathews["conc_row"].values[0])))
    # sf_mathews block 1: a flat row-drug fit with IC50 2.2e17 nM and interval [0, inf)
    assert row["ic50"] == f"> {top}" and row["ci"] == "not identified"
    overview = _overview(mathews_report.with_name("mathews_files"))
    assert row["fit"] == "flat" and "no significant dose effect" in overview["words"]["flat"]
    assert col["ci"] == "not identified"  # 4.4e-57 – 1.7e57 nM
    first = next(r for r in overview["rows"] if r[0] == "1")
    assert first[7][0] == f"> {top}" and overview["unit"] == "nM"
    assert "fallback max" not in json.dumps(overview)  # the reasons are plain words


def test_curves_carry_the_static_figures_bands(mathews, mathews_report):
    """Each curve's fit and 95 % band are those of the static figure (``block_band`` per
    block), at the quantisation of the page: 0.1 point (fit), 0.25 point (band half-width
    up to 100 points), 5 % beyond; the wells are the screen's single-drug wells."""
    from synergy.hill.band import block_band
    from synergy.hill.model import evaluate

    blocks = _chunk(mathews_report.with_name("mathews_files"))
    codes_seen = set()
    for i, block in enumerate(blocks):
        for side, curve in zip(("row", "col"), block["curves"], strict=True):
            doses = mathews[f"conc_{side}"].values[i]
            wells = (
                mathews["response"].values[i][:, 0]
                if side == "row"
                else mathews["response"].values[i][0]
            )
            np.testing.assert_allclose(_unpack(curve["y"], wells.shape), wells, atol=0.0501)
            positive = doses[doses > 0]
            grid = np.geomspace(positive.min() / 1.5, positive.max() * 1.5, 20)
            fitted, lower, upper = block_band(mathews, i, side, grid)
            params = mathews[f"hill_{side}"].values[i]
            np.testing.assert_allclose(fitted, evaluate(grid, *params))
            np.testing.assert_allclose(_unpack(curve["fy"], (20,)), fitted, atol=0.0501)
            half = 0.5 * (upper - lower)
            codes = np.frombuffer(base64.b64decode(curve["fb"]), dtype=np.uint8)
            codes_seen.update(codes.tolist())
            small = half <= 100
            np.testing.assert_allclose(codes[small] / 2, half[small], atol=0.2501)
            wide = 100 * 1.1 ** (codes[~small].astype(float) - 200)
            huge = codes[~small] == 254
            np.testing.assert_allclose(wide[~huge], half[~small][~huge], rtol=0.0489)
            assert np.all(half[~small][huge] > 100 * 1.1**53.5)
    # sf_mathews block 1's degenerate fits reach the tail of the code (bands to ±10^4 %)
    assert max(codes_seen) > 200 and min(codes_seen) < 200


def test_band_codes_round_trip():
    from synergy.report._data import pack_width, unpack_width

    half = np.array([0.0, 0.24, 3.3, 99.9, 100.0, 100.1, 180.0, 5e3, 1.5e4, 1e9, np.inf, np.nan])
    back = unpack_width(pack_width(half))
    np.testing.assert_allclose(back[:5], half[:5], atol=0.25)
    np.testing.assert_allclose(back[5:9], half[5:9], rtol=0.0489)
    assert back[9] == back[10] == np.inf and np.isnan(back[11])
    assert unpack_width(pack_width(-1.0))[0] == 0.0  # a negative width cannot occur: no band


def test_folder_needs_no_network_and_holds_the_full_table(mathews, mathews_report):
    folder = mathews_report.with_name("mathews_files")
    page = mathews_report.read_text(encoding="utf-8")
    for ref in re.findall(r'(?:src|href)="([^"]*)"', page):
        assert ref.startswith(("#", "mathews_files/")), ref
        if not ref.startswith("#"):
            assert (mathews_report.parent / ref).is_file(), ref
    script = (folder / "report.js").read_text(encoding="utf-8")
    assert "fetch(" not in script and "XMLHttpRequest" not in script
    assert "http" not in page and "http" not in (folder / "report.css").read_text()
    table = (folder / "blocks.csv").read_text(encoding="utf-8")
    assert table == to_table(mathews, level="block").to_csv(index=False, float_format="%.5g")
    assert (folder / "blocks.xlsx").is_file()  # openpyxl is in the dev extra
    assert "How to read this report" in page and "most synergistic area" in page


def test_an_existing_data_folder_is_not_replaced_silently(mathews, mathews_report):
    with pytest.raises(SynergyError, match="mathews_files exists"):
        write_interactive_report(mathews, mathews_report)
    write_interactive_report(mathews, mathews_report, overwrite=True, rank_by="bliss")
    assert _overview(mathews_report.with_name("mathews_files"))["models"][0] == "bliss"


def test_self_contained_is_one_file(mathews, tmp_path):
    path = write_interactive_report(mathews, tmp_path / "one.html", self_contained=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.html"]
    page = path.read_text(encoding="utf-8")
    assert not re.findall(r'src="', page)
    (csv,) = re.findall(r'href="data:text/csv;base64,([^"]*)"', page)
    expected = to_table(mathews, level="block").to_csv(index=False, float_format="%.5g")
    assert base64.b64decode(csv).decode() == expected
    assert page.count('type="application/json" id="chunk-') == 1


def test_three_drug_blocks_go_through_the_same_page(tmp_path):
    screen = synergy.datasets.simulate_multi(2, n_drugs=3, n_doses=4, seed=3)
    scored = synergy.score(screen, ("bliss", "hsa", "zip"))
    path = write_interactive_report(scored, tmp_path / "three.html")
    blocks, overview = _chunk(tmp_path / "three_files"), _overview(tmp_path / "three_files")
    conc = scored["conc"].transpose("block", "well", "drug").values
    for i, block in enumerate(blocks):
        assert len(block["curves"]) == 3
        levels = np.unique(conc[i, :, 2][np.isfinite(conc[i, :, 2])])
        assert [p["label"] for p in block["panels"]] == [
            f"{block['drugs'][2]} at {format_dose(v)}" for v in levels
        ]
        # each well sits in its panel at its two doses, δ as scored
        panel = block["panels"][-1]
        shape = (len(panel["y"]), len(panel["x"]))
        grid = _grids(panel, overview, shape)["d:bliss"]
        at = np.isclose(conc[i, :, 2], levels[-1])
        for well in np.flatnonzero(at):
            r = int(np.argmin(np.abs(np.array(panel["y"]) - conc[i, well, 0])))
            c = int(np.argmin(np.abs(np.array(panel["x"]) - conc[i, well, 1])))
            assert grid[r, c] == pytest.approx(scored["bliss"].values[i, well], abs=0.0501)
    assert "three_files/overview.js" in path.read_text(encoding="utf-8")


# --- in a real browser -----------------------------------------------------------------


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


needs_chromium = pytest.mark.skipif(
    _chromium() is None,
    reason="chromium not installed (Debian: apt-get install chromium; .ci/run installs it)",
)


def load_in_chromium(page: Path, *extra: str, fragment: str = "") -> tuple[str, list[str]]:
    """The DOM after the page ran (headless Chromium) and the console messages it logged."""
    result = subprocess.run(
        [
            _chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=8000",
            "--window-size=1280,1600",
            *extra,
            page.as_uri() + fragment,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    return result.stdout, console


def assert_drawn(dom: str, block: str) -> None:
    """The page ran to the end, opened ``block`` and drew non-blank canvases."""
    assert 'data-ready="1"' in dom
    assert f'data-block="{block}"' in dom
    assert re.search(r'<pre id="errors">\s*</pre>', dom)
    colours = {
        kind: int(n)
        for kind, n in re.findall(r'<canvas[^>]*data-kind="(\w+)"[^>]*data-colours="(\d+)"', dom)
    }
    assert set(colours) >= {"observed", "delta", "surface3d"}, colours
    assert all(n > 20 for n in colours.values()), colours  # not a blank canvas
    assert dom.count('data-kind="curve"') >= 2 and 'data-kind="barometer"' in dom


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory):
    """The report ``synergy demo`` writes: the bundled menin × venetoclax screen."""
    scored = synergy.score(synergy.datasets.load("menin_venetoclax"))
    path = tmp_path_factory.mktemp("demo") / "report.html"
    return scored, write_interactive_report(scored, path)


@pytest.mark.browser
@needs_chromium
def test_demo_report_draws_in_chromium(demo_report):
    scored, path = demo_report
    dom, console = load_in_chromium(path, "--dump-dom")
    assert console == []
    best = str(scored["block"].values[int(np.nanargmax(scored["zip_score"].values))])
    assert_drawn(dom, best)
    assert dom.count("<tr data-index=") == scored.sizes["block"]  # one table page
    # a link can carry a search: the table keeps the matching blocks only
    dom, console = load_in_chromium(path, "--dump-dom", fragment="#q=ziftomenib")
    matching = int(np.sum(scored["drug_row"].values == "ziftomenib"))
    assert console == [] and 0 < matching < scored.sizes["block"]
    assert dom.count("<tr data-index=") == matching
    assert f"{matching} of {scored.sizes['block']} blocks" in dom
    dom, console = load_in_chromium(path, "--dump-dom", fragment="#status=1")
    warned = int(np.sum(scored["status"].values == 1))
    assert console == [] and dom.count('class="status-row-1"') == warned == 1
    assert dom.count("<tr data-index=") == warned
    # a block opened from the address (#block=…) is drawn from its data chunk
    dom, console = load_in_chromium(path, "--dump-dom", fragment="#block=13")
    assert console == [] and 'data-block="13"' in dom


@pytest.mark.browser
@needs_chromium
def test_close_references_and_the_surface_axes_are_legible(demo_report):
    """Demo block 9: ZIP, Bliss, Loewe and HSA references within a few points of each other
    at the barometer's well (the best ZIP δ): their labels must not overlap as the browser
    lays them out; the 3-D surface names both drugs and δ; the block is "ok" with a note."""
    scored, path = demo_report
    i = int(np.flatnonzero(scored["block"].values.astype(str) == "9")[0])
    delta = scored["zip"].values[i].copy()
    delta[0, :] = delta[:, 0] = -np.inf
    r, c = np.unravel_index(np.nanargmax(delta), delta.shape)
    refs = [scored[f"{m}_reference"].values[i][r, c] for m in ("zip", "bliss", "hsa", "loewe")]
    assert max(refs) - min(refs) < 8  # closer than a label is wide on the 560-px scale
    dom, console = load_in_chromium(path, "--dump-dom", fragment="#block=9")
    assert console == [] and 'data-block="9"' in dom
    assert dom.count('data-kind="baro-label"') == 4
    assert 'data-label-overlaps="0"' in dom
    axes = re.search(r'data-kind="surface3d"[^>]*data-axes="([^"]*)"', dom)
    drugs = [str(scored[f"drug_{side}"].values[i]) for side in ("row", "col")]
    assert axes and axes.group(1).split("|") == [*drugs, "δ"]
    labels = int(re.search(r'data-axis-labels="(\d+)"', dom).group(1))
    assert labels >= 2 + 5 + 4  # two drug names, δ ticks and name, dose ticks
    assert int(scored["status"].values[i]) == 0 and "Loewe" in str(
        scored["status_reason"].values[i]
    )
    status = re.search(r'data-kind="block-status">([^<]*)</span>([^<]*)<', dom)
    assert status.group(1) == "ok" and status.group(2).startswith(" — note: Loewe:")
    assert re.search(r'class="text status-0">note: some wells had an effect neither', dom)


@pytest.mark.browser
@needs_chromium
def test_thousand_block_report_draws_in_chromium(tmp_path):
    screen = synergy.datasets.simulate(1000, n_doses=5, noise_sd=3, n_replicates=1, seed=2)
    scored = synergy.score(screen, ("bliss", "hsa", "loewe", "zip"), fitter="lsq")
    path = write_interactive_report(scored, tmp_path / "big.html")
    files = list((tmp_path / "big_files").iterdir())
    assert len([f for f in files if f.name.startswith("blocks-")]) == 5  # 200 blocks each
    assert sum(f.stat().st_size for f in files) + path.stat().st_size < 5e6
    dom, console = load_in_chromium(path, "--dump-dom")
    assert console == []
    best = str(scored["block"].values[int(np.nanargmax(scored["zip_score"].values))])
    assert_drawn(dom, best)
    assert dom.count("<tr data-index=") == 50  # the table shows a page at a time
    assert "of 1000 blocks" in dom


@pytest.mark.browser
@needs_chromium
def test_self_contained_report_draws_in_chromium(mathews, tmp_path):
    path = write_interactive_report(mathews, tmp_path / "one.html", self_contained=True)
    dom, console = load_in_chromium(path, "--dump-dom")
    assert console == []
    assert_drawn(dom, "1")
    assert 'data-overflow="0"' in dom
    # block 1's degenerate fits: the bands end on the frame of their panels (y 18 to 174)
    bands = re.findall(r'<path d="M([^"]*)Z"[^>]*data-kind="band"', dom)
    assert len(bands) == 2
    ys = [float(y) for band in bands for y in re.findall(r",(-?[\d.]+)", band)]
    assert min(ys) >= 18 and max(ys) <= 174 and max(ys) - min(ys) > 100
    # a phone: the page reflows to one column, nothing wider than the screen
    dom, console = load_in_chromium(path, "--dump-dom", "--window-size=390,844")
    assert console == [] and 'data-overflow="0"' in dom


@pytest.mark.browser
@needs_chromium
def test_three_drug_report_draws_in_chromium(tmp_path):
    screen = synergy.datasets.simulate_multi(2, n_drugs=3, n_doses=4, seed=3)
    scored = synergy.score(screen, ("bliss", "hsa", "zip"))
    path = write_interactive_report(scored, tmp_path / "three.html", self_contained=True)
    dom, console = load_in_chromium(path, "--dump-dom")
    assert console == []
    best = str(scored["block"].values[int(np.nanargmax(scored["zip_score"].values))])
    assert_drawn(dom, best)
    assert 'id="panel-select"' in dom and dom.count('data-kind="curve"') == 3
