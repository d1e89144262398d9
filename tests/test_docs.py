"""The documentation site builds without a warning (fast subset) and documents every public name.

The fast subset is the whole site except the executed parts: notebooks are rendered without
running them and the gallery shows its code without drawing (``SYNERGY_DOCS_FAST=1``);
``make docs`` builds everything.  Broken cross-references, docstrings that are not valid
reStructuredText, and public names missing from the API reference fail here.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

import synergy

DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("docs")
    env = {**os.environ, "SYNERGY_DOCS_FAST": "1", "MPLBACKEND": "Agg"}
    cmd = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html"]
    cmd += ["-d", str(out / "doctrees"), str(DOCS), str(out / "html")]
    run = subprocess.run(cmd, env=env, capture_output=True, text=True)
    assert run.returncode == 0, f"sphinx-build failed:\n{run.stdout[-4000:]}\n{run.stderr[-8000:]}"
    return out / "html"


def inventory(html: Path) -> dict[str, dict]:
    from sphinx.util.inventory import InventoryFile

    with open(html / "objects.inv", "rb") as stream:
        inv = InventoryFile.load(stream, "", lambda base, uri: uri)
    return {kind: dict(entries) for kind, entries in getattr(inv, "data", inv).items()}


def test_every_public_name_is_in_the_api_reference(built):
    sys.path.insert(0, str(DOCS / "_ext"))
    try:
        import synergy_docs
    finally:
        sys.path.pop(0)
    inv = inventory(built)
    documented = set().union(*(set(v) for k, v in inv.items() if k.startswith("py:")))
    pages = set(inv["std:doc"])
    missing = []
    for name in synergy.__all__:
        value = getattr(synergy, name)
        full = value.__name__ if isinstance(value, types.ModuleType) else f"synergy.{name}"
        if full not in documented and f"api/{full}" not in pages:
            missing.append(full)
    for module_name in synergy_docs.public_modules():
        module = importlib.import_module(module_name)
        if f"api/{module_name}" not in pages:
            missing.append(module_name)
        for name in synergy_docs.public_names(module):
            if f"{module_name}.{name}" not in documented:
                missing.append(f"{module_name}.{name}")
    assert not missing, f"not in the API reference: {missing}"
    # the layers users meet first are all there
    for module_name in ("synergy.io", "synergy.models", "synergy.hill", "synergy.plot"):
        assert f"api/{module_name}" in pages


def test_gallery_and_pages(built):
    import synergy.plot

    gallery = (built / "gallery.html").read_text(encoding="utf-8")
    for name in synergy.plot.__all__:
        assert f"synergy.plot.{name}" in gallery, name
    table = (built / "coming_from_synergyfinder.html").read_text(encoding="utf-8")
    assert table.count("<tr") >= 15 + 2  # >= 15 rows besides the two header rows
    for page in ("getting_started", "models", "cli", "changelog", "examples/index"):
        assert (built / f"{page}.html").exists(), page
    assert synergy.__version__ in (built / "index.html").read_text(encoding="utf-8")
