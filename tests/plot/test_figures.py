"""Every figure renders (Agg, in memory) on real and degenerate blocks without a warning."""

from __future__ import annotations

import numpy as np
import pytest

import synergy.plot as splot

pytestmark = pytest.mark.filterwarnings("error")

BLOCK_FIGURES = {
    "landscape": lambda s, b: splot.landscape(s, b, "zip"),
    "landscapes": lambda s, b: splot.landscapes(s, b),
    "landscape_3d": lambda s, b: splot.landscape_3d(s, b, "loewe"),
    "dose_response": lambda s, b: splot.dose_response(s, b),
    "response_matrix": lambda s, b: splot.response_matrix(s, b),
    "plate_qc": lambda s, b: splot.plate_qc(s, b),
    "isobologram": lambda s, b: splot.isobologram(s, b),
}

CASES = [
    ("menin_scored", "1"),
    ("mathews_scored", "1"),
    ("degenerate_scored", "1"),  # failed row-drug fit, missing wells
    ("degenerate_scored", "2"),  # missing monotherapy wells, ragged grid
    ("degenerate_scored", "3"),  # flat fits
    ("tiny_scored", 0),  # 2×2
]


@pytest.mark.parametrize("figure", sorted(BLOCK_FIGURES))
@pytest.mark.parametrize(("screen_name", "block"), CASES)
def test_block_figure_renders(figure, screen_name, block, request, nontrivial):
    screen = request.getfixturevalue(screen_name)
    fig = BLOCK_FIGURES[figure](screen, block)
    nontrivial(fig)


@pytest.mark.parametrize("by", ["sample", "drug_row", None])
def test_screen_overview_renders(menin_scored, by, nontrivial):
    nontrivial(splot.screen_overview(menin_scored, "zip", by=by))


def test_screen_overview_on_failed_blocks(degenerate_scored, tiny_scored, nontrivial):
    nontrivial(splot.screen_overview(degenerate_scored, "zip"))
    nontrivial(splot.screen_overview(tiny_scored, "bliss", by=None))


def test_screen_overview_draws_confidence_intervals(menin_scored):
    scored = menin_scored.copy()
    score = scored["zip_score"].values
    scored["zip_score_low"] = ("block", score - 1.5)
    scored["zip_score_high"] = ("block", score + 2.0)
    fig = splot.screen_overview(scored, "zip", by=None)
    ax = fig.axes[0]
    segments = [seg for coll in ax.collections for seg in getattr(coll, "get_segments", list)()]
    widths = sorted(round(float(s[1][0] - s[0][0]), 6) for s in segments)
    assert widths == [3.5] * 3
    assert "CIs" in fig._suptitle.get_text() and "no CIs" not in fig._suptitle.get_text()


def test_landscape_title_and_msa_box(menin_scored):
    scored = menin_scored.copy()
    scored["zip_score_low"] = ("block", np.array([1.0, 2.0, 3.0]))
    scored["zip_score_high"] = ("block", np.array([9.0, 9.5, 9.9]))
    fig = splot.landscape(scored, "2", "zip")
    ax = fig.axes[0]
    title = ax.get_title()
    assert f"{float(scored['zip_score'].sel(block='2')):.2f}" in title
    assert "[95 % CI 2.00, 9.50]" in title
    (box,) = [p for p in ax.patches if p.get_label() == "most synergistic 3×3 area"]
    r0 = int(scored["zip_msa_row"].sel(block="2"))
    c0 = int(scored["zip_msa_col"].sel(block="2"))
    assert box.get_xy() == (c0 - 0.5, r0 - 0.5) and box.get_width() == 3
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels[0] == "0" and len(labels) == scored.sizes["col"]


def test_colour_blind_landscape_renders(menin_scored, nontrivial):
    nontrivial(splot.landscape(menin_scored, 2, "bliss", cmap="RdBu_r"))


def test_landscape_colour_scale_is_centred(menin_scored):
    fig = splot.landscape(menin_scored, "1", "bliss")
    image = fig.axes[0].images[0]
    low, high = image.get_clim()
    assert low == -high and high >= np.nanmax(np.abs(menin_scored["bliss"].values[0]))


def test_dose_response_marks_ic50_with_its_interval(menin_scored):
    fig = splot.dose_response(menin_scored, "1")
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ic50 = float(menin_scored["hill_row"].sel(block="1", param="ic50"))
    lo, hi = menin_scored["hill_row_ic50_ci"].sel(block="1").values
    from synergy.plot._common import format_dose

    expected = f"IC50 {format_dose(ic50)} nM [{format_dose(lo)}, {format_dose(hi)}]"
    assert expected in labels
    assert fig.axes[0].get_xticklabels()[0].get_text() == "0"


def test_therapeutic_window_renders(menin_scored, nontrivial):
    nontrivial(splot.therapeutic_window(menin_scored, "1"))
    nontrivial(splot.therapeutic_window(menin_scored, "2", normal="13", cmap="PuOr_r"))


def test_unknown_block_and_model_are_clear_errors(menin_scored):
    from synergy.errors import SynergyError

    with pytest.raises(SynergyError, match="no block with id '99'"):
        splot.landscape(menin_scored, "99")
    with pytest.raises(SynergyError, match="no δ surface 'musyc'"):
        splot.landscape(menin_scored, "1", "musyc")
    with pytest.raises(SynergyError, match="out of range"):
        splot.response_matrix(menin_scored, 7)


def test_replicate_sd_against_numpy():
    from synergy.plot._matrix import replicate_sd

    rng = np.random.default_rng(0)
    y = rng.normal(50, 10, size=(4, 5, 3))
    y[0, 0, 1] = np.nan
    y[1, 1, :2] = np.nan
    got = replicate_sd(y)
    expected = np.nanstd(y[2, 3], ddof=1)
    assert got[2, 3] == pytest.approx(expected)
    assert got[0, 0] == pytest.approx(abs(y[0, 0, 0] - y[0, 0, 2]) / np.sqrt(2))
    assert np.isnan(got[1, 1])


def test_figures_do_not_use_pyplot(menin_scored):
    fig = splot.response_matrix(menin_scored, "1")
    assert fig.canvas.manager is None  # not registered with pyplot: no window, no leak


def test_importing_plot_and_report_does_not_import_matplotlib():
    import subprocess
    import sys

    code = "import sys, synergy.plot, synergy.report; print('matplotlib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr
