"""Sphinx configuration of the synergy documentation.

``make docs`` builds the whole site into ``docs/_build/html`` with warnings as errors:
the example notebooks are executed and the gallery figures drawn.  With the environment
variable ``SYNERGY_DOCS_FAST=1`` (the build ``tests/test_docs.py`` runs inside
``make test``) the notebooks are rendered without executing them and the gallery shows
its code without drawing the figures; everything else (API reference, cross-references,
pages) is built and checked the same way.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

import synergy  # noqa: E402

FAST = os.environ.get("SYNERGY_DOCS_FAST", "") not in ("", "0")

project = "synergy"
author = "synergy developers"
copyright = "synergy developers"
version = release = synergy.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_nb",
    "synergy_docs",
]
if not FAST:
    extensions.append("sphinx.ext.viewcode")  # source pages: the full build only

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints", "cli_reference.md", "jupyter_execute"]
templates_path = ["_templates"]

# the site is checked: every cross-reference inside the project must resolve
nitpicky = True
# intersphinx inventories cannot be fetched here: names of other libraries stay plain text
nitpick_ignore_regex = [
    # private modules and names (a component starting with "_") are not documented
    (r"py:.*", r"synergy(\.\w+)*\._\w*([.\s][\s\S]*)?"),
    (
        r"py:.*",
        r"(numpy|np|xarray|xr|pandas|pd|matplotlib|scipy|lmfit|dask|distributed"
        r"|numba|click|pathlib|os|collections|typing|datetime|concurrent|zarr)(\..*)?",
    ),
    (
        r"py:.*",
        r"(ArrayLike|NDArray|Figure|Axes|DataFrame|Dataset|DataArray|Path|PathLike"
        r"|Sequence|Mapping|Iterable|Iterator|Callable|Any|Literal|Hashable|Self)",
    ),
]

myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

synergy_docs_fast = FAST  # read by _ext/synergy_docs.py: the gallery is drawn or not
nb_execution_mode = "off" if FAST else "force"
nb_execution_timeout = 900
nb_execution_raise_on_error = True
nb_merge_streams = True

autosummary_generate = False  # the API pages are written by _ext/synergy_docs.py
autodoc_default_options = {"members": True, "member-order": "bysource"}
autodoc_typehints = "none"  # the numpydoc "Parameters" sections carry the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()

html_theme = "pydata_sphinx_theme"
html_title = f"synergy {release}"
html_theme_options = {
    "logo": {"text": f"synergy {release}"},
    "show_toc_level": 2,
    "navbar_align": "left",
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_context = {"default_mode": "light"}
html_static_path: list[str] = []
