"""Pages of the synergy site that are generated at build time (Sphinx extension).

- ``api/``: one page per public module (every module of ``synergy`` whose dotted path has no
  component starting with ``_``), listing the module's ``__all__`` (or, without one, the
  functions and classes it defines), and ``api/index.rst`` grouping them; so a new public
  name or module appears in the reference without editing anything.
- ``examples/``: the notebooks of ``notebooks/`` (executed by myst-nb in the full build).
- ``gallery.md``: one figure per :mod:`synergy.plot` function, drawn from the code in
  ``gallery_examples.py``; the build fails when a plot function has no example.
- ``internals.md``: a table of contents of the design documents present in ``docs/``.
- ``cli_reference.md``: the help text of every ``synergy`` command.

Generated files are listed in ``docs/.gitignore``.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import shutil
import types
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

import synergy

DOCS = Path(__file__).resolve().parents[1]
REPO = DOCS.parent

# modules documented as a whole elsewhere (the CLI is click commands: see cli.md)
SKIP_MODULES = ("synergy.cli",)
# plot names that are not figures (drawn inside another figure)
# names of synergy.plot that draw nothing themselves: what the gallery says of them
NOT_FIGURES = {
    "replicate_sd": "is not a figure: {func}`synergy.plot.plate_qc` draws it.",
    "format_dose": "is not a figure: the dose text (µM, nM …) the figures and the report print.",
    "ic50_text": "is not a figure: an IC50 capped at the tested doses (``> top dose``).",
    "dose_interval_text": "is not a figure: a dose interval, or ``not identified``.",
    "interval_identified": "is not a figure: whether a dose interval bounds its estimate.",
    "unit_text": "is not a figure: a unit as readers write it (``uM`` → µM).",
}
# design documents shown under "Design and internals" when present
INTERNALS = (
    ("design", "Design"),
    ("synergyfinder", "SynergyFinder's exact rules"),
    ("bad_input", "Bad input"),
)
GROUPS = (
    ("synergy", "Top level"),
    ("synergy.io", "Reading, validating and writing screens"),
    ("synergy.accessor", "The ``ds.synergy`` accessor"),
    ("synergy.hill", "Single-drug (Hill) fits"),
    ("synergy.models", "Synergy models"),
    ("synergy.sensitivity", "Sensitivity (IC50, RI, CSS, S)"),
    ("synergy.stats", "Uncertainty and comparisons"),
    ("synergy.window", "Therapeutic window"),
    ("synergy.scoring", "Scoring"),
    ("synergy.batch", "Whole screens, batches and dask"),
    ("synergy.benchmark", "Benchmarks against published scores"),
    ("synergy.datasets", "Data sets and simulators"),
    ("synergy.plot", "Figures"),
    ("synergy.report", "HTML report"),
    ("synergy.errors", "Errors"),
    ("synergy.demo", "Demo"),
)


def public_modules() -> list[str]:
    """Every importable module of ``synergy`` without a private component, sorted."""
    names = ["synergy"]
    for info in pkgutil.walk_packages(synergy.__path__, "synergy."):
        parts = info.name.split(".")
        if any(p.startswith("_") for p in parts) or info.name.startswith(SKIP_MODULES):
            continue
        names.append(info.name)
    return sorted(names)


def public_names(module: types.ModuleType) -> list[str]:
    """The names a module's page documents: its ``__all__``, else what it defines."""
    if module.__name__ == "synergy":
        # __all__ plus the lazily imported functions the package also offers
        lazy = getattr(module, "_LAZY", {})
        names = sorted(set(module.__all__) | set(lazy))
    elif hasattr(module, "__all__"):
        names = list(module.__all__)
    else:
        names = sorted(
            name
            for name, obj in vars(module).items()
            if not name.startswith("_")
            and (inspect.isfunction(obj) or inspect.isclass(obj))
            and getattr(obj, "__module__", None) == module.__name__
        )
    return [n for n in names if not isinstance(getattr(module, n), types.ModuleType)]


def directive(obj: object) -> str:
    if inspect.isclass(obj):
        return "autoclass"
    if callable(obj):
        return "autofunction"
    return "autodata"


def shadowed_modules(modules: list[str]) -> set[str]:
    """Modules whose package exports a function or class of the same name
    (``synergy.hill.fit`` the function and ``synergy.hill.fit`` the module): the object
    keeps the name in the index; ``:mod:`` references reach the module's page through
    :func:`link_shadowed_module`."""
    shadowed = set()
    for name in modules:
        parent, _, last = name.rpartition(".")
        if parent and last in public_names(importlib.import_module(parent)):
            shadowed.add(name)
    return shadowed


def module_page(name: str, shadowed: bool = False) -> str:
    module = importlib.import_module(name)
    names = public_names(module)
    title = f"``{name}``"
    lines = [title, "=" * len(title), "", f".. automodule:: {name}", "   :no-members:"]
    lines += ["   :no-index:", ""] if shadowed else [""]
    lines += [f".. currentmodule:: {name}", ""]
    submodules = [
        n
        for n in getattr(module, "__all__", [])
        if isinstance(getattr(module, n, None), types.ModuleType)
    ]
    if names:
        lines += [".. autosummary::", ""] + [f"   {n}" for n in names] + [""]
    if submodules:
        lines += ["Modules: " + ", ".join(f":mod:`{name}.{n}`" for n in submodules), ""]
    for n in names:
        kind = directive(getattr(module, n))
        lines.append(f".. {kind}:: {n}")
        if kind == "autoclass":
            lines += ["   :members:", "   :undoc-members:"]
        if kind == "autodata":
            lines.append("   :no-value:")
        lines.append("")
    return "\n".join(lines)


def group_of(name: str) -> str:
    best = "synergy"
    for prefix, _ in GROUPS:
        if (name == prefix or name.startswith(prefix + ".")) and len(prefix) > len(best):
            best = prefix
    return best


def write_if_changed(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def write_api() -> None:
    out = DOCS / "api"
    modules = public_modules()
    for old in out.glob("synergy*.rst"):
        if old.stem not in modules:
            old.unlink()
    shadowed = shadowed_modules(modules)
    for name in modules:
        write_if_changed(out / f"{name}.rst", module_page(name, name in shadowed))
    lines = [
        "API reference",
        "=============",
        "",
        "Every public module of ``synergy`` and what it exports (its ``__all__``); the pages",
        "are generated from the docstrings at build time.  ``import synergy`` gives the",
        "top-level names; the submodules load on first use.",
        "",
    ]
    known = {prefix for prefix, _ in GROUPS}
    unknown = sorted({group_of(m) for m in modules} - known)
    if unknown:  # pragma: no cover - a new top-level module needs a group
        raise ExtensionError(f"public modules without an API group: {unknown}")
    for prefix, heading in GROUPS:
        members = [m for m in modules if group_of(m) == prefix]
        if not members:
            continue
        lines += [heading, "-" * len(heading), "", ".. toctree::", "   :maxdepth: 1", ""]
        lines += [f"   {m}" for m in members] + [""]
    write_if_changed(out / "index.rst", "\n".join(lines))


def copy_notebooks() -> None:
    out = DOCS / "examples"
    out.mkdir(exist_ok=True)
    for notebook in sorted((REPO / "notebooks").glob("*.ipynb")):
        target = out / notebook.name
        if not target.exists() or target.read_bytes() != notebook.read_bytes():
            shutil.copyfile(notebook, target)


def write_internals() -> None:
    present = [(stem, title) for stem, title in INTERNALS if (DOCS / f"{stem}.md").exists()]
    lines = [
        "# Design and internals",
        "",
        "How the project is built and why: the data model, the layers, the numerical",
        "contracts, the status codes and the decisions behind them.",
        "",
        "```{toctree}",
        ":maxdepth: 2",
        "",
        *[stem for stem, _ in present],
        "```",
        "",
    ]
    write_if_changed(DOCS / "internals.md", "\n".join(lines))


def write_gallery(draw: bool) -> None:
    from gallery_examples import EXAMPLES, SETUP

    import synergy.plot

    figures = [n for n in synergy.plot.__all__ if n not in NOT_FIGURES]
    missing = sorted(set(figures) - set(EXAMPLES))
    extra = sorted(set(EXAMPLES) - set(figures))
    if missing or extra:
        raise ExtensionError(
            f"docs/_ext/gallery_examples.py: plot functions without an example {missing}, "
            f"examples of no plot function {extra}"
        )
    images = DOCS / "gallery_images"
    namespace: dict[str, object] = {}
    if draw:
        import matplotlib

        matplotlib.use("Agg")
        images.mkdir(exist_ok=True)
        exec(SETUP, namespace)
    lines = [
        "# Gallery",
        "",
        "Every figure of {mod}`synergy.plot`, drawn from the bundled data by the code above",
        "it (figures are {class}`matplotlib.figure.Figure` objects: save with",
        '`fig.savefig("x.png")`).  Common set-up:',
        "",
        "```python",
        SETUP.strip(),
        "```",
        "",
    ]
    if not draw:
        lines += [
            ":::{note}",
            "This build did not draw the figures (fast build); `make docs` draws them.",
            ":::",
            "",
        ]
    for name in synergy.plot.__all__:
        if name in NOT_FIGURES:
            lines += [
                f"## {name}",
                "",
                f"{{func}}`synergy.plot.{name}` {NOT_FIGURES[name]}",
                "",
            ]
            continue
        code = EXAMPLES[name].strip()
        lines += [f"## {name}", "", f"{{func}}`synergy.plot.{name}`", "", "```python", code]
        lines += ["```", ""]
        if draw:
            local = dict(namespace)
            exec(code, local)
            fig = local["fig"]
            fig.savefig(images / f"{name}.png", dpi=80)
            lines += [f"![{name}](gallery_images/{name}.png)", ""]
    write_if_changed(DOCS / "gallery.md", "\n".join(lines))


def write_cli() -> None:
    import click

    from synergy.cli import main

    lines = []
    root = click.Context(main, info_name="synergy")
    for name in ["", *sorted(main.commands)]:
        command = main if not name else main.commands[name]
        ctx = root if not name else click.Context(command, info_name=name, parent=root)
        title = "synergy" + (f" {name}" if name else "")
        lines += [f"## {title}", "", "```text", command.get_help(ctx), "```", ""]
    write_if_changed(DOCS / "cli_reference.md", "\n".join(lines))


_LITERAL = re.compile(r"(``.+?``)")
_ABS = re.compile(r"(?<![\\`|])\|([^|`\n]+?)\|(?![`_|])")
_STAR = re.compile(r"(?<![\\*`])\*(?=[A-Z],|[A-Z]\)|[A-Z]\b)")


def plain_text_marks(app, what, name, obj, options, lines: list[str]) -> None:
    """Docstrings write |x| for absolute values and (*S, 4) for batch shapes: escape them
    outside literals, so that reStructuredText reads them as text (not substitutions or
    emphasis)."""
    for i, line in enumerate(lines):
        parts = _LITERAL.split(line)
        for j in range(0, len(parts), 2):  # the even parts are outside ``literals``
            parts[j] = _STAR.sub(r"\\*", _ABS.sub(r"\\|\1\\|", parts[j]))
        lines[i] = "".join(parts)


def link_shadowed_module(app: Sphinx, env, node, contnode):
    """Resolve ``:mod:`` references to a module whose name an exported object holds."""
    from sphinx.util.nodes import make_refnode

    if node.get("refdomain") != "py" or node.get("reftype") != "mod":
        return None
    target = node.get("reftarget", "")
    if target not in app.env.found_docs and f"api/{target}" in app.env.found_docs:
        return make_refnode(app.builder, node["refdoc"], f"api/{target}", None, contnode, target)
    return None


def generate(app: Sphinx) -> None:
    fast = bool(app.config.synergy_docs_fast)
    write_api()
    copy_notebooks()
    write_internals()
    write_cli()
    write_gallery(draw=not fast)


def setup(app: Sphinx) -> dict[str, object]:
    app.add_config_value("synergy_docs_fast", False, "env")
    app.connect("builder-inited", generate)
    app.connect("autodoc-process-docstring", plain_text_marks)
    app.connect("missing-reference", link_shadowed_module)
    return {"parallel_read_safe": True, "version": synergy.__version__}
