"""The ``synergy`` command line: a face over the library (no numerics here).

Exit codes: 0 success, 1 the check asked for failed (e.g. ``validate`` found
problems), 2 bad input or usage (one clear line per problem, no traceback unless
``--debug``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from synergy._version import __version__

__all__ = ["main"]


class _Exit2(click.ClickException):
    exit_code = 2


def _fail(message: str) -> None:
    raise _Exit2(message)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", package_name="synergy-toolkit")
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """synergy — drug-combination synergy (Bliss, HSA, Loewe, ZIP) on dose-matrix screens."""
    ctx.obj = {"debug": debug}


def _open(ctx: click.Context, paths: tuple[str, ...], response_kind: str, conc_unit: str | None):
    from synergy.errors import SynergyError
    from synergy.io.validate import open_any

    kwargs = {"response_kind": response_kind, "conc_unit": conc_unit}
    try:
        if len(paths) == 1 and Path(paths[0]).suffix.lower() in (".nc", ".zarr"):
            return open_any(paths[0])
        return open_any(list(paths) if len(paths) > 1 else paths[0], **kwargs)
    except SynergyError as exc:
        if ctx.obj.get("debug"):
            raise
        _fail(str(exc))


_KIND = click.option(
    "--response-kind",
    type=click.Choice(["auto", "inhibition", "viability"]),
    default="auto",
    show_default=True,
    help="What the response column holds.",
)
_UNIT = click.option("--conc-unit", default=None, help="Unit of the screen (default: the input's).")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@_KIND
@_UNIT
@click.pass_context
def info(ctx: click.Context, paths: tuple[str, ...], response_kind: str, conc_unit: str | None):
    """What PATHS hold: blocks, drugs, samples, dose grids, problems found."""
    from synergy.io.validate import describe, validate

    screen = _open(ctx, paths, response_kind, conc_unit)
    table = describe(screen)
    click.echo(
        f"{', '.join(paths)}: {screen.sizes['block']} blocks, "
        f"{table['drug_row'].nunique()} row drugs × {table['drug_col'].nunique()} column drugs, "
        f"{table['sample'].nunique()} samples, up to {screen.sizes['row']}×{screen.sizes['col']} "
        f"doses (zero included), {screen.sizes['replicate']} replicate(s), "
        f"unit {screen.attrs.get('conc_unit')}"
    )
    with _wide():
        click.echo(table.to_string(index=False, max_rows=40))
    report = validate(screen)
    for line in report.errors + report.warnings:
        click.echo(f"problem: {line}")


@main.command(name="validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@_KIND
@_UNIT
@click.pass_context
def validate_cmd(ctx, paths: tuple[str, ...], response_kind: str, conc_unit: str | None):
    """Check PATHS; exit 0 if usable, 1 with the list of problems if not."""
    from synergy.io.validate import validate

    source = list(paths) if len(paths) > 1 else paths[0]
    report = validate(source, response_kind=response_kind, conc_unit=conc_unit)
    click.echo(str(report))
    sys.exit(0 if report.ok else 1)


@main.command()
@click.option("--out", "out_dir", default="demo-output", show_default=True, type=click.Path())
def demo(out_dir: str) -> None:
    """Score the bundled menin × venetoclax screen and write results to OUT."""
    from synergy.demo import run_demo

    run_demo(Path(out_dir), echo=click.echo)


class _wide:
    def __enter__(self):
        import pandas as pd

        self._ctx = pd.option_context("display.width", 200, "display.max_columns", 30)
        self._ctx.__enter__()

    def __exit__(self, *exc):
        self._ctx.__exit__(*exc)


if __name__ == "__main__":  # pragma: no cover
    main()
