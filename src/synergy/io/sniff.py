"""What a file really is, and its text: one place for every reader (API and CLI).

A file is identified by its first bytes, not only by its name: gzip (``1f 8b``), zip
(``PK``: ``.xlsx``), OLE2 (old ``.xls``), parquet (``PAR1``), HDF5/netCDF-4; anything
else is text.  Text is decoded by its byte-order mark (UTF-8, UTF-16 LE/BE), as UTF-16
without a mark when every other byte is NUL, as UTF-8, and else as Windows-1252/Latin-1
(``µM`` written by Excel on Windows).  Blank lines, ``#`` comment lines and lines of
delimiters only (``,,,,`` rows Excel leaves below a table) are dropped, keeping every
other line's number in the file for messages.  The delimiter (``,``, tab, ``;``, ``|``) is
the one that splits the first lines into the same number of fields.  Every failure is a
:class:`~synergy.errors.FormatError` naming the file and the fix (docs/design.md §4).
"""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass
from pathlib import Path

from synergy.errors import FormatError

__all__ = ["DELIMITERS", "TextFile", "file_kind", "read_text"]

DELIMITERS = (",", "\t", ";", "|")
_MAGIC = {
    b"\x1f\x8b": "gzip",
    b"PK\x03\x04": "zip",
    b"PK\x05\x06": "zip",
    b"\xd0\xcf\x11\xe0": "xls",
    b"PAR1": "parquet",
    b"\x89HDF": "hdf5",
    b"CDF\x01": "netcdf3",
    b"CDF\x02": "netcdf3",
}
_HEAD = 8192
_JUNK_START = frozenset(',\t;|"')


def file_kind(path: Path) -> str:
    """``"gzip"``, ``"zip"``, ``"xls"``, ``"parquet"``, ``"hdf5"``, ``"netcdf3"``,
    ``"text"``, ``"binary"`` (NUL bytes that are not UTF-16) or ``"empty"``, from the
    first bytes of the file.

    Raises
    ------
    FormatError
        The path is missing, a folder, or cannot be read.
    """
    head = _head(path)
    if not head:
        return "empty"
    for magic, kind in _MAGIC.items():
        if head.startswith(magic):
            return kind
    if _utf16_encoding(head) is not None:
        return "text"
    return "binary" if _is_binary(head) else "text"


def _is_binary(head: bytes) -> bool:
    """Many control bytes: binary.  A stray NUL in a text table is text (the cell holding
    it is refused later with its line and column)."""
    control = sum(b < 9 or 13 < b < 32 for b in head)
    return control > max(2, 0.02 * len(head))


def _head(path: Path) -> bytes:
    if not path.exists():
        raise FormatError(f"{path}: no such file; check the path and the current folder")
    if path.is_dir():
        raise FormatError(f"{path}: is a folder, not a file; give the table file inside it")
    try:
        with open(path, "rb") as handle:
            return handle.read(_HEAD)
    except OSError as exc:
        raise FormatError(f"{path}: cannot read the file: {exc.strerror or exc}") from exc


def _utf16_encoding(head: bytes) -> str | None:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    sample = head[: len(head) - len(head) % 2]
    if len(sample) >= 4:
        even, odd = sample[0::2], sample[1::2]
        if odd.count(0) >= 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
            return "utf-16-le"
        if even.count(0) >= 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
            return "utf-16-be"
    return None


def _decode(raw: bytes, path: Path) -> tuple[str, str]:
    """(text, encoding name) of raw bytes."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace"), "utf-8 (BOM)"
    utf16 = _utf16_encoding(raw[:_HEAD])
    if utf16 is not None:
        try:
            return raw.decode(utf16).lstrip("\ufeff"), utf16
        except UnicodeDecodeError as exc:
            raise FormatError(
                f"{path}: looks like UTF-16 text but cannot be decoded ({exc.reason}); "
                "save it again as CSV UTF-8"
            ) from exc
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "latin-1"


@dataclass
class TextFile:
    """A delimited text file, decoded and cleaned.

    Attributes
    ----------
    lines : list of str
        The kept lines (no blank, comment or delimiter-only line), without line ends.
    numbers : list of int
        Each kept line's 1-based line number in the file.
    delimiter : str
        The field separator found.
    encoding : str
        How the bytes were decoded (``"utf-8"``, ``"utf-16-le"``, ``"cp1252"`` …).
    compressed : bool
        The file was gzip-compressed.
    """

    lines: list[str]
    numbers: list[int]
    delimiter: str
    encoding: str
    compressed: bool = False


def _keep(line: str) -> bool:
    stripped = line.strip()
    if not stripped or stripped[0] == "#":
        return False
    if stripped[0] not in _JUNK_START:  # a data line (the common case: fast)
        return True
    rest = stripped
    for sep in DELIMITERS:
        rest = rest.replace(sep, "")
    return bool(rest.strip().strip('"').strip())


def sniff_delimiter(lines: list[str], path: Path) -> str:
    """The delimiter that splits the first lines most consistently (ties: ``,``, tab, ``;``)."""
    head = lines[:20]
    best, best_key = None, None
    for order, sep in enumerate(DELIMITERS):
        counts = [line.count(sep) for line in head]
        if counts[0] == 0:
            continue
        agree = sum(c == counts[0] for c in counts)
        key = (agree, counts[0] > 0, -order)
        if best_key is None or key > best_key:
            best, best_key = sep, key
    if best is None:
        raise FormatError(
            f"{path}: the first line has a single field {head[0].strip()[:80]!r}; expected a "
            "comma-, tab-, semicolon- or |-separated table with named columns"
        )
    return best


def read_text(path: Path, *, need_delimiter: bool = True) -> TextFile:
    """Decode a text file (gzip allowed) and drop the lines that hold no data.

    Raises
    ------
    FormatError
        Missing, a folder, empty, binary, or a spreadsheet/parquet/netCDF file given where
        text was expected; each message says what the file is and what to do.
    """
    kind = file_kind(path)
    if kind == "empty":
        raise FormatError(f"{path}: the file is empty (0 bytes)")
    if kind not in ("text", "gzip"):
        raise FormatError(not_text_message(path, kind))
    with open(path, "rb") as handle:
        raw = handle.read()
    if kind == "gzip":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise FormatError(
                f"{path}: a gzip file that cannot be decompressed ({exc}); it may be truncated: "
                "copy it again"
            ) from exc
        if _is_binary(raw[:_HEAD]) and _utf16_encoding(raw[:_HEAD]) is None:
            raise FormatError(f"{path}: decompresses to binary data, not a text table")
    text, encoding = _decode(raw, path)
    lines, numbers = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if _keep(line):
            lines.append(line)
            numbers.append(number)
    if not lines:
        raise FormatError(f"{path}: no data: every line is blank, a comment (#) or delimiters only")
    delimiter = sniff_delimiter(lines, path) if need_delimiter else ","
    return TextFile(lines, numbers, delimiter, encoding, compressed=kind == "gzip")


def not_text_message(path: Path, kind: str) -> str:
    """What a binary file is, and what to do with it."""
    what = {
        "zip": "a zip archive (an .xlsx workbook?)",
        "xls": "an old Excel .xls workbook",
        "parquet": "a parquet file",
        "hdf5": "a netCDF-4/HDF5 file (a saved screen?)",
        "netcdf3": "a netCDF-3 file",
        "binary": "binary data",
    }[kind]
    fix = {
        "zip": "rename it to .xlsx, or save it from Excel as CSV UTF-8",
        "xls": "rename it to .xls (needs xlrd) or save it from Excel as .xlsx or CSV",
        "parquet": "rename it to .parquet",
        "hdf5": "rename it to .nc to open it as a saved screen",
        "netcdf3": "save it as netCDF-4 (.nc) or export a CSV table",
        "binary": "check that it is the right file; export the table as CSV",
    }[kind]
    return f"{path}: the file is {what}, not a text table; {fix}"
