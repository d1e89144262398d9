"""``synergy report``: the interactive HTML report of a screen (or the static page)."""

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
    help="HTML page to write; its data go to a folder <name>_files beside it (no network).",
)
@click.option(
    "--self-contained",
    is_flag=True,
    help="One file holding everything (no folder beside it): for small screens and e-mail.",
)
@click.option(
    "--static",
    is_flag=True,
    help="The static page instead: matplotlib figures as embedded PNGs, one file, no script.",
)
@click.option("--top", type=int, default=10, show_default=True, help="Length of the top list.")
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
    help="--static: blocks that get a section with figures (all are in the table).",
)
@click.option(
    "--extra",
    default="",
    help="--static: more figures per pair block, comma-separated: plate_qc, isobologram, "
    "landscape_3d.",
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
    self_contained,
    static,
    top,
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
    scored first): summary, distribution of scores, top and flagged blocks, the ranked
    table (search, sort, filter, CSV/Excel) and each block drawn in the browser (curves,
    hoverable maps, rotatable 3-D δ surface, barometer).  --static writes the page of
    matplotlib figures instead.

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
    if not (static or self_contained):  # the page's data folder (synergy.report)
        problems += output_problems(
            [out_path.with_name(f"{out_path.stem}_files")], inputs, overwrite
        )
    if static and self_contained:
        problems.append("--static pages are one file already: give --static or --self-contained")
    if extra and not static:
        problems.append("--extra adds matplotlib figures to the static page: add --static")
    if top < 1:
        problems.append(f"--top must be >= 1, got {top}")
    if max_blocks < 0:
        problems.append(f"--max-blocks must be >= 0, got {max_blocks}")
    if problems:
        fail_lines(problems)
    from synergy.io.outputs import OutputLock

    ctx.with_resource(OutputLock(out_path))  # one writer per output
    if static:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            fail("the static report needs matplotlib: pip install 'synergy-toolkit[plot]'")

    started = time.perf_counter()
    screen = open_inputs(ctx, inputs, response_kind, conc_unit, sheet)
    from synergy.report import scored_models, write_interactive_report, write_report

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
        if static:
            path = write_report(
                screen,
                out_path,
                title=title,
                rank_by=rank_by,
                max_blocks=max_blocks,
                extra=tuple(x.strip() for x in extra.split(",") if x.strip()),
            )
        else:
            path = write_interactive_report(
                screen,
                out_path,
                title=title,
                rank_by=rank_by,
                self_contained=self_contained,
                top=top,
                overwrite=overwrite,
            )
    except SynergyError as exc:
        if debug:
            raise
        fail(str(exc))
    if not quiet:
        elapsed = time.perf_counter() - started
        size = path.stat().st_size
        folder = path.with_name(f"{path.stem}_files")
        where = ""
        if not (static or self_contained) and folder.is_dir():
            size += sum(f.stat().st_size for f in folder.iterdir())
            where = f" and {folder.name}/"
        click.echo(f"wrote {path}{where} ({size / 1e6:.1f} MB) in {elapsed:.1f} s")
