"""``synergy benchmark``: compare a screen's scores with a published table (a face only)."""

from __future__ import annotations

from pathlib import Path

import click

from synergy.cli._common import (
    CONC_UNIT_OPTION,
    OVERWRITE_OPTION,
    RESPONSE_KIND_OPTION,
    TABLE_SUFFIXES,
    fail,
    fail_lines,
    open_inputs,
    output_problems,
    writable_problems,
    write_table,
)

__all__ = ["benchmark"]


@click.command()
@click.argument("input_path", metavar="INPUT", type=click.Path())
@click.argument("published", nargs=-1, required=True, type=click.Path())
@click.option(
    "--convention",
    type=click.Choice(["auto", "synergyfinder3", "synergyfinder2"]),
    default=None,
    help="Score under this convention; auto = both, and name the one that reproduces the "
    "table.  Default: a scored INPUT's own scores, else synergyfinder3.",
)
@click.option("--models", default=None, help="Comma-separated models (default: the table's).")
@click.option(
    "--tolerance", type=float, default=0.5, show_default=True, help="Agreement, % points."
)
@click.option(
    "--max-outside",
    type=int,
    default=0,
    show_default=True,
    help="Blocks per model allowed beyond tolerance before exit 1.",
)
@click.option(
    "--table", type=click.Path(), default=None, help="Write the per-block comparison (.csv …)."
)
@click.option(
    "--report",
    "report",
    type=click.Path(),
    default=None,
    help="Write a self-contained HTML benchmark report (summary, figures, evidence).",
)
@click.option(
    "--fits",
    "use_fits",
    is_flag=True,
    help="Score with the published single-drug fits (a fit table among PUBLISHED, e.g. "
    "synergyfinder3_drc.csv).",
)
@click.option("--fitter", default=None, help="drc or lsq (default: the convention's, drc).")
@click.option(
    "--format",
    "table_format",
    type=click.Choice(["auto", "synergyfinder", "drugcomb"]),
    default="auto",
    show_default=True,
    help="Format of the published tables.",
)
@click.option(
    "--columns",
    default=None,
    help="Explicit column mapping for other tables, e.g. 'block=Combination ID,zip=ZIP "
    "score' (roles: block, drug_row, drug_col, sample, conc_row, conc_col, bliss, hsa, "
    "loewe, zip); applies to every PUBLISHED table.",
)
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@OVERWRITE_OPTION
@RESPONSE_KIND_OPTION
@CONC_UNIT_OPTION
@click.pass_context
def benchmark(
    ctx: click.Context,
    input_path,
    published,
    convention,
    models,
    tolerance,
    max_outside,
    table,
    report,
    use_fits,
    fitter,
    table_format,
    columns,
    debug,
    overwrite,
    response_kind,
    conc_unit,
) -> None:
    """Compare the synergy scores of INPUT with PUBLISHED tables, block by block.

    INPUT is anything `synergy score` reads, or an already scored .nc/.zarr.  PUBLISHED is
    one or more tables of one publication: block scores (SynergyFinder 3 or DrugComb
    columns), per-well surfaces, SynergyFinder's single-drug fits — each detected by its
    columns; SynergyFinder's three-drug tables (drug1..drug3) with an N-drug INPUT.  Prints
    the agreement per model and the evidence for every block beyond tolerance; with
    --convention auto also which convention and which baseline correction (non / part /
    all) reproduce the table.  --report writes the same as a self-contained HTML page with
    the figures.

    Exit codes: 0 every model within tolerance on all but --max-outside blocks; 1 not (the
    worst blocks are named); 2 bad input or options.
    """
    import warnings

    from synergy.errors import SynergyError

    ctx.obj["debug"] = debug = debug or ctx.obj.get("debug", False)
    if not debug:
        warnings.simplefilter("ignore", RuntimeWarning)
    table_path = Path(table) if table else None
    problems = []
    if table_path is not None:
        problems += writable_problems(table_path, TABLE_SUFFIXES, "table")
    report_path = Path(report) if report else None
    if report_path is not None:
        problems += writable_problems(report_path, (".html", ".htm"), "report")
    outputs = [p for p in (table_path, report_path) if p is not None]
    problems += output_problems(outputs, (input_path, *published), overwrite)
    if max_outside < 0:
        problems.append(f"--max-outside must be ≥ 0, got {max_outside}")
    if not tolerance >= 0:
        problems.append(f"--tolerance must be ≥ 0 points, got {tolerance}")
    mapping = None
    if columns:
        pairs = [item.split("=", 1) for item in columns.split(",") if item.strip()]
        if any(len(pair) != 2 or not pair[0].strip() for pair in pairs):
            problems.append(f"--columns must be role=column pairs separated by commas: {columns!r}")
        else:
            mapping = {role.strip(): column.strip() for role, column in pairs}
    if problems:
        fail_lines(problems)
    from synergy.benchmark import compare, read_published

    try:
        pub = read_published(list(published), format=table_format, columns=mapping)
    except SynergyError as exc:
        if debug:
            raise
        fail(str(exc))
    screen = open_inputs(ctx, (input_path,), response_kind, conc_unit)
    model_list = [m.strip() for m in models.split(",") if m.strip()] if models else None
    try:
        result = compare(
            screen,
            pub,
            models=model_list,
            tolerance=tolerance,
            convention=convention,
            fitter=fitter,
            use_published_fits=use_fits,
        )
        if table_path is not None:
            write_table(result.to_table(), table_path)
        if report_path is not None:
            from synergy.report import write_benchmark_report

            write_benchmark_report(result, report_path, max_outside=max_outside)
    except SynergyError as exc:
        if debug:
            raise
        fail(str(exc) or type(exc).__name__)
    for line in result.lines():
        click.echo(line)
    for written in (table_path, report_path):
        if written is not None:
            click.echo(f"wrote {written}")
    click.echo(result.verdict(max_outside))
    if not result.passed(max_outside):
        ctx.exit(1)
