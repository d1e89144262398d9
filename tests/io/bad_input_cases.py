"""Malformed and awkward inputs derived from the bundled sets (docs/bad_input.md).

Every case is built inside the test run from ``sf_oneil`` (two 5×5 blocks) or
``sf_mathews``, written the way a real export writes it.  A case expects either a read
where every input block is present with its id unchanged (``ids``), or a
:class:`~synergy.errors.SynergyError` of a given class whose message names the file.
"""

from __future__ import annotations

import gzip
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from synergy.datasets.bundled import path as bundled_path


def oneil() -> pd.DataFrame:
    """sf_oneil's long table (2 blocks, block ids 1 and 2), as bundled."""
    return pd.read_csv(bundled_path("sf_oneil") / "data.csv")


def mathews() -> pd.DataFrame:
    return pd.read_csv(bundled_path("sf_mathews") / "data.csv")


@dataclass
class Case:
    """One bad-input case: ``build(folder)`` writes the file (or returns a DataFrame)."""

    name: str
    category: str
    build: Callable[[Path], Path | pd.DataFrame]
    ids: list[str] | None = None  # expected block ids of a successful read
    error: str | None = None  # expected SynergyError subclass name
    words: str = ""  # a phrase the error message holds
    kwargs: dict | None = None


def _csv(name: str, table: pd.DataFrame, **kw) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = folder / name
        table.to_csv(path, index=False, **kw)
        return path

    return build


def _text(name: str, text: str, encoding: str = "utf-8") -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(text.encode(encoding))
        return path

    return build


def _bytes(name: str, data: bytes) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data)
        return path

    return build


def _excel(name: str, table: pd.DataFrame, sheet: str = "Sheet1") -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = folder / name
        table.to_excel(path, index=False, sheet_name=sheet)
        return path

    return build


def _with(table: pd.DataFrame, **columns) -> pd.DataFrame:
    out = table.copy()
    for name, value in columns.items():
        out[name] = value(out) if callable(value) else value
    return out


def _block_ids(table: pd.DataFrame, ids: dict[int, str]) -> pd.DataFrame:
    out = table.copy()
    out["block_id"] = out["block_id"].map(ids)
    return out


def _insert_lines(text: str, every: int, line: str) -> str:
    lines = text.splitlines()
    out = [lines[0]]
    for i, row in enumerate(lines[1:], start=1):
        if i % every == 0:
            out.append(line)
        out.append(row)
    return "\n".join(out) + "\n"


def _matrix_text(table: pd.DataFrame, separator: str, ids: bool = True) -> str:
    """sf_oneil as plate matrices (SynergyFinder's matrix layout), blocks split by ``separator``."""
    parts = []
    for block, rows in table.groupby("block_id", sort=False):
        wide = rows.pivot_table(index="conc_row", columns="conc_col", values="response")
        lines = [
            f"Drug1:,{rows['drug_row'].iloc[0]}",
            f"Drug2:,{rows['drug_col'].iloc[0]}",
            f"Cell:,{rows['sample'].iloc[0]}",
            "ConcUnit:,uM",
            *([f"PairIndex:,{block}"] if ids else []),
            "," + ",".join(f"{c:g}" for c in wide.columns),
        ]
        lines += [f"{r:g}," + ",".join(f"{v:.6g}" for v in wide.loc[r]) for r in wide.index]
        parts.append("\n".join(lines))
    return separator.join(parts) + "\n"


def _xlsx_as(name: str, table: pd.DataFrame, cut: int | None) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        full = folder / f"full-{name}"
        table.to_excel(full, index=False)
        data = full.read_bytes()
        path = folder / name
        path.write_bytes(data[:cut] if cut else data)
        return path

    return build


def _parquet(name: str, table: pd.DataFrame, cut: int | None = None) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        full = folder / f"full-{name}"
        table.to_parquet(full, index=False)
        data = full.read_bytes()
        path = folder / name
        path.write_bytes(data[:cut] if cut is not None else data)
        return path

    return build


def _zip_of_csv(name: str, table: pd.DataFrame) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = folder / name
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("data.csv", table.to_csv(index=False))
        return path

    return build


def _folder(name: str) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = folder / name
        path.mkdir(exist_ok=True)
        return path

    return build


def cases() -> list[Case]:
    """Every case of docs/bad_input.md, built from the bundled data."""
    t = oneil()
    text = t.to_csv(index=False)
    micro = t.assign(conc_unit="µM")
    fraction = _with(t.drop(columns="response_kind"), response=lambda d: 1 - d["response"] / 100)
    viability = _with(t.drop(columns="response_kind"), response=lambda d: 100 - d["response"])
    out: list[Case] = [
        # encodings and compression
        Case("utf8", "encoding", _csv("utf8.csv", t), ids=["1", "2"]),
        Case("utf8-bom", "encoding", _text("bom.csv", text, "utf-8-sig"), ids=["1", "2"]),
        Case(
            "utf16",
            "encoding",
            _text("u16.csv", micro.to_csv(index=False), "utf-16"),
            ids=["1", "2"],
        ),
        Case(
            "utf16-le-no-bom",
            "encoding",
            _text("u16le.csv", micro.to_csv(index=False), "utf-16-le"),
            ids=["1", "2"],
        ),
        Case(
            "latin1-micro",
            "encoding",
            _text("latin1.csv", micro.to_csv(index=False), "latin-1"),
            ids=["1", "2"],
        ),
        Case(
            "cp1252-micro-tsv",
            "encoding",
            _text("cp.tsv", micro.to_csv(index=False, sep="\t"), "cp1252"),
            ids=["1", "2"],
        ),
        Case(
            "gzip-named-csv",
            "compression",
            _bytes("gz.csv", gzip.compress(text.encode())),
            ids=["1", "2"],
        ),
        Case(
            "gzip-truncated",
            "compression",
            _bytes("gzt.csv", gzip.compress(text.encode())[:60]),
            error="FormatError",
            words="gzip",
        ),
        # delimiters
        Case(
            "semicolon-decimal-comma",
            "delimiter",
            _csv("semi.csv", t, sep=";", decimal=","),
            ids=["1", "2"],
        ),
        Case(
            "semicolon-block-first",
            "delimiter",
            _csv("semi_b.csv", t[["block_id", *t.columns.drop("block_id")]], sep=";"),
            ids=["1", "2"],
        ),
        Case(
            "semicolon-drug1-first",
            "delimiter",
            _csv(
                "semi_d.csv",
                t.rename(columns={"drug_row": "drug1"})[["drug1", *t.columns.drop("drug_row")]],
                sep=";",
            ),
            ids=["1", "2"],
        ),
        Case("tab", "delimiter", _csv("tab.txt", t, sep="\t"), ids=["1", "2"]),
        Case("pipe", "delimiter", _csv("pipe.csv", t, sep="|"), ids=["1", "2"]),
        Case(
            "one-field",
            "delimiter",
            _text("one.csv", "response\n1\n2\n"),
            error="FormatError",
            words="single field",
        ),
        # lines that hold no data
        Case(
            "leading-blank-lines", "blank lines", _text("lead.csv", "\n\n" + text), ids=["1", "2"]
        ),
        Case(
            "comment-lines",
            "blank lines",
            _text("comments.csv", "# exported 2024-05-01\n" + _insert_lines(text, 17, "# QC ok")),
            ids=["1", "2"],
        ),
        Case(
            "comma-only-lines",
            "blank lines",
            _text("commas.csv", text + ",,,,,,,,,\n" * 5),
            ids=["1", "2"],
        ),
        Case(
            "blank-lines-inside",
            "blank lines",
            _text("inner.csv", _insert_lines(text, 11, "")),
            ids=["1", "2"],
        ),
        Case("crlf", "blank lines", _text("crlf.csv", text.replace("\n", "\r\n")), ids=["1", "2"]),
        Case("empty-file", "empty", _text("empty.csv", ""), error="FormatError", words="empty"),
        Case(
            "blank-only",
            "empty",
            _text("blank.csv", "\n\n  \n,,,\n"),
            error="FormatError",
            words="no data",
        ),
        Case(
            "header-only",
            "empty",
            _text("header.csv", text.splitlines()[0] + "\n"),
            error="FormatError",
            words="no rows",
        ),
        # matrix layout
        Case(
            "matrix-blank-separated",
            "matrix",
            _text("matrix.csv", _matrix_text(t, "\n\n")),
            ids=["1", "2"],
        ),
        Case(
            "matrix-blank-separated-no-ids",
            "matrix",
            _text("matrix5.csv", _matrix_text(t.assign(block_id=t["block_id"] * 7), "\n\n", False)),
            ids=["1", "2"],
        ),
        Case(
            "matrix-adjacent", "matrix", _text("matrix2.csv", _matrix_text(t, "\n")), ids=["1", "2"]
        ),
        Case(
            "matrix-comma-only-separator",
            "matrix",
            _text("matrix3.csv", _matrix_text(t, "\n,,,,,,\n")),
            ids=["1", "2"],
        ),
        Case(
            "matrix-semicolon",
            "matrix",
            _text("matrix4.csv", _matrix_text(t, "\n\n").replace(",", ";")),
            ids=["1", "2"],
        ),
        # identifiers as text
        Case(
            "ids-zero-padded",
            "identifiers",
            _csv("pad.csv", _block_ids(t, {1: "001", 2: "002"})),
            ids=["001", "002"],
        ),
        Case(
            "ids-1-and-1.0",
            "identifiers",
            _csv("one.csv", _block_ids(t, {1: "1", 2: "1.0"})),
            ids=["1", "1.0"],
        ),
        Case(
            "ids-1-and-01",
            "identifiers",
            _csv("zero1.csv", _block_ids(t, {1: "1", 2: "01"})),
            ids=["1", "01"],
        ),
        Case(
            "ids-exponent",
            "identifiers",
            _csv("exp.csv", _block_ids(t, {1: "1e3", 2: "1E3"})),
            ids=["1e3", "1E3"],
        ),
        Case(
            "ids-NA-named-sample",
            "identifiers",
            _csv("na.csv", t.assign(sample="NA")),
            ids=["1", "2"],
        ),
        Case("excel-numeric-ids", "identifiers", _excel("num.xlsx", t), ids=["1", "2"]),
        Case(
            "excel-float-ids",
            "identifiers",
            _excel("flt.xlsx", t.assign(block_id=t["block_id"].astype(float))),
            ids=["1", "2"],
        ),
        Case(
            "excel-text-ids",
            "identifiers",
            _excel("txt.xlsx", _block_ids(t, {1: "001", 2: "0123"})),
            ids=["001", "0123"],
        ),
        Case(
            "parquet-text-ids",
            "identifiers",
            _parquet("ids.parquet", _block_ids(t, {1: "001", 2: "002"})),
            ids=["001", "002"],
        ),
        Case("parquet-int-ids", "identifiers", _parquet("int.parquet", t), ids=["1", "2"]),
        Case(
            "dataframe-text-ids",
            "identifiers",
            lambda _f: _block_ids(t, {1: "001", 2: "002"}),
            ids=["001", "002"],
        ),
        # files that are not what their name says
        Case("csv-named-xlsx", "wrong format", _csv("table.xlsx", t), ids=["1", "2"]),
        Case("csv-named-xls", "wrong format", _csv("table.xls", t), ids=["1", "2"]),
        Case("csv-named-parquet", "wrong format", _csv("table.parquet", t), ids=["1", "2"]),
        Case("xlsx-named-csv", "wrong format", _xlsx_as("book.csv", t, None), ids=["1", "2"]),
        Case(
            "zip-of-csv-named-xlsx",
            "wrong format",
            _zip_of_csv("zip.xlsx", t),
            error="FormatError",
            words="Excel",
        ),
        Case(
            "truncated-xlsx",
            "damaged",
            _xlsx_as("cut.xlsx", t, 700),
            error="FormatError",
            words="truncated",
        ),
        Case(
            "truncated-parquet",
            "damaged",
            _parquet("cut.parquet", t, 300),
            error="FormatError",
            words="parquet",
        ),
        Case(
            "zero-byte-parquet",
            "damaged",
            _parquet("zero.parquet", t, 0),
            error="FormatError",
            words="empty",
        ),
        Case(
            "zero-byte-xlsx",
            "damaged",
            _bytes("zero.xlsx", b""),
            error="FormatError",
            words="empty",
        ),
        Case(
            "binary-garbage",
            "damaged",
            _bytes("garbage.csv", np.random.default_rng(0).bytes(4000)),
            error="FormatError",
            words="binary",
        ),
        Case(
            "netcdf-named-csv",
            "wrong format",
            _bytes("nc.csv", b"\x89HDF\r\n\x1a\n" + b"\0" * 99),
            error="FormatError",
            words="netCDF",
        ),
        Case(
            "truncated-saved-screen",
            "damaged",
            _bytes("screen.nc", b"\x89HDF\r\n\x1a\n" + b"\x00" * 200),
            error="FormatError",
            words="cannot open the saved screen",
        ),
        Case(
            "csv-named-nc",
            "wrong format",
            _csv("table.nc", t),
            error="FormatError",
            words="cannot open the saved screen",
        ),
        Case(
            "a-folder", "wrong format", _folder("folder.csv"), error="FormatError", words="folder"
        ),
        Case(
            "missing-file",
            "wrong format",
            lambda f: f / "nothing.csv",
            error="FormatError",
            words="no such file",
        ),
        Case(
            "unknown-suffix",
            "wrong format",
            _csv("table.dat", t),
            error="FormatError",
            words="unknown file type",
        ),
        Case(
            "missing-sheet",
            "excel sheet",
            _excel("sheets.xlsx", t, sheet="Data"),
            error="FormatError",
            words="no sheet named 'Plate1'",
            kwargs={"sheet": "Plate1"},
        ),
        Case(
            "named-sheet",
            "excel sheet",
            _excel("named.xlsx", t, sheet="Plate1"),
            ids=["1", "2"],
            kwargs={"sheet": "Plate1"},
        ),
        Case(
            "sheet-out-of-range",
            "excel sheet",
            _excel("range.xlsx", t),
            error="FormatError",
            words="no sheet number 3",
            kwargs={"sheet": 3},
        ),
        # values of the wrong type
        Case(
            "bool-response",
            "dtype",
            lambda _f: t.assign(response=t["response"] > 20),
            error="ResponseError",
            words="'response'",
        ),
        Case(
            "complex-response",
            "dtype",
            lambda _f: t.assign(response=t["response"].astype(complex)),
            error="ResponseError",
            words="complex",
        ),
        Case(
            "datetime-dose",
            "dtype",
            lambda _f: t.assign(conc_row=pd.to_datetime(t["conc_row"] * 1e9)),
            error="DoseError",
            words="'conc_row'",
        ),
        Case(
            "bool-cell-in-dose",
            "dtype",
            lambda _f: t.assign(conc_col=t["conc_col"].astype(object).where(t.index != 5, True)),
            error="DoseError",
            words="bool",
        ),
        Case(
            "text-response",
            "dtype",
            _csv(
                "textresp.csv",
                t.assign(response=t["response"].astype(object).where(t.index != 7, "n.d.")),
            ),
            error="ResponseError",
            words="line 9",
        ),
        # names with control characters
        Case(
            "nul-in-drug",
            "control characters",
            lambda _f: t.assign(drug_row=t["drug_row"].str.replace("MK", "M\x00K")),
            error="ColumnError",
            words="control character",
        ),
        Case(
            "nul-in-csv-drug",
            "control characters",
            _csv("nul.csv", t.assign(drug_row=t["drug_row"].str.replace("MK", "M\x00K"))),
            error="ColumnError",
            words="control character",
        ),
        Case(
            "tab-in-sample",
            "control characters",
            lambda _f: t.assign(sample=t["sample"] + "\tx"),
            error="ColumnError",
            words="control character",
        ),
        # response kind and scale
        Case("fraction-viability", "response scale", _csv("frac.csv", fraction), ids=["1", "2"]),
        Case("percent-viability", "response scale", _csv("viab.csv", viability), ids=["1", "2"]),
        Case(
            "flat-fraction-ambiguous",
            "response scale",
            _csv(
                "flat.csv",
                _with(
                    t.drop(columns="response_kind"), response=lambda d: 1 + 0.001 * (d.index % 3)
                ),
            ),
            error="ResponseError",
            words="response_kind",
        ),
        Case(
            "controls-at-50",
            "response scale",
            _csv(
                "c50.csv",
                _with(t.drop(columns="response_kind"), response=lambda d: d["response"] + 50),
            ),
            error="ResponseError",
            words="response_kind",
        ),
    ]
    return out


def mathews_fraction(folder: Path) -> Path:
    """sf_mathews (% viability, wells at 187 %) as fractions, without its response_kind."""
    table = mathews()
    assert set(table.pop("response_kind")) == {"viability"}
    path = folder / "mathews_fraction.csv"
    table.assign(response=table["response"] / 100).to_csv(path, index=False)
    return path
