"""Published synergy tables: :func:`read_published`.

Reads the tables other tools publish and brings them to one shape, :class:`PublishedScores`:

- SynergyFinder 3 per-block output (``block_id``, ``drug1``, ``drug2``, ``ZIP_synergy``,
  ``Bliss_synergy``, ``HSA_synergy``, ``Loewe_synergy`` …) — also what
  ``synergy.to_table(scored, level="block")`` writes;
- SynergyFinder 3 per-well surfaces (``block_id``, ``conc1``, ``conc2``, ``<Model>_synergy``);
- SynergyFinder 3 single-drug fits (``block_id``, ``drug`` = ``conc1``/``conc2``, ``model``
  = ``LL.4``/``L.4``, drc's ``b``, ``c``, ``d``, ``e``), e.g. ``synergyfinder3_drc.csv``;
- DrugComb summaries (``block_id``, ``drug_row``, ``drug_col``, ``cell_line_name``,
  ``synergy_zip`` … or ``ZIP`` …) and per-well tables (``conc_row``, ``conc_col``);
- any other table through an explicit mapping (``columns={"zip": "ZIP score", ...}``);
- SynergyFinder 3's tables of N ≥ 3 drugs (``drug1..drugN``, ``conc1..concN``;
  :mod:`synergy.benchmark.canonical`), compared with N-drug screens.

Scores are δ in % points (positive = synergy); concentrations of per-well tables must be in
the screen's unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from synergy.benchmark.canonical import (
    blocks_from_wells,
    canonical,
    check_unique,
    merge_wells,
    n_table_drugs,
    numbered_canonical,
    replicate_flag,
)
from synergy.benchmark.columns import MODELS
from synergy.errors import ColumnError, FormatError, SynergyError

__all__ = ["FORMATS", "MODELS", "PublishedScores", "read_published"]

_SAMPLE = ("sample", "cell_line_name", "cell_line")

#: accepted column names per format and role (matched case-insensitively), first found wins
FORMATS: dict[str, dict[str, tuple[str, ...]]] = {
    "synergyfinder": {
        "block": ("block_id",),
        "drug_row": ("drug1",),
        "drug_col": ("drug2",),
        "sample": _SAMPLE,
        "conc_row": ("conc1",),
        "conc_col": ("conc2",),
        "zip": ("ZIP_synergy",),
        "bliss": ("Bliss_synergy",),
        "hsa": ("HSA_synergy",),
        "loewe": ("Loewe_synergy",),
    },
    "drugcomb": {
        "block": ("block_id",),
        "drug_row": ("drug_row",),
        "drug_col": ("drug_col",),
        "sample": _SAMPLE,
        "conc_row": ("conc_row", "conc_r"),
        "conc_col": ("conc_col", "conc_c"),
        "zip": ("synergy_zip", "ZIP"),
        "bliss": ("synergy_bliss", "Bliss"),
        "hsa": ("synergy_hsa", "HSA"),
        "loewe": ("synergy_loewe", "Loewe"),
    },
}
_FITS = {"block": ("block_id",), "drug": ("drug",), "model": ("model",)}
_FITS.update({k: (k,) for k in "bcde"})
ROLES = ("block", "drug_row", "drug_col", "sample", "conc_row", "conc_col", *MODELS)


@dataclass
class PublishedScores:
    """Published scores in one shape.

    Attributes
    ----------
    blocks : pandas.DataFrame
        One row per published block: ``block`` (str, or None when the table has no ids),
        ``drug_row``, ``drug_col``, ``sample`` (None where not given) and one float column per
        model present (``bliss``, ``hsa``, ``loewe``, ``zip``: block score, % points); from
        SynergyFinder's ``replicate`` column also ``replicated`` (True: scored with
        replicates, so the scores are means of bootstrap draws).
    wells : pandas.DataFrame or None
        Per-well δ: ``block``, ``conc_row``, ``conc_col`` (screen's unit) and the models.
    fits : pandas.DataFrame or None
        The published tool's single-drug fits: ``block``, ``side`` (``row``/``col``),
        ``ic50``, ``hill_slope``, ``bottom``, ``top`` (docs/design.md §3) and ``l4`` (True for
        SynergyFinder's L.4 fallback, evaluated at dose 1e-10 for dose 0).
    tables : list of dict
        Per table read: ``source``, ``format`` (detected or given), ``level``
        (``block``/``well``/``fits``) and ``columns`` (our role → the table's column).
    n_drugs : int
        Drugs per combination: 2, or N ≥ 3 for SynergyFinder's multi-drug tables, whose
        ``blocks`` hold ``drugs`` (tuple of names, the table's order) instead of
        ``drug_row``/``drug_col``, ``wells`` hold ``conc_1..conc_N`` and ``fits`` name the
        drug by its position (``side`` = ``"1"`` … ``"N"``).
    """

    blocks: pd.DataFrame
    wells: pd.DataFrame | None = None
    fits: pd.DataFrame | None = None
    tables: list[dict[str, Any]] = field(default_factory=list)
    n_drugs: int = 2

    @property
    def models(self) -> tuple[str, ...]:
        """Models with published block scores."""
        return tuple(m for m in MODELS if m in self.blocks)

    def describe(self) -> list[str]:
        """One line per table read: what it is and which columns were used."""
        lines = []
        for table in self.tables:
            used = ", ".join(f"{role}={col}" for role, col in table["columns"].items())
            lines.append(
                f"{table['source']}: {table['format']} {table['level']} table "
                f"({table['n_rows']} rows); columns used: {used}"
            )
        return lines


def read_published(
    source: Any,
    *,
    format: str = "auto",
    columns: dict[str, str] | None = None,
) -> PublishedScores:
    """Read published synergy scores (block scores, per-well surfaces, single-drug fits).

    Parameters
    ----------
    source : path, pandas.DataFrame, or a list of them
        One table, or several tables of one publication (e.g. SynergyFinder's summary,
        surface and fit tables): each is detected by its columns.  A list's block tables
        are concatenated; block scores of a publication that only has per-well tables are
        the mean δ over its combination wells (both doses > 0), as SynergyFinder defines them.
    format : {"auto", "synergyfinder", "drugcomb", "columns"}
        ``"auto"`` detects the format from the column names (:data:`FORMATS`);
        ``"columns"`` uses ``columns`` only.
    columns : dict, optional
        Explicit mapping of our roles to the table's columns, e.g. ``{"block": "Combination
        ID", "zip": "ZIP score"}``; roles: ``block``, ``drug_row``, ``drug_col``, ``sample``,
        ``conc_row``, ``conc_col`` (a per-well table), ``bliss``, ``hsa``, ``loewe``, ``zip``.
        With another ``format`` the mapping overrides the detected columns.

    Returns
    -------
    PublishedScores

    Raises
    ------
    SynergyError
        A table matching no format (the message lists the columns found and what is accepted),
        an unknown role or column, non-numeric scores, or a block id repeated in a block table.
    """
    sources = list(source) if isinstance(source, list | tuple) else [source]
    if not sources:
        raise SynergyError("read_published: no table given")
    if format not in ("auto", "synergyfinder", "drugcomb", "columns"):
        raise SynergyError(
            f"format must be 'auto', 'synergyfinder', 'drugcomb' or 'columns', got {format!r}"
        )
    if format == "columns" and not columns:
        raise SynergyError("format='columns' needs columns={role: column, ...}")
    block_parts, well_parts, fit_parts, tables, n_drugs = [], [], [], [], set()
    for item in sources:
        table, name = _as_frame(item)
        level, fmt, used = _detect(table, name, format, columns)
        n_numbered = n_table_drugs(table)
        if level != "fits":
            n_drugs.add(n_numbered or 2)
        if level == "fits":
            from synergy.benchmark.fits import fits_table

            fit_parts.append(fits_table(table, used, name))
        else:
            if n_numbered:
                used = {k: v for k, v in used.items() if k not in ("conc_row", "conc_col")}
                level, part, used = numbered_canonical(table, used, name, n_numbered)
            else:
                part = canonical(table, used, name)
            if level == "block":
                replicate_flag(table, part, used)
            (well_parts if level == "well" else block_parts).append(part)
        tables.append(
            {"source": name, "format": fmt, "level": level, "columns": used, "n_rows": len(table)}
        )
    if len(n_drugs) > 1:
        raise SynergyError(
            f"read_published: the tables are of {sorted(n_drugs)} drugs per combination; give "
            "the tables of one publication"
        )
    n = n_drugs.pop() if n_drugs else 2
    wells = merge_wells(well_parts, n) if well_parts else None
    if block_parts:
        blocks = pd.concat(block_parts, ignore_index=True)
        check_unique(blocks, "block table")
    elif wells is not None:
        blocks = blocks_from_wells(wells, n)
        tables.append({**tables[0], "note": "block scores = mean δ over combination wells"})
    else:
        raise SynergyError(
            "read_published: only single-drug fit tables were given; add a table of block "
            "scores or per-well surfaces"
        )
    fits = pd.concat(fit_parts, ignore_index=True) if fit_parts else None
    return PublishedScores(blocks=blocks, wells=wells, fits=fits, tables=tables, n_drugs=n)


def _as_frame(item: Any) -> tuple[pd.DataFrame, str]:
    if isinstance(item, pd.DataFrame):
        return item, "<DataFrame>"
    path = Path(item)
    if not path.is_file():
        raise FormatError(f"{path}: no such file")
    try:
        if path.suffix.lower() == ".parquet":
            return pd.read_parquet(path), str(path)
        sep = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
        return pd.read_csv(path, sep=sep), str(path)
    except (ValueError, OSError) as exc:  # pandas' parser errors are ValueErrors
        raise FormatError(f"{path}: cannot read the table: {exc}") from exc


def _lookup(table: pd.DataFrame) -> dict[str, str]:
    return {str(c).strip().lower(): c for c in table.columns}


def _find(table: pd.DataFrame, aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    lower = _lookup(table)
    found = {}
    for role, names in aliases.items():
        for name in names:
            if name.lower() in lower:
                found[role] = lower[name.lower()]
                break
    return found


def _usable(found: dict[str, str]) -> bool:
    has_key = "block" in found or ("drug_row" in found and "drug_col" in found)
    return has_key and any(m in found for m in MODELS)


def _accepted() -> str:
    lines = []
    for fmt, aliases in FORMATS.items():
        scores = ", ".join("|".join(aliases[m]) for m in MODELS)
        lines.append(
            f"  {fmt}: {'|'.join(aliases['block'])} or {aliases['drug_row'][0]} + "
            f"{aliases['drug_col'][0]}, at least one score of {scores}; per-well tables add "
            f"{'|'.join(aliases['conc_row'])} and {'|'.join(aliases['conc_col'])}"
        )
    lines.append("  single-drug fits (SynergyFinder's drc table): block_id, drug, model, b..e")
    lines.append(
        "  any other table: format='columns', columns={'block': ..., 'zip': ..., ...} "
        f"(roles: {', '.join(ROLES)})"
    )
    return "\n".join(lines)


def _detect(
    table: pd.DataFrame, name: str, format: str, columns: dict[str, str] | None
) -> tuple[str, str, dict[str, str]]:
    """(level, format, role → column) of one table."""
    fits = _find(table, _FITS)
    if format in ("auto", "synergyfinder") and len(fits) == len(_FITS) and not columns:
        return "fits", "synergyfinder", fits
    used: dict[str, str] = {}
    fmt = format
    if format == "auto":
        candidates = {f: _find(table, a) for f, a in FORMATS.items()}
        usable = {f: c for f, c in candidates.items() if _usable(c)}
        if usable:
            fmt = max(usable, key=lambda f: len(usable[f]))
            used = usable[fmt]
        elif columns:
            fmt = "columns"
    elif format != "columns":
        used = _find(table, FORMATS[format])
    if columns:
        unknown = sorted(set(columns) - set(ROLES))
        if unknown:
            raise ColumnError(f"{name}: unknown role(s) {unknown} in columns=; roles: {ROLES}")
        missing = sorted(c for c in columns.values() if c not in table.columns)
        if missing:
            raise ColumnError(
                f"{name}: column(s) {missing} given in columns= are not in the table; "
                f"found: {[str(c) for c in table.columns]}"
            )
        used = {**used, **columns}
    if not _usable(used):
        wanted = f"the {format} format" if format != "auto" else "a known format"
        raise FormatError(
            f"{name}: the table does not match {wanted}: it needs a block id (or both drug "
            f"names) and at least one synergy score column.\n  found columns: "
            f"{', '.join(str(c) for c in table.columns)}\n  accepted:\n{_accepted()}"
        )
    if ("conc_row" in used) != ("conc_col" in used):
        used.pop("conc_row", None)
        used.pop("conc_col", None)
    level = "well" if "conc_row" in used else "block"
    return level, fmt, {role: used[role] for role in ROLES if role in used}
