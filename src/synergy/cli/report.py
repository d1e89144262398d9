"""``synergy report``: one self-contained HTML page for a screen."""

from __future__ import annotations

import time
from pathlib import Path

import click

from synergy.cli._common import (
    CONC_UNIT_OPTION,
    OVERWRITE_OPTION,
    RESPONSE_KIND_OPTION,
    SHEET_OPTION,
    fail,
    fail_lines,
    open_inputs,
    output_problems,
    writable_problems,
)


@click.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option(
    "-o",
    "--output",
    "out",
    required=True,
    type=click.Path(),
    help="HTML file to write (self-contained: figures embedded, no network).",
)
@click.option(
    "--models",
    default="bliss,hsa,loewe,zip",
    show_default=True,
    help="Models to score when the input is not scored yet.",
)
@click.option(
    "--convention",
    default="synergyfinder3",
    show_default=True,
    help="Scoring convention when the input is not scored yet.",
)
@click.option("--fitter", default=None, help="drc or lsq (when scoring; default: convention's).")
@click.option("--rank-by", default=None, help="Model whose score ranks the blocks (default zip).")
@click.option(
    "--max-blocks",
    type=int,
    default=60,
    show_default=True,
    help="Blocks that get a section with figures (all are in the table).",
)
@click.option(
    "--extra",
    default="",
    help="More figures per pair block, comma-separated: plate_qc, isobologram, landscape_3d.",
)
@click.option("--title", default=None, help="Page title.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@OVERWRITE_OPTION
@RESPONSE_KIND_OPTION
@CONC_UNIT_OPTION
@SHEET_OPTION
@click.pass_context
def report(
    ctx: click.Context,
    inputs,
    out,
    models,
    convention,
    fitter,
    rank_by,
    max_blocks,
    extra,
    title,
    quiet,
    debug,
    overwrite,
    response_kind,
    conc_unit,
    sheet,
) -> None:
    """Write an HTML report of INPUTS (a scored .nc/.zarr, or any screen input, which is
    scored first): summary, ranked blocks, per-block scores, fits and figures.

    Exit codes: 0 written, 2 bad input, options or output path, 1 an unexpected error.
    """
    import warnings

    from synergy.errors import SynergyError

    ctx.obj["debug"] = debug = debug or ctx.obj.get("debug", False)
    if not debug:
        warnings.simplefilter("ignore", RuntimeWarning)
    out_path = Path(out)
    problems = [f"{path}: no such file or folder" for path in inputs if not Path(path).exists()]
    problems += writable_problems(out_path, (".html", ".htm"), "report")
    problems += output_problems([out_path], inputs, overwrite)
    if max_blocks < 0:
        problems.append(f"--max-blocks must be >= 0, got {max_blocks}")
    if problems:
        fail_lines(problems)
    from synergy.io.outputs import OutputLock

    ctx.with_resource(OutputLock(out_path))  # one writer per output
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        fail("the report needs matplotlib: pip install 'synergy-toolkit[plot]'")

    started = time.perf_counter()
    screen = open_inputs(ctx, inputs, response_kind, conc_unit, sheet)
    from synergy.report import scored_models, write_report

    try:
        if not scored_models(screen):
            from synergy.io.validate import validate
            from synergy.scoring import score

            checked = validate(screen)
            if checked.errors:
                fail_lines(checked.errors)
            model_list = tuple(m.strip() for m in models.split(",") if m.strip())
            if not quiet:
                click.echo(f"scoring {screen.sizes['block']} blocks ({', '.join(model_list)})")
            screen = score(screen, model_list, convention=convention, fitter=fitter)
        path = write_report(
            screen,
            out_path,
            title=title,
            rank_by=rank_by,
            max_blocks=max_blocks,
            extra=tuple(x.strip() for x in extra.split(",") if x.strip()),
        )
    except SynergyError as exc:
        if debug:
            raise
        fail(str(exc))
    if not quiet:
        elapsed = time.perf_counter() - started
        click.echo(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB) in {elapsed:.1f} s")
