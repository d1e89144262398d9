"""The report of N-drug screens (slice grids, drug curves, scores) and of MuSyC / CI results."""

from __future__ import annotations

import base64
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import synergy
from synergy.cli import main
from synergy.errors import SynergyError
from synergy.report import render_report, write_report

pytestmark = pytest.mark.filterwarnings("error")

NCATS_CSV = Path(synergy.__file__).parent / "datasets" / "data" / "sf_ncats_3drug" / "data.csv"


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str]] = []
        self.tags: set[str] = set()
        self.alts: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        for name, value in attrs:
            if name in ("src", "href", "srcset", "data", "action", "poster"):
                self.refs.append((tag, value or ""))
            if tag == "img" and name == "alt":
                self.alts.append(value or "")


def _parse(page: str) -> _Refs:
    parser = _Refs()
    parser.feed(page)
    return parser


def _assert_self_contained(page: str) -> _Refs:
    parsed = _parse(page)
    for tag, value in parsed.refs:
        if tag == "img":
            assert value.startswith("data:image/png;base64,"), value[:40]
            assert base64.b64decode(value.split(",", 1)[1])[:4] == b"\x89PNG"
        else:
            assert value.startswith("#"), (tag, value)
    assert not parsed.tags & {"script", "link", "iframe", "object", "embed"}
    assert "@import" not in page and "url(" not in page
    return parsed


@pytest.fixture(scope="module")
def ncats():
    return synergy.score(synergy.datasets.load_bundled("sf_ncats_3drug"))


@pytest.fixture(scope="module")
def ncats_page(ncats) -> str:
    return render_report(ncats)


def test_multi_report_has_every_block_and_model(ncats, ncats_page):
    parsed = _assert_self_contained(ncats_page)
    models = ("zip", "bliss", "hsa", "loewe")
    # overview + per block: drug curves and one slice grid per model
    assert len(parsed.alts) == 1 + 2 * (1 + len(models))
    for m in models:
        assert parsed.alts.count(f"{m} slices through the dose cube") == 2
    assert ncats_page.count('<section class="block"') == 2
    assert "2 blocks of 3 drugs" in ncats_page
    for block in ("1", "2"):
        for name in ncats["drug_name"].sel(block=block).values:
            assert str(name) in ncats_page
        for m in models:
            assert f"{float(ncats[f'{m}_score'].sel(block=block)):.2f}" in ncats_page
    # ranked by ZIP, highest first
    order = np.argsort(-ncats["zip_score"].values)
    ids = [str(ncats["block"].values[i]) for i in order]
    positions = [ncats_page.index(f'href="#block-{b}"') for b in ids]
    assert positions == sorted(positions)


def test_multi_report_tables_show_stored_numbers(ncats, ncats_page):
    from synergy.plot._common import format_dose

    where = ncats["zip_max_conc"].sel(block="1").values
    assert " / ".join(format_dose(v) for v in where) in ncats_page
    for k in range(3):
        ic50 = float(ncats["hill"].sel(block="2").values[k, 0])
        assert f"<td>{format_dose(ic50)}</td>" in ncats_page
    lower, upper = ncats["hill_ic50_ci"].sel(block="1").values[2]
    if lower == 0 and np.isinf(upper):  # the flat Darunavir fit has no finite interval
        assert "<td>not identified</td>" in ncats_page


def test_multi_report_with_a_failed_block(tmp_path):
    screen = synergy.datasets.simulate_multi(2, n_doses=4, noise_sd=3, n_replicates=2, seed=1)
    conc = screen["conc"].transpose("block", "well", "drug").values
    alone_1 = (conc[1, :, 0] > 0) & (conc[1, :, 1] == 0) & (conc[1, :, 2] == 0)
    response = screen["response"].values.copy()
    response[1, alone_1] = np.nan
    screen["response"].values = response
    scored = synergy.score(screen)
    page = write_report(scored, tmp_path / "sim.html").read_text(encoding="utf-8")
    parsed = _assert_self_contained(page)
    assert len(parsed.alts) == 1 + 2 * 5
    assert "failed" in page and "single_drug_fit_failed" in page
    assert "not drawn" not in page


def test_multi_report_refuses_pair_extras(ncats):
    with pytest.raises(SynergyError, match="draw drug pairs"):
        render_report(ncats, extra=("plate_qc",))


def test_four_drug_report_holds_the_other_drugs_at_zero():
    scored = synergy.score(synergy.datasets.simulate_multi(1, n_drugs=4, n_doses=3))
    page = render_report(scored)
    _assert_self_contained(page)
    assert "drugs 4 … 4 at dose 0" in page and "not drawn" not in page


def test_cli_report_on_the_three_drug_csv(tmp_path):
    out = tmp_path / "ncats.html"
    result = CliRunner().invoke(
        main, ["report", str(NCATS_CSV), "-o", str(out), "--static"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert "scoring 2 blocks" in result.output
    page = out.read_text(encoding="utf-8")
    _assert_self_contained(page)
    assert 'id="block-1"' in page and 'id="block-2"' in page


@pytest.fixture(scope="module")
def pair_parametric():
    screen = synergy.datasets.simulate(2, n_doses=6, noise_sd=3, n_replicates=2, seed=2)
    return synergy.score(screen, ("zip", "bliss", "musyc", "ci"))


def test_pair_report_shows_musyc_and_ci(pair_parametric):
    scored = pair_parametric
    page = render_report(scored)
    _assert_self_contained(page)
    from synergy.report._html import number

    for i, block in enumerate(scored["block"].values):
        section = page[page.index(f'id="block-{block}"') :]
        section = section[: section.index("</section>")]
        beta = number(scored["musyc_beta"].values[i], 3)
        low, high = (number(v, 3) for v in scored["musyc_beta_ci"].values[i])
        assert f"<td>{beta}</td><td>[{low}, {high}]</td>" in section
        alpha = number(scored["musyc_log_alpha12"].values[i], 3)
        assert f"<td>{alpha}</td>" in section and "profile-likelihood" in section
        # MuSyC's calibrated test of alpha = 1: its p-value in its own column
        assert "p (no interaction)" in section
        p12 = scored["musyc_log_alpha12_pvalue"].values[i]
        assert (f"<td>{number(p12, 3)}</td>" if np.isfinite(p12) else "<td>–</td>") in section
        assert f"<td>{number(scored['ci_log_mean'].values[i], 3)}</td>" in section
        at_fa = " / ".join(number(v, 2) for v in scored["ci_at_fa"].values[i])
        assert at_fa in section
    # without MuSyC / CI there is no such table
    plain = render_report(scored.drop_vars([v for v in scored.data_vars if "musyc" in v]))
    assert "efficacy synergy" not in plain and "mean ln CI" in plain


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.browser
@pytest.mark.skipif(
    _chromium() is None,
    reason="chromium not installed (Debian: apt-get install chromium); needed to render "
    "report.html headless",
)
def test_multi_report_renders_in_headless_chromium(ncats_page, tmp_path):
    from matplotlib.image import imread

    html = tmp_path / "report.html"
    html.write_text(ncats_page, encoding="utf-8")
    shot = tmp_path / "report.png"
    result = subprocess.run(
        [
            _chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1280,2400",
            f"--screenshot={shot}",
            html.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    pixels = imread(shot)
    assert pixels.shape[0] >= 2000 and pixels.shape[1] >= 1200
    rgb = pixels[..., :3].reshape(-1, 3)
    assert rgb.std() > 0.02
    assert len(np.unique(np.round(rgb * 255).astype(np.uint8), axis=0)) > 20
