"""Figures stay readable on the blocks people most need to see: flat, bound-hitting and
non-converged fits, blocks without single-drug wells, missing wells (issue: sf_mathews
block 1's band ran to ±30,000 % and hid the wells)."""

from __future__ import annotations

import numpy as np
import pytest

import synergy.plot as splot
from synergy import status as status_codes

pytestmark = pytest.mark.filterwarnings("error")

FIGURES = {
    "dose_response": lambda s, b: splot.dose_response(s, b),
    "response_matrix": lambda s, b: splot.response_matrix(s, b),
    "landscapes": lambda s, b: splot.landscapes(s, b),
    "landscape_3d": lambda s, b: splot.landscape_3d(s, b, "zip"),
    "isobologram": lambda s, b: splot.isobologram(s, b),
    "plate_qc": lambda s, b: splot.plate_qc(s, b),
}


def _with_fit(screen, side: str, word: str, params, ci):
    """``screen`` with block 0's ``side`` fit replaced by a degenerate one of status ``word``
    (what an optimiser leaves on its limit or unconverged: huge IC50, steep slope)."""
    edited = screen.copy(deep=True)
    name = f"hill_{side}"
    edited[name].values[0] = params
    edited[f"{name}_ic50_ci"].values[0] = ci
    codes = {w: c for c, w in status_codes.decode(edited[f"{name}_status"].attrs).items()}
    edited[f"{name}_status"].values[0] = codes[word]
    return edited


@pytest.fixture(scope="module")
def cases(mathews_scored, degenerate_scored):
    """(screen, block, what it is) of every fit status the figures must survive."""
    flat_row = int(mathews_scored["hill_row_status"].values[0])
    assert status_codes.decode(mathews_scored["hill_row_status"].attrs)[flat_row] == "flat"
    bound = _with_fit(
        degenerate_scored.isel(block=[1]), "col", "hit_bound", [5e9, 20.0, 0.0, 100.0], [0.0, 1e30]
    )
    stuck = _with_fit(
        degenerate_scored.isel(block=[2]),
        "row",
        "not_converged",
        [1e-9, 0.05, -300.0, 400.0],
        [np.nan, np.nan],
    )
    return {
        "flat (sf_mathews block 1)": (mathews_scored, "1"),
        "hit_bound": (bound, 0),
        "not_converged": (stuck, 0),
        "no monotherapy (failed fit)": (degenerate_scored, "1"),
        "NaN wells, ragged": (degenerate_scored, "2"),
    }


CASE_NAMES = [
    "flat (sf_mathews block 1)",
    "hit_bound",
    "not_converged",
    "no monotherapy (failed fit)",
    "NaN wells, ragged",
]


@pytest.mark.parametrize("case", CASE_NAMES)
@pytest.mark.parametrize("figure", sorted(FIGURES))
def test_every_figure_renders_for_every_fit_status(cases, case, figure, nontrivial):
    screen, block = cases[case]
    nontrivial(FIGURES[figure](screen, block))


@pytest.mark.parametrize("case", CASE_NAMES)
def test_curve_axes_follow_the_data(cases, case):
    screen, block = cases[case]
    i = [str(b) for b in screen["block"].values].index(block) if isinstance(block, str) else block
    response = np.asarray(screen["response"].values[i], dtype=np.float64)  # (row, col, rep)
    wells = np.concatenate([response[:, 0, :].ravel(), response[0, :, :].ravel()])
    wells = wells[np.isfinite(wells)]
    low = min(float(wells.min()) if wells.size else 0.0, 0.0)
    high = max(float(wells.max()) if wells.size else 100.0, 100.0)
    margin = 0.1 * (high - low)
    fig = splot.dose_response(screen, block)
    for ax in fig.axes:
        bottom, top = ax.get_ylim()
        assert low - margin <= bottom <= low and high <= top <= high + margin, (bottom, top)
        for collection in ax.collections:  # bands and points stay inside the frame
            for path in collection.get_paths():
                ys = path.vertices[:, 1]
                assert ys.min() >= bottom - 1e-9 and ys.max() <= top + 1e-9


def test_ic50_beyond_the_tested_doses_is_capped(cases):
    screen, block = cases["flat (sf_mathews block 1)"]
    fig = splot.dose_response(screen, block)
    labels = [t.get_text() for ax in fig.axes for t in ax.get_legend().get_texts()]
    ic50 = [text for text in labels if text.startswith("IC50")]
    assert len(ic50) == 2
    top = splot.format_dose(float(np.nanmax(screen["conc_row"].values[0])))
    # row drug: IC50 2.2e17 nM fitted to a flat curve; interval [0, inf)
    assert ic50[0] == f"IC50 > {top} nM, CI not identified"
    # column drug: IC50 inside the doses, interval 4e-57 – 2e57: not identified
    assert ic50[1].endswith("CI not identified") and "e57" not in ic50[1]
    assert not any("e1" in text or "e5" in text for text in ic50)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2.2e17, "> 10"),
        (5.0, "5"),
        (0.01, "< 0.1"),
        (np.inf, "not identified"),
        (-1.0, "not identified"),
    ],
)
def test_ic50_text(value, expected):
    assert splot.ic50_text(value, 0.1, 10.0) == expected


@pytest.mark.parametrize(
    ("lower", "upper", "expected"),
    [
        (2.0, 6.0, "2 – 6"),
        (0.05, 20.0, "< 0.1 – > 10"),
        (4.4e-57, 1.7e57, "not identified"),
        (0.0, np.inf, "not identified"),
        (np.nan, 3.0, "not identified"),
    ],
)
def test_dose_interval_text(lower, upper, expected):
    assert splot.dose_interval_text(lower, upper, 0.1, 10.0) == expected


@pytest.mark.parametrize(
    ("unit", "shown"), [("uM", "µM"), ("nM", "nM"), ("ug/ml", "µg/mL"), ("", "")]
)
def test_units_are_written_as_readers_write_them(unit, shown):
    assert splot.unit_text(unit) == shown


def test_msa_box_has_a_legend(cases):
    screen, block = cases["flat (sf_mathews block 1)"]
    fig = splot.landscape(screen, block, "zip")
    (ax,) = [a for a in fig.axes if a.get_legend() is not None]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["most synergistic 3×3 area"]
