"""The Figure every synergy figure is: a plain matplotlib Figure that also shows itself.

Figures are built without ``pyplot`` (no global state, no window, any backend), which
leaves matplotlib's own ``Figure.show`` without a window manager to show them with.
:class:`SynergyFigure` adds what a user expects of a figure:

- ``fig.show()`` shows it: inline in Jupyter/IPython kernels, in a window with a GUI
  backend (handed to pyplot then, as ``plt.figure`` would), and under a backend that
  cannot show anything (Agg: scripts, CI, servers) it logs a notice and returns;
- ``_repr_png_``: a figure that is a notebook cell's last expression renders inline,
  whether or not pyplot or ``%matplotlib inline`` was ever set up.

Building figures never touches pyplot; only ``show()`` with a GUI backend does.
"""

from __future__ import annotations

import importlib
import io
import logging
import sys

from matplotlib.figure import Figure

logger = logging.getLogger("synergy.plot")


def _backend_module():
    """Name and module of matplotlib's current backend (None when it cannot be loaded)."""
    import matplotlib

    name = matplotlib.get_backend()
    try:
        from matplotlib.backends import backend_registry  # matplotlib >= 3.9

        return name, backend_registry.load_backend_module(name)
    except ImportError:
        pass
    module = name[len("module://") :] if name.startswith("module://") else None
    module = module or f"matplotlib.backends.backend_{name.lower()}"
    try:
        return name, importlib.import_module(module)
    except ImportError:
        return name, None


def _in_kernel() -> bool:
    """Running in a Jupyter/IPython kernel (where display() renders inline)."""
    shell = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)()
    return shell is not None and getattr(shell, "kernel", None) is not None


class SynergyFigure(Figure):
    """A :class:`matplotlib.figure.Figure` that can be shown without pyplot."""

    def _repr_png_(self) -> bytes:
        """PNG of the figure, for Jupyter's rich display."""
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", bbox_inches="tight")
        return buffer.getvalue()

    def show(self, warn: bool = True) -> None:
        """Show the figure where the current matplotlib backend can.

        - In a Jupyter/IPython kernel with a non-GUI backend (``inline``): displayed in
          the cell's output.
        - With a GUI backend (``TkAgg``, ``QtAgg``, ``macosx`` …): in a window, handed to
          pyplot (``plt.close(fig)`` closes it); outside interactive mode (a script) the
          call blocks until the window is closed, as ``plt.show()`` does.
        - With a backend that has no screen (``Agg``: scripts, CI, servers): nothing to
          show; a logged notice (``warn=True``) says so.  Save it with ``fig.savefig``.

        Parameters
        ----------
        warn : bool
            Log the notice when nothing can be shown (``logging``, not ``warnings``).
        """
        name, module = _backend_module()
        canvas_class = getattr(module, "FigureCanvas", None)  # None: unknown backend
        gui = getattr(canvas_class, "required_interactive_framework", None) is not None
        if not gui and _in_kernel():
            from IPython.display import display

            display(self)
            return
        if not gui:
            if warn:
                logger.warning(
                    "matplotlib's backend %r cannot show figures (no screen): save the "
                    "figure with fig.savefig('figure.png'), or choose a GUI backend "
                    "(MPLBACKEND=TkAgg, QtAgg …)",
                    name,
                )
            return
        self._show_in_window(canvas_class)

    def _show_in_window(self, canvas_class) -> None:
        import matplotlib
        import matplotlib.pyplot as plt
        from matplotlib._pylab_helpers import Gcf

        if self.canvas.manager is None:
            number = max(plt.get_fignums(), default=0) + 1
            manager = canvas_class.new_manager(self, number)
            Gcf._set_new_active_manager(manager)  # pyplot's own adoption of a figure
        if matplotlib.is_interactive():
            self.canvas.manager.show()
        else:
            plt.show(block=True)
