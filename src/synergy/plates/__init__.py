"""From the plate reader to a screen: normalisation, plate QC, spatial correction.

- :func:`normalize` — % inhibition (or viability, or time-zero growth) per plate from its
  controls;
- :func:`qc` — Z′, SSMD, control CVs, signal window, row/column/edge effects and read
  drift per plate, with flags;
- :func:`spatial_effects`, :func:`correct_spatial` — median polish of the plates' spatial
  pattern, and the responses without it (raw values kept);
- :func:`plates_to_screen` — the screen model, traceable to plates and wells, blocks
  carrying their plates' QC verdict.

Read plates with :func:`synergy.read_plates` (docs/design.md §15).
"""

from __future__ import annotations

from synergy.plates.normalise import control_centres, normalize
from synergy.plates.qc import QC_FLAGS, QC_THRESHOLDS, qc
from synergy.plates.spatial import correct_spatial, median_polish, spatial_effects
from synergy.plates.to_screen import plates_to_screen

__all__ = [
    "QC_FLAGS",
    "QC_THRESHOLDS",
    "control_centres",
    "correct_spatial",
    "median_polish",
    "normalize",
    "plates_to_screen",
    "qc",
    "spatial_effects",
]
