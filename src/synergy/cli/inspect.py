"""``synergy info``, ``synergy validate`` and ``synergy demo``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from synergy.cli._common import (
    CONC_UNIT_OPTION,
    RESPONSE_KIND_OPTION,
    SHEET_OPTION,
    fail,
    open_inputs,
    sheet_arg,
    wide_pandas,
)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@RESPONSE_KIND_OPTION
@CONC_UNIT_OPTION
@SHEET_OPTION
@click.pass_context
def info(
    ctx: click.Context,
    paths: tuple[str, ...],
    response_kind: str,
    conc_unit: str | None,
    sheet: str | None,
):
    """What PATHS hold: blocks, drugs, samples, dose grids, problems found."""
    from synergy.io.layout import cell_dims, n_drugs, per_drug_names
    from synergy.io.validate import describe, validate

    screen = open_inputs(ctx, paths, response_kind, conc_unit, sheet)
    table = describe(screen)
    columns = per_drug_names(screen, ("drug_row", "drug_col"), "drug{}")
    labels = per_drug_names(screen, ("row drugs", "column drugs"), "drug-{}")
    drugs = " × ".join(
        f"{table[column].nunique()} {label}" for column, label in zip(columns, labels, strict=True)
    )
    shape = "×".join(str(screen.sizes[dim]) for dim in cell_dims(screen))
    grid = f"up to {shape} dose combinations of {n_drugs(screen)} drugs (zero doses included)"
    click.echo(
        f"{', '.join(paths)}: {screen.sizes['block']} blocks, {drugs}, "
        f"{table['sample'].nunique()} samples, {grid}, {screen.sizes['replicate']} "
        f"replicate(s), unit {screen.attrs.get('conc_unit')}"
    )
    with wide_pandas():
        click.echo(table.to_string(index=False, max_rows=40))
    report = validate(screen)
    for line in report.errors + report.warnings:
        click.echo(f"problem: {line}")


@click.command(name="validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@RESPONSE_KIND_OPTION
@CONC_UNIT_OPTION
@SHEET_OPTION
@click.pass_context
def validate_cmd(
    ctx, paths: tuple[str, ...], response_kind: str, conc_unit: str | None, sheet: str | None
):
    """Check PATHS; exit 0 if usable, 1 with the list of problems if not."""
    from synergy.io.validate import validate

    source = list(paths) if len(paths) > 1 else paths[0]
    report = validate(
        source, response_kind=response_kind, conc_unit=conc_unit, sheet=sheet_arg(sheet)
    )
    click.echo(str(report))
    sys.exit(0 if report.ok else 1)


@click.command()
@click.option("--out", "out_dir", default="demo-output", show_default=True, type=click.Path())
@click.option("--overwrite", is_flag=True, help="Replace the files of an earlier demo in OUT.")
def demo(out_dir: str, overwrite: bool) -> None:
    """Score the bundled menin × venetoclax screen and write results to OUT."""
    from synergy.demo import run_demo

    folder = Path(out_dir)
    if folder.exists() and not folder.is_dir():
        fail(f"{folder}: a file of that name is in the way; give --out a folder name")
    if folder.is_dir() and any(folder.iterdir()) and not overwrite:
        fail(
            f"{folder}: exists and is not empty; pass --overwrite to replace the demo's "
            "files in it, or give --out another folder"
        )
    run_demo(folder, echo=click.echo)
