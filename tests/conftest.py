"""Shared fixtures: paths of the bundled reference data (package data, in every clone)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """Folder of the bundled reference data sets (``synergy/datasets/data``)."""
    return Path(str(files("synergy.datasets") / "data"))
