"""Fixtures of the model tests.

The helpers live in ``model_cases.py`` (SynergyFinder example screens with its fits
injected, noise-free synthetic screens, a slow scipy slice fitter); with pytest's
``--import-mode=importlib`` a test module cannot import a sibling, so this conftest
(loaded before the test modules) registers it as the module ``model_cases``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest


def _load_cases() -> ModuleType:
    if "model_cases" in sys.modules:
        return sys.modules["model_cases"]
    spec = importlib.util.spec_from_file_location(
        "model_cases", Path(__file__).with_name("model_cases.py")
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["model_cases"] = module
    spec.loader.exec_module(module)
    return module


CASES = _load_cases()


@pytest.fixture(scope="session")
def cases() -> ModuleType:
    """The helper module ``model_cases``."""
    return CASES


@pytest.fixture(scope="session", params=["sf_mathews", "sf_oneil"])
def sf_case(request):
    """One SynergyFinder example set with SynergyFinder's fits injected."""
    return CASES.SFCase(request.param)
