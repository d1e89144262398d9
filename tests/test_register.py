"""``import synergy`` stays light and still registers ``ds.synergy`` whatever the order."""

from __future__ import annotations

import subprocess
import sys

import pytest

CASES = {
    "synergy first": (
        "import sys, synergy; assert 'xarray' not in sys.modules, 'xarray imported eagerly'\n"
        "import xarray as xr; assert hasattr(xr.Dataset(), 'synergy')"
    ),
    "xarray first": "import xarray as xr, synergy; assert hasattr(xr.Dataset(), 'synergy')",
    "through a reader": (
        "import synergy; s = synergy.datasets.load('sf_oneil'); assert s.synergy.problems() == []"
    ),
    "hill on arrays": (
        "import sys, numpy as np, synergy.hill as h\n"
        "h.fit(np.array([0, 1, 3, 10, 30.]), np.array([0, 10, 40, 80, 95.]))\n"
        "assert 'xarray' not in sys.modules and 'pandas' not in sys.modules"
    ),
}


@pytest.mark.parametrize("code", CASES.values(), ids=CASES.keys())
def test_accessor_registration(code):
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
