"""The HTML report: self-contained (no network), every block present, renders in chromium."""

from __future__ import annotations

import base64
import shutil
import subprocess
from html.parser import HTMLParser

import numpy as np
import pytest

import synergy
from synergy.errors import SynergyError
from synergy.report import render_report, write_report

pytestmark = pytest.mark.filterwarnings("error")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []
        self.ids: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        for name, value in attrs:
            if name in ("src", "href", "srcset", "data", "action", "poster"):
                self.refs.append((tag, name, value or ""))
            if name == "id":
                self.ids.append(value or "")


def _parse(page: str) -> _Links:
    parser = _Links()
    parser.feed(page)
    return parser


@pytest.fixture(scope="module")
def menin4():
    screen = synergy.datasets.load("menin_venetoclax").sel(block=["1", "2", "9", "13"])
    return synergy.score(screen)


@pytest.fixture(scope="module")
def page(menin4) -> str:
    return render_report(menin4)


def test_report_is_self_contained(page):
    parsed = _parse(page)
    assert parsed.refs, "the page has images and links"
    for tag, name, value in parsed.refs:
        if tag == "img":
            assert value.startswith("data:image/png;base64,"), (tag, name, value[:40])
        else:
            assert value.startswith("#"), (tag, name, value)
    assert not parsed.tags & {"script", "link", "iframe", "object", "embed"}
    assert "@import" not in page and "url(" not in page


def test_report_images_are_pngs(page):
    parsed = _parse(page)
    images = [v for t, _, v in parsed.refs if t == "img"]
    # overview + per block: curves, matrix, landscapes; a therapeutic window for the two
    # leukemic revumenib blocks (1, 9) whose CD34+ block (13) is in the screen, not for 2
    assert len(images) == 1 + 4 * 3 + 2
    for value in images:
        data = base64.b64decode(value.split(",", 1)[1])
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5_000


def test_report_holds_every_block(page, menin4):
    parsed = _parse(page)
    links = {v for t, _, v in parsed.refs if t == "a"}
    for block in menin4["block"].values:
        assert f"block-{block}" in parsed.ids
        assert f"#block-{block}" in links
    for drug in set(menin4["drug_row"].values):
        assert drug in page
    # the ranked table lists blocks by ZIP score, highest first
    order = [int(i) for i in np.argsort(-menin4["zip_score"].values)]
    ids = [str(menin4["block"].values[i]) for i in order]
    positions = [page.index(f'href="#block-{b}"') for b in ids]
    assert positions == sorted(positions)
    score = f"{float(menin4['zip_score'].sel(block='1')):.2f}"
    assert score in page


def test_report_shows_cis_when_present(menin4):
    scored = menin4.copy()
    scored["zip_score_low"] = ("block", scored["zip_score"].values - 1.234)
    scored["zip_score_high"] = ("block", scored["zip_score"].values + 2.345)
    page = render_report(scored, max_blocks=1)
    low = f"{float(scored['zip_score_low'].values[0]):.2f}"
    high = f"{float(scored['zip_score_high'].values[0]):.2f}"
    assert f"[{low}, {high}]" in page
    assert page.count('<section class="block"') == 1 and "table only" in page


def test_design_line_counts_the_pair_grid(page, menin4):
    conc_row, conc_col = menin4["conc_row"].values, menin4["conc_col"].values
    n_row, n_col = np.isfinite(conc_row).sum(axis=1), np.isfinite(conc_col).sum(axis=1)
    doses = int(max(n_row.max(), n_col.max()))
    wells = int((n_row * n_col).max())
    expected = (
        f"{menin4.sizes['block']} blocks of 2 drugs · up to {doses} doses of a drug "
        f"(0 included) and {wells} dose combinations per block"
    )
    assert expected in page


def test_hill_table_shows_a_pairs_relative_inhibition(menin4):
    from synergy.report._tables import hill_table
    from synergy.sensitivity import block_sensitivity

    plain = hill_table(menin4, 0, ["a", "b"])
    assert "RI (%)" not in plain
    sensitivity = block_sensitivity(menin4)
    html = hill_table(menin4.assign(sensitivity), 0, ["a", "b"])
    assert "RI (%)" in html
    for side in ("row", "col"):
        assert f"<td>{float(sensitivity[f'ri_{side}'].values[0]):.1f}</td>" in html


def test_unnamed_drugs_read_as_their_place(menin4):
    from synergy.report._data import block_drugs

    names = menin4["drug_row"].values.astype(str)
    unnamed = menin4.assign_coords(drug_col=("block", np.full(menin4.sizes["block"], "")))
    assert block_drugs(unnamed) == [[name, "column drug"] for name in names]
    cube = synergy.datasets.simulate_multi(1, n_drugs=3, n_doses=2)
    cube = cube.assign_coords(drug_name=(("block", "drug"), np.array([["a", "", "c"]])))
    assert block_drugs(cube) == [["a", "drug 2", "c"]]


def test_report_of_degenerate_blocks(tmp_path):
    screen = synergy.datasets.simulate(
        3, n_doses=5, noise_sd=5, n_replicates=2, missing_fraction=0.2, seed=4, ragged=True
    )
    response = screen["response"].values.copy()
    response[0, 1:, 0, :] = np.nan  # no row-drug wells: the fit fails
    screen["response"].values = response
    path = write_report(synergy.score(screen), tmp_path / "degenerate.html")
    page = path.read_text(encoding="utf-8")
    assert page.count('<section class="block"') == 3
    assert "failed" in page and "too_few_points" in page


def test_unscored_screen_is_refused():
    with pytest.raises(SynergyError, match="no synergy scores"):
        render_report(synergy.datasets.simulate(1, n_doses=3))


def _assert_nontrivial_png(path, min_size: int) -> None:
    from matplotlib.image import imread

    pixels = imread(path)
    height, width = pixels.shape[:2]
    assert height >= min_size and width >= min_size
    rgb = pixels[..., :3].reshape(-1, 3)
    assert rgb.std() > 0.02
    assert len(np.unique(np.round(rgb * 255).astype(np.uint8), axis=0)) > 20


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.browser
@pytest.mark.skipif(
    _chromium() is None,
    reason="chromium not installed (Debian: apt-get install chromium); needed to render "
    "report.html headless",
)
def test_report_renders_in_headless_chromium(page, tmp_path):
    html = tmp_path / "report.html"
    html.write_text(page, encoding="utf-8")
    shot = tmp_path / "report.png"
    result = subprocess.run(
        [
            _chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1280,2000",
            f"--screenshot={shot}",
            html.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    _assert_nontrivial_png(shot, min_size=1000)
