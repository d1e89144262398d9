"""``synergy score``: batch scoring of a whole screen."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from synergy.cli._common import (
    CONC_UNIT_OPTION,
    OUTPUT_SUFFIXES,
    OVERWRITE_OPTION,
    RESPONSE_KIND_OPTION,
    SHEET_OPTION,
    TABLE_SUFFIXES,
    fail,
    fail_lines,
    open_inputs,
    output_problems,
    writable_problems,
    write_table,
)
from synergy.cli._plates import open_plates, plates_options
from synergy.errors import SynergyError
from synergy.models.registry import LABELS, REGISTRY, model_names


def _summary(run, counts, paths: list[Path]) -> list[str]:
    from synergy.models.status import WHO  # xarray: imported when a run has finished
    from synergy.status import explain

    rate = counts.n_blocks / run.wall_time if run.wall_time > 0 else float("inf")
    where = "this process" if run.n_workers == 1 else f"{run.n_workers} dask workers"
    lines = [
        f"scored {counts.n_blocks} blocks in {run.wall_time:.1f} s "
        f"({rate:,.{0 if rate >= 10 else 2}f} blocks/s, "
        f"{run.n_chunks} chunk(s) on {where})"
    ]
    if run.n_chunks_resumed:
        lines.append(
            f"resumed: {run.n_chunks_resumed} chunk(s) ({run.n_blocks_resumed} blocks) "
            "read from the checkpoint, the rest scored now"
        )
    levels = counts.by_level
    failed = f"{levels['failed']} failed"
    if counts.n_errored:
        failed += f" ({counts.n_errored} raised an error while scoring; see status_reason)"
    lines.append(f"status: {levels['ok']} ok, {levels['warning']} warning, {failed}")
    if counts.flags:
        shown = list(counts.flags.items())[:8]
        more = len(counts.flags) - len(shown)
        lines.append("notes and warnings (blocks):")
        for flag, n in shown:
            who, _, word = flag.partition(": ")
            lines.append(f"  {n} x {WHO.get(who) or LABELS.get(who, who)}: {explain(word)}")
        if more > 0:
            lines.append(f"  … {more} more (see status_reason)")
    lines += [f"wrote {path}" for path in paths]
    return lines


@click.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option(
    "-o",
    "--output",
    "out",
    required=True,
    type=click.Path(),
    help="Scored screen to write: OUT.nc (netCDF) or OUT.zarr.",
)
@click.option(
    "--table",
    type=click.Path(),
    default=None,
    help="Also write one row per block (SynergyFinder's column names plus ours): "
    ".csv, .tsv, .parquet or .xlsx.",
)
@click.option(
    "--models",
    default=",".join(model_names(default=True)),
    show_default=True,
    help="Comma-separated models: "
    + "; ".join(f"{n} ({REGISTRY[n].description})" for n in model_names())
    + ".",
)
@click.option(
    "--convention",
    default="synergyfinder3",
    show_default=True,
    help="synergyfinder3 or synergyfinder2.",
)
@click.option("--loewe-solver", default=None, help="grid100, exact or sf2 (default: convention's).")
@click.option("--fitter", default=None, help="drc or lsq (default: convention's, drc).")
@click.option(
    "--correct-baseline",
    type=click.Choice(["non", "part", "all"]),
    default="non",
    show_default=True,
    help="SynergyFinder's baseline correction of negative (part) or all responses.",
)
@click.option(
    "--sensitivity",
    is_flag=True,
    help="Also compute SynergyFinder's IC50, RI, CSS and S per block.",
)
@click.option(
    "--check-fits",
    is_flag=True,
    help="Also fit with the other fitter; flag blocks whose Loewe/ZIP rest on a poorer fit.",
)
@click.option(
    "--n-boot",
    type=int,
    default=0,
    show_default=True,
    help="Bootstrap resamples for 95 % intervals and p-values (e.g. 200; 0 = none).",
)
@click.option(
    "--bootstrap",
    type=click.Choice(["resample", "synergyfinder"]),
    default="resample",
    show_default=True,
    help="Residual bootstrap with the small-K correction, or SynergyFinder 3's method.",
)
@click.option("--well-intervals", is_flag=True, help="Also write per-well δ intervals.")
@click.option(
    "--response-range",
    type=(float, float),
    default=None,
    metavar="LOW HIGH",
    help="Plausible responses in % inhibition (default -150 250): blocks with a response "
    "outside, or with controls far from 0, are scored with a warning (a wrong scale?).",
)
@click.option(
    "--impute",
    type=click.Choice(["hill_bliss"]),
    default=None,
    help="Fill dose combinations without a measured well before scoring (single drugs from "
    "their Hill fit, combinations from Bliss plus the neighbours' excess); default: score "
    "the measured wells only. Imputed wells are masked (imputed) and counted in the status.",
)
@click.option(
    "--outliers",
    type=click.Choice(["flag", "exclude"]),
    default=None,
    help="Detect wells far from their neighbouring cells: flag them (outlier mask, status) "
    "or also exclude them from the scores.",
)
@click.option(
    "--outlier-threshold",
    type=float,
    default=None,
    help="k of the outlier detector, in robust SDs of the block's residuals (default 5).",
)
@click.option(
    "--musyc-calibrate",
    type=click.IntRange(min=0),
    default=None,
    help="MuSyC: bootstrap draws per block calibrating log alpha's intervals and p-values "
    "(default 79 at 95 %; 0 = F-test profile intervals, faster but anti-conservative).",
)
@click.option(
    "--musyc-alpha-on-bound",
    type=click.Choice(["unidentified", "keep"]),
    default=None,
    help="MuSyC blocks with an alpha on its bound: intervals (-inf, inf) (unidentified, "
    "the default) or as computed (keep).",
)
@click.option(
    "--model-option",
    "model_option",
    multiple=True,
    metavar="MODEL.OPTION=VALUE",
    help="A model's own option, repeatable (e.g. zimmer.intervals=wald). Options: "
    + "; ".join(
        f"{n}: " + ", ".join(f"{k} ({t.__name__})" for k, t in REGISTRY[n].options.items())
        for n in model_names()
        if REGISTRY[n].options
    )
    + ".",
)
@click.option("--seed", type=int, default=None, help="Seed of random draws (keyed by block id).")
@click.option(
    "--workers",
    type=int,
    default=None,
    help="Score on a local dask cluster of N single-threaded processes.",
)
@click.option(
    "--scheduler", default=None, help="Score on an existing dask cluster (tcp://HOST:PORT)."
)
@click.option(
    "--chunk-blocks",
    type=int,
    default=None,
    help="Blocks per chunk (default 2000, fewer with workers).",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Finish an interrupted run from its checkpoint (OUT.checkpoint/).",
)
@click.option("--no-checkpoint", is_flag=True, help="Do not save finished chunks.")
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress bar on stderr (default: when stderr is a terminal).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@OVERWRITE_OPTION
@RESPONSE_KIND_OPTION
@CONC_UNIT_OPTION
@SHEET_OPTION
@plates_options
@click.pass_context
def score(
    ctx: click.Context,
    inputs,
    out,
    table,
    models,
    convention,
    loewe_solver,
    fitter,
    correct_baseline,
    response_range,
    impute,
    outliers,
    outlier_threshold,
    sensitivity,
    check_fits,
    n_boot,
    bootstrap,
    well_intervals,
    musyc_calibrate,
    musyc_alpha_on_bound,
    model_option,
    seed,
    workers,
    scheduler,
    chunk_blocks,
    resume,
    no_checkpoint,
    progress,
    quiet,
    debug,
    overwrite,
    response_kind,
    conc_unit,
    sheet,
    layout,
    plate_table,
    spatial_correction,
) -> None:
    """Score every block of INPUTS (several files are one screen) and write OUT.

    Exit codes: 0 done (failed blocks are in OUT with their status), 2 bad input, options or
    output path (nothing scored; also when OUT exists without --overwrite, or another run is
    writing OUT), 1 an unexpected error, 130 interrupted (rerun with --resume to finish).
    """
    import warnings

    ctx.obj["debug"] = debug = debug or ctx.obj.get("debug", False)
    if not debug:
        warnings.simplefilter("ignore", RuntimeWarning)
    out_path, table_path = Path(out), Path(table) if table else None
    problems = writable_problems(out_path, OUTPUT_SUFFIXES, "scored screen")
    if table_path is not None:
        problems += writable_problems(table_path, TABLE_SUFFIXES, "table")
    if workers is not None and scheduler is not None:
        problems.append("give --workers or --scheduler, not both")
    outputs = [out_path] + ([table_path] if table_path is not None else [])
    problems += output_problems(outputs, inputs, overwrite or resume)
    if problems:
        fail_lines(problems)
    from synergy.io.outputs import OutputLock

    ctx.with_resource(OutputLock(out_path))  # one writer per output: exit 2 while another writes

    from synergy.batch import checkpoint_path, run_groups, run_screen, status_counts
    from synergy.batch.run import check_settings

    model_list = tuple(m.strip() for m in models.split(",") if m.strip())
    options = {
        "convention": convention,
        "loewe_solver": loewe_solver,
        "fitter": fitter,
        "correct_baseline": correct_baseline,
        "check_fits": check_fits,
        "sensitivity": sensitivity,
        "n_boot": n_boot,
        "bootstrap": bootstrap,
        "well_intervals": well_intervals,
        "seed": seed,
    }
    if response_range is not None:
        options["response_range"] = tuple(response_range)
    for key, value in (
        ("impute", impute),
        ("outliers", outliers),
        ("outlier_threshold", outlier_threshold),
    ):
        if value is not None:  # docs/design.md §18
            options[key] = value
    musyc_opts = {
        key: value
        for key, value in (("calibrate", musyc_calibrate), ("alpha_on_bound", musyc_alpha_on_bound))
        if value is not None
    }
    if musyc_opts:
        musyc_models = [
            m for m in model_list if "calibrate" in getattr(REGISTRY.get(m), "options", {})
        ]
        if not musyc_models:
            fail("--musyc-* options need the musyc or musyc_gamma model (--models ...,musyc)")
        options["model_options"] = {m: dict(musyc_opts) for m in musyc_models}
    for text in model_option:
        try:
            model, key, value = parse_model_option(text)
        except SynergyError as exc:
            fail(str(exc))
        options.setdefault("model_options", {}).setdefault(model, {})[key] = value
    checkpoint = None if no_checkpoint else checkpoint_path(out_path)
    try:
        check_settings(model_list, options)
    except SynergyError as exc:
        fail(str(exc))
    if checkpoint is not None and checkpoint.exists() and not resume:
        fail(
            f"{checkpoint}: a checkpoint of an interrupted run exists; rerun with --resume "
            "to finish it, or delete it to start again"
        )
    if fitter in (None, "drc") and workers is None and scheduler is None:
        from synergy._kernels.ahead import early_drc_child  # cold cache: compile drc meanwhile

        ctx.with_resource(early_drc_child())
    if layout:  # INPUTS are plate reads
        screen = open_plates(ctx, inputs, layout, plate_table, spatial_correction, conc_unit, quiet)
    else:
        screen = open_inputs(ctx, inputs, response_kind, conc_unit, sheet, groups=True)
    from synergy.io.validate import validate

    parts = screen if isinstance(screen, list) else [screen]  # a ragged table: shape groups
    reports = [validate(part) for part in parts]
    errors = [line for report in reports for line in report.errors]
    if errors:
        fail_lines(errors)
    warned = [line for report in reports for line in report.warnings]
    if not quiet:
        for line in warned[:10]:
            click.echo(f"warning: {line}", err=True)
        if len(warned) > 10:
            click.echo(f"warning: … {len(warned) - 10} more", err=True)
    show = progress if progress is not None else (not quiet and sys.stderr.isatty())
    runner = run_groups if isinstance(screen, list) else run_screen  # the same options
    try:
        run = runner(
            screen,
            model_list,
            chunk_blocks=chunk_blocks,
            scheduler=scheduler,
            workers=workers,
            progress=show,
            checkpoint=checkpoint,
            resume=resume,
            out=out_path,
            **options,
        )
        paths = [out_path]
        if table_path is not None:
            from synergy.io.table import to_table

            write_table(to_table(run.groups or run.scored, level="block"), table_path)
            paths.append(table_path)
    except SynergyError as exc:
        if debug:
            raise
        fail_lines(str(exc).splitlines() or [type(exc).__name__])
    except KeyboardInterrupt:
        where = f"; rerun with --resume to finish from {checkpoint}" if checkpoint else ""
        click.echo(f"interrupted{where}", err=True)
        sys.exit(130)
    except Exception as exc:
        if debug:
            raise
        click.echo(
            f"Error: {type(exc).__name__}: {exc} (rerun with --debug for the traceback)", err=True
        )
        sys.exit(1)
    if not quiet:
        for line in _summary(run, status_counts(run.scored), paths):
            click.echo(line)


def parse_model_option(text: str) -> tuple[str, str, object]:
    """``"MODEL.OPTION=VALUE"`` as ``(model, option, value)``, the value converted to the
    option's type declared in :mod:`synergy.models.registry`."""
    head, sep, raw = text.partition("=")
    model, dot, key = head.strip().partition(".")
    if not (sep and dot and model and key):
        raise SynergyError(f"--model-option {text!r}: write MODEL.OPTION=VALUE")
    if model not in REGISTRY:
        raise SynergyError(f"--model-option {text!r}: unknown model; choose from {model_names()}")
    kind = REGISTRY[model].options.get(key)
    if kind is None:
        raise SynergyError(
            f"--model-option {text!r}: {model} takes {sorted(REGISTRY[model].options) or 'none'}"
        )
    raw = raw.strip()
    try:
        value = (raw.lower() in ("1", "true", "yes")) if kind is bool else kind(raw)
    except ValueError:
        raise SynergyError(f"--model-option {text!r}: {key} must be {kind.__name__}") from None
    return model, key, value
