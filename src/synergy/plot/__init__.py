"""Figures of screens and blocks (matplotlib, imported on first use; extra ``plot``).

Every function but :func:`plate` (plates) takes a screen (:class:`xarray.Dataset`) and,
for block figures, a block selector (the block id as a string, or its position as an int)
and returns a :class:`matplotlib.figure.Figure` built without ``pyplot`` (no pyplot state,
any backend renders it; save with ``fig.savefig("x.png")``).  ``fig.show()`` shows it —
inline in Jupyter, in a window with a GUI backend, a logged notice under Agg — and a figure
that ends a notebook cell renders inline.  The figures compute nothing themselves: curves,
bands and differences come from the library (:mod:`synergy.hill.band`,
:mod:`synergy.window`).

- :func:`landscape`, :func:`landscapes`, :func:`landscape_3d` — δ surfaces of any model;
- :func:`dose_response` — single-drug wells, Hill fits, 95 % bands, IC50 with CI;
- :func:`response_matrix` — annotated heatmap of the observed inhibition;
- :func:`plate_qc` — raw replicates and replicate SD;
- :func:`plate` — a plate read from the reader: raw signal, normalised, residual of the
  spatial fit, control wells outlined (:func:`synergy.read_plates`);
- :func:`screen_overview` — blocks ranked by score (with CIs), faceted;
- :func:`isobologram` — Loewe isobologram at chosen effect levels;
- :func:`therapeutic_window` — leukemic minus normal δ and inhibition;
- :func:`benchmark_scatter`, :func:`benchmark_bland_altman`, :func:`benchmark_well_differences`
  — ours against a published table (:mod:`synergy.benchmark`);
- :func:`slice_landscapes`, :func:`drug_curves` — N-drug blocks: δ slices through the dose
  cube, one panel per dose of a third drug; each drug's curve alone;
- :func:`format_dose`, :func:`ic50_text`, :func:`dose_interval_text`, :func:`unit_text` —
  doses, IC50s (capped at the tested doses), intervals and units as figures and the report
  print them.

Pair figures raise :class:`~synergy.errors.SynergyError` on N-drug screens and vice versa.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_WHERE = {
    "landscape": "landscape",
    "landscapes": "landscape",
    "landscape_3d": "landscape",
    "dose_response": "curves",
    "response_matrix": "matrix",
    "plate_qc": "matrix",
    "plate": "plate",
    "replicate_sd": "matrix",
    "screen_overview": "overview",
    "isobologram": "isobologram",
    "therapeutic_window": "window",
    "slice_landscapes": "slices",
    "drug_curves": "curves",
    "benchmark_scatter": "benchmark",
    "benchmark_bland_altman": "benchmark",
    "benchmark_well_differences": "benchmark",
    "format_dose": "common",
    "unit_text": "common",
    "ic50_text": "common",
    "dose_interval_text": "common",
    "interval_identified": "common",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        try:
            module = import_module(f"synergy.plot._{_WHERE[name]}")
        except ImportError as exc:  # pragma: no cover - depends on the environment
            if "matplotlib" in str(exc):
                from synergy.errors import SynergyError

                raise SynergyError(
                    "synergy.plot needs matplotlib: pip install 'synergy-toolkit[plot]'"
                ) from exc
            raise
        return getattr(module, name)
    raise AttributeError(f"module 'synergy.plot' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
