"""The interactive report: a page that draws every block in the browser from embedded data.

Output: ``name.html`` and a folder ``name_files/`` beside it holding the script, the style,
the overview data and the blocks' data in chunks loaded with ``<script src>`` when a block
is opened (Chromium blocks ``fetch()`` of local files on ``file://`` pages), plus the full
block table as CSV (and Excel when openpyxl is installed).  ``self_contained=True`` writes
one file instead (data chunks as inline JSON, the CSV as a data link): for small screens
and e-mail.  docs/design.md §17.
"""

from __future__ import annotations

import base64
import shutil
import time
from importlib import resources
from pathlib import Path
from string import Template

import numpy as np
import xarray as xr

from synergy.errors import SynergyError
from synergy.report._build import _prepare
from synergy.report._glossary import glossary_html
from synergy.report._html import esc
from synergy.report._payload import block_context, block_payload, overview, safe_json, script
from synergy.report._tables import summary

CHUNK = 200  # blocks per data file: ~0.5 MB, one opens in well under a second
EXCEL_LIMIT = 500  # above, openpyxl takes longer than the rest of the page: CSV only


def _asset(name: str) -> str:
    return resources.files("synergy.report").joinpath("assets", name).read_text(encoding="utf-8")


def files_folder(path: Path) -> Path:
    """The folder beside ``path`` holding its data and script (``a.html`` → ``a_files``)."""
    return path.with_name(f"{path.stem}_files")


def _layout(title: str, subtitle: list[str], downloads: str, top: int) -> str:
    """The page's body around the drawn parts (``assets/layout.html``)."""
    lines = "".join(f"<p>{line}</p>" for line in subtitle)
    return Template(_asset("layout.html")).substitute(
        title=esc(title), lines=lines, downloads=downloads, top=top, glossary=glossary_html()
    )


def _downloads(csv_href: str | None, xlsx_href: str | None) -> str:
    links = []
    if csv_href:
        links.append(f'<a href="{csv_href}" download="blocks.csv">full table (CSV)</a>')
    if xlsx_href:
        links.append(f'<a href="{xlsx_href}" download="blocks.xlsx">(Excel)</a>')
    return " ".join(links)


def write_interactive(
    screen: xr.Dataset,
    path: Path,
    models: list[str],
    *,
    title: str,
    subtitle: list[str],
    self_contained: bool = False,
    top: int = 10,
    overwrite: bool = False,
) -> Path:
    """Write the interactive report of a scored screen (see the module docstring).

    Parameters
    ----------
    screen : xarray.Dataset
        A scored screen.
    path : Path
        The ``.html`` file.
    models : list of str
        Scored models, the ranking model first.
    title : str
        Page title.
    subtitle : list of str
        Header lines (ready HTML).
    self_contained : bool, default False
        One file, no folder beside it.
    top : int, default 10
        Blocks in the "top" list.
    overwrite : bool, default False
        Replace an existing ``<name>_files`` folder (the page itself is the caller's check).

    Returns
    -------
    Path
        The page.
    """
    from synergy.io.table import to_table

    started = time.perf_counter()
    scores = np.asarray(screen[f"{models[0]}_score"].values, dtype=np.float64)
    order = np.argsort(-np.nan_to_num(scores, nan=-np.inf), kind="stable")
    folder = files_folder(path)
    data = overview(screen, models, order)
    data.update({"chunk": CHUNK, "dir": folder.name, "top": top})
    context = block_context(screen, models)
    n = screen.sizes["block"]
    chunks = [
        [block_payload(models, i, context) for i in range(k, min(k + CHUNK, n))]
        for k in range(0, n, CHUNK)
    ]
    table = to_table(screen, level="block")
    csv_text = table.to_csv(
        index=False, float_format="%.5g"
    )  # 6 digits: a 10,000-block table stays small
    subtitle = [*subtitle, f"page built in {time.perf_counter() - started:.1f} s"]
    if self_contained:
        csv_href = "data:text/csv;base64," + base64.b64encode(csv_text.encode()).decode("ascii")
        inline = "".join(
            f'<script type="application/json" id="chunk-{k}">{safe_json(c)}</script>'
            for k, c in enumerate(chunks)
        )
        head = f"<style>{_asset('report.css')}</style>"
        scripts = (
            f"{inline}<script>{_asset('report.js')}</script>"
            f"<script>{script('SYNERGY.overview', data)}SYNERGY.start();</script>"
        )
        body = _layout(title, subtitle, _downloads(csv_href, None), top)
    else:
        if folder.exists():
            if not overwrite:
                raise SynergyError(
                    f"{folder} exists: remove it, choose another output name or pass overwrite"
                )
            shutil.rmtree(folder)
        folder.mkdir()
        (folder / "report.js").write_text(_asset("report.js"), encoding="utf-8")
        (folder / "report.css").write_text(_asset("report.css"), encoding="utf-8")
        (folder / "overview.js").write_text(script("SYNERGY.overview", data), encoding="utf-8")
        for k, chunk in enumerate(chunks):
            (folder / f"blocks-{k:05d}.js").write_text(
                script("SYNERGY.chunk", chunk, lead=f"{k},"), encoding="utf-8"
            )
        (folder / "blocks.csv").write_text(csv_text, encoding="utf-8")
        xlsx = None
        if n <= EXCEL_LIMIT:
            try:
                import openpyxl  # noqa: F401

                table.to_excel(folder / "blocks.xlsx", index=False)
                xlsx = f"{folder.name}/blocks.xlsx"
            except ImportError:
                pass
        head = f'<link rel="stylesheet" href="{folder.name}/report.css">'
        scripts = (
            f'<script src="{folder.name}/report.js"></script>'
            f'<script src="{folder.name}/overview.js"></script><script>SYNERGY.start();</script>'
        )
        body = _layout(title, subtitle, _downloads(f"{folder.name}/blocks.csv", xlsx), top)
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title>{head}</head><body>{body}{scripts}</body></html>\n"
    )
    path.write_text(page, encoding="utf-8")
    return path


def write_interactive_report(
    screen: xr.Dataset,
    path: str | Path,
    *,
    title: str | None = None,
    rank_by: str | None = None,
    self_contained: bool = False,
    top: int = 10,
    overwrite: bool = False,
) -> Path:
    """Write the interactive report: every block drawn in the browser from embedded data.

    The page holds the screen summary, the distribution of scores, the top ``top`` blocks,
    the flagged blocks grouped by reason, the ranked table of every block (search, sort,
    filter; the full table as CSV, and Excel with openpyxl) and, for the block opened, its
    scores, fits, dose–response curves, hoverable maps of observed inhibition, reference
    and δ (optionally smoothed), a rotatable 3-D δ surface and a barometer of the four
    references at a chosen well.  Pair and N-drug screens alike (N-drug: one map per dose
    of the third drug).  No network, no library: the page's script draws on canvas/SVG.

    Parameters
    ----------
    screen : xarray.Dataset
        A scored screen (:func:`synergy.score`).
    path : str or Path
        The ``.html`` file; its data and script go to ``<name>_files/`` beside it.
    title : str, optional
        Page title (default: the provenance's description, else "synergy report").
    rank_by : str, optional
        Model whose score ranks the blocks (default: the first scored of ZIP, Bliss, HSA,
        Loewe).
    self_contained : bool, default False
        Write one file (data inline) instead of the page and its folder.
    top : int, default 10
        Length of the "top blocks" list.
    overwrite : bool, default False
        Replace an existing ``<name>_files`` folder.

    Returns
    -------
    Path
        The page.
    """
    models, title = _prepare(screen, rank_by, title)
    subtitle = summary(screen, models)
    from synergy._version import __version__

    subtitle.append(f"synergy {esc(__version__)}")
    return write_interactive(
        screen,
        Path(path),
        models,
        title=title,
        subtitle=subtitle,
        self_contained=self_contained,
        top=top,
        overwrite=overwrite,
    )
