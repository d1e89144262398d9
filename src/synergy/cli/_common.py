"""Shared pieces of the command line: exit-2 errors, opening inputs, common options."""

from __future__ import annotations

from pathlib import Path

import click


class Exit2(click.ClickException):
    exit_code = 2


def fail(message: str) -> None:
    raise Exit2(message)


def open_inputs(
    ctx: click.Context,
    paths: tuple[str, ...],
    response_kind: str,
    conc_unit: str | None,
    sheet: str | None = None,
    groups: bool = False,
):
    """The screen of ``paths`` (exit 2 on bad input); with ``groups`` its shape groups, or the
    screen itself when it is one group (docs/design.md §16.4)."""
    from synergy.errors import SynergyError
    from synergy.io.validate import open_any

    kwargs = {"response_kind": response_kind, "conc_unit": conc_unit, "sheet": sheet_arg(sheet)}
    try:
        if len(paths) == 1 and Path(paths[0]).suffix.lower() in (".nc", ".zarr"):
            opened = open_any(paths[0], groups=groups)
        else:
            opened = open_any(list(paths) if len(paths) > 1 else paths[0], groups, **kwargs)
        if isinstance(opened, list) and len(opened) == 1:
            opened = opened[0]
            opened.attrs.pop("block_positions", None)  # one group: the dense screen
        return opened
    except SynergyError as exc:
        if ctx.obj.get("debug"):
            raise
        fail(str(exc))


RESPONSE_KIND_OPTION = click.option(
    "--response-kind",
    type=click.Choice(["auto", "inhibition", "viability"]),
    default="auto",
    show_default=True,
    help="What the response column holds.",
)
CONC_UNIT_OPTION = click.option(
    "--conc-unit", default=None, help="Unit of the screen (default: the input's)."
)
SHEET_OPTION = click.option(
    "--sheet",
    default=None,
    help="Excel sheet to read, by name or number from 0 (default: the first).",
)
OVERWRITE_OPTION = click.option(
    "--overwrite", is_flag=True, help="Replace output files that already exist."
)


def sheet_arg(sheet: str | None) -> str | int | None:
    """``--sheet 2`` is the third sheet (or the sheet named "2", if there is one)."""
    return int(sheet) if sheet is not None and sheet.strip().isdigit() else sheet


def output_problems(outputs: list[Path], inputs: tuple[str, ...], overwrite: bool) -> list[str]:
    """Outputs that would write over an input (never allowed), an existing file (only with
    ``--overwrite``) or another output of the same command."""
    from synergy.errors import SynergyError
    from synergy.io.outputs import check_not_input

    problems = []
    for i, path in enumerate(outputs):
        if any(path.absolute() == other.absolute() for other in outputs[:i]):
            problems.append(f"{path}: given for two outputs; give each output its own name")
            continue
        try:
            check_not_input(path, inputs)
        except SynergyError as exc:
            problems.append(str(exc))
            continue
        if path.exists() and not overwrite:
            problems.append(
                f"{path}: exists; pass --overwrite to replace it, or write to another name"
            )
    return problems


OUTPUT_SUFFIXES = (".nc", ".nc4", ".zarr")
TABLE_SUFFIXES = (".csv", ".tsv", ".parquet", ".xlsx")


def writable_problems(path: Path, suffixes: tuple[str, ...], what: str) -> list[str]:
    """Why ``path`` cannot be written (empty when it can), checked before any work."""
    if path.suffix.lower() not in suffixes:
        return [f"{path}: write the {what} as {' or '.join(suffixes)}, not {path.suffix!r}"]
    parent = path.absolute().parent
    if not parent.is_dir():
        return [f"{path}: cannot write the {what}: folder {parent} does not exist"]
    if path.exists() and path.is_dir() != (path.suffix.lower() == ".zarr"):
        return [
            f"{path}: cannot write the {what}: a {'folder' if path.is_dir() else 'file'} "
            "of that name is in the way"
        ]
    import tempfile

    try:
        with tempfile.NamedTemporaryFile(dir=parent, prefix=".synergy-write-test-"):
            pass
    except OSError as exc:
        return [f"{path}: cannot write the {what} in {parent}: {exc.strerror or exc}"]
    if path.suffix.lower() == ".parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            return [f"{path}: writing parquet needs pyarrow: pip install 'synergy-toolkit[io]'"]
    if path.suffix.lower() == ".xlsx":
        try:
            import openpyxl  # noqa: F401
        except ImportError:
            return [f"{path}: writing Excel needs openpyxl: pip install 'synergy-toolkit[io]'"]
    return []


def write_table(table, path: Path) -> None:
    """Write a pandas table to csv/tsv/parquet/xlsx (:func:`synergy.io.table.write_table`)."""
    from synergy.io.table import write_table as write

    write(table, path)


def fail_lines(lines: list[str]) -> None:
    """Exit 2 with one ``Error: …`` line per problem (click prints the last)."""
    for line in lines[:-1]:
        click.echo(f"Error: {line}", err=True)
    fail(lines[-1])


class wide_pandas:
    def __enter__(self):
        import pandas as pd

        self._ctx = pd.option_context("display.width", 200, "display.max_columns", 30)
        self._ctx.__enter__()

    def __exit__(self, *exc):
        self._ctx.__exit__(*exc)
