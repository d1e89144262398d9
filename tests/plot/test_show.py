"""Figures that show: fig.show() under Agg, inline display in Jupyter, no pyplot state."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import pytest

import synergy.plot as splot
from synergy.plot import _figure

pytestmark = pytest.mark.filterwarnings("error")


def test_show_in_a_script_under_agg_logs_and_returns():
    """The user's script: build a figure, fig.show(), carry on (warnings as errors)."""
    script = (
        "import synergy, synergy.plot as sp\n"
        "scored = synergy.score(synergy.datasets.load('sf_mathews'), ['bliss'])\n"
        "fig = sp.response_matrix(scored, '1')\n"
        "fig.show()\n"
        "import matplotlib.pyplot as plt\n"
        "plt.show()\n"
        "print('after show', plt.get_fignums())\n"
    )
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "after show []"
    assert "cannot show figures" in result.stderr and "savefig" in result.stderr


def test_show_under_agg_in_process(mathews_scored, caplog):
    import matplotlib

    matplotlib.use("Agg")
    fig = splot.dose_response(mathews_scored, "1")
    with caplog.at_level(logging.INFO, logger="synergy.plot"):
        fig.show()
        fig.show(warn=False)
    notices = [r.getMessage() for r in caplog.records if r.name == "synergy.plot"]
    assert len(notices) == 1 and "'agg'" in notices[0].lower()
    assert fig.canvas.manager is None  # still not handed to pyplot


def test_show_in_a_kernel_displays_inline(mathews_scored, monkeypatch):
    pytest.importorskip("IPython")
    import IPython.display

    shown = []
    monkeypatch.setattr(_figure, "_in_kernel", lambda: True)
    monkeypatch.setattr(IPython.display, "display", shown.append)
    fig = splot.landscape(mathews_scored, "1", "bliss")
    fig.show()
    assert shown == [fig]


def test_repr_png_renders_the_figure(mathews_scored):
    fig = splot.landscape(mathews_scored, "1", "bliss")
    data = fig._repr_png_()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    from io import BytesIO

    from matplotlib.image import imread

    pixels = imread(BytesIO(data), format="png")
    assert pixels.shape[0] > 150 and pixels.shape[1] > 150
    assert pixels[..., :3].std() > 0.05  # not a blank canvas
    assert fig.savefig(BytesIO(), format="png") is None  # savefig still works after it


def test_many_figures_leave_no_pyplot_state(mathews_scored):
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    figures = [
        make(mathews_scored, block)
        for block in ("1", "2")
        for make in (
            lambda s, b: splot.landscapes(s, b),
            lambda s, b: splot.dose_response(s, b),
            lambda s, b: splot.response_matrix(s, b),
            lambda s, b: splot.isobologram(s, b),
        )
    ]
    figures += [splot.screen_overview(mathews_scored) for _ in range(20)]
    assert plt.get_fignums() == before
    assert all(fig.canvas.manager is None for fig in figures)


FAKE_GUI = """
from matplotlib.backend_bases import FigureManagerBase
from matplotlib.backends.backend_agg import FigureCanvasAgg

EVENTS = []


class FigureManager(FigureManagerBase):
    def show(self):
        EVENTS.append(("show", self.num))

    @classmethod
    def start_main_loop(cls):
        EVENTS.append(("main_loop",))


class FigureCanvas(FigureCanvasAgg):
    required_interactive_framework = "headless"  # what a display-less test machine runs
    manager_class = FigureManager
"""


def test_show_with_a_gui_backend_opens_a_window_through_pyplot(tmp_path):
    """A stand-in GUI backend records what fig.show() asks of it: a window, then the loop."""
    (tmp_path / "fakegui.py").write_text(FAKE_GUI)
    script = (
        "import synergy, synergy.plot as sp, fakegui\n"
        "scored = synergy.score(synergy.datasets.load('sf_mathews'), ['bliss'])\n"
        "fig = sp.response_matrix(scored, '1')\n"
        "fig.show()\n"
        "import matplotlib.pyplot as plt\n"
        "print(fakegui.EVENTS, plt.get_fignums(), plt.gcf() is fig)\n"
    )
    env = {**os.environ, "MPLBACKEND": "module://fakegui", "PYTHONPATH": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", script], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[('show', 1), ('main_loop',)] [1] True"
