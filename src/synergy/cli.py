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


_OUTPUT_SUFFIXES = (".nc", ".nc4", ".zarr")
_TABLE_SUFFIXES = (".csv", ".tsv", ".parquet")


def _writable_problems(path: Path, suffixes: tuple[str, ...], what: str) -> list[str]:
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
    return []


def _write_table(table, path: Path) -> None:
    """Write a pandas table to csv/tsv/parquet under a temporary name, then rename."""
    import os

    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        table.to_parquet(tmp, index=False)
    else:
        table.to_csv(tmp, index=False, sep="\t" if suffix == ".tsv" else ",")
    os.replace(tmp, path)


def _fail_lines(lines: list[str]) -> None:
    """Exit 2 with one ``Error: …`` line per problem (click prints the last)."""
    for line in lines[:-1]:
        click.echo(f"Error: {line}", err=True)
    _fail(lines[-1])


def _summary(run, counts, paths: list[Path]) -> list[str]:
    rate = counts.n_blocks / run.wall_time if run.wall_time > 0 else float("inf")
    where = "this process" if run.n_workers == 1 else f"{run.n_workers} dask workers"
    lines = [
        f"scored {counts.n_blocks} blocks in {run.wall_time:.1f} s ({rate:,.0f} blocks/s, "
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
        text = "; ".join(f"{flag} {n}" for flag, n in shown)
        lines.append(f"flags (blocks): {text}" + (f"; … {more} more" if more > 0 else ""))
    lines += [f"wrote {path}" for path in paths]
    return lines


@main.command()
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
    ".csv, .tsv or .parquet.",
)
@click.option(
    "--models", default="bliss,hsa,loewe,zip", show_default=True, help="Comma-separated models."
)
@click.option(
    "--convention",
    default="synergyfinder3",
    show_default=True,
    help="synergyfinder3 or synergyfinder2.",
)
@click.option("--loewe-solver", default=None, help="grid100, exact or sf2 (default: convention's).")
@click.option("--fitter", default=None, help="drc or lsq (default: convention's, drc).")
@click.option("--n-boot", type=int, default=0, show_default=True, help="Bootstrap resamples.")
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
@_KIND
@_UNIT
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
    n_boot,
    seed,
    workers,
    scheduler,
    chunk_blocks,
    resume,
    no_checkpoint,
    progress,
    quiet,
    debug,
    response_kind,
    conc_unit,
) -> None:
    """Score every block of INPUTS (several files are one screen) and write OUT.

    Exit codes: 0 done (failed blocks are in OUT with their status), 2 bad input, options or
    output path (nothing scored), 1 an unexpected error, 130 interrupted (rerun with
    --resume to finish).
    """
    import warnings

    from synergy.errors import SynergyError

    ctx.obj["debug"] = debug = debug or ctx.obj.get("debug", False)
    if not debug:
        warnings.simplefilter("ignore", RuntimeWarning)
    out_path, table_path = Path(out), Path(table) if table else None
    problems = _writable_problems(out_path, _OUTPUT_SUFFIXES, "scored screen")
    if table_path is not None:
        problems += _writable_problems(table_path, _TABLE_SUFFIXES, "table")
    if workers is not None and scheduler is not None:
        problems.append("give --workers or --scheduler, not both")
    if problems:
        _fail_lines(problems)

    from synergy.batch import checkpoint_path, run_screen, status_counts
    from synergy.batch.run import check_settings

    model_list = tuple(m.strip() for m in models.split(",") if m.strip())
    options = {
        "convention": convention,
        "loewe_solver": loewe_solver,
        "fitter": fitter,
        "n_boot": n_boot,
        "seed": seed,
    }
    checkpoint = None if no_checkpoint else checkpoint_path(out_path)
    try:
        check_settings(model_list, options)
    except SynergyError as exc:
        _fail(str(exc))
    if checkpoint is not None and checkpoint.exists() and not resume:
        _fail(
            f"{checkpoint}: a checkpoint of an interrupted run exists; rerun with --resume "
            "to finish it, or delete it to start again"
        )
    screen = _open(ctx, inputs, response_kind, conc_unit)
    from synergy.io.validate import validate

    report = validate(screen)
    if report.errors:
        _fail_lines(report.errors)
    if not quiet:
        for line in report.warnings[:10]:
            click.echo(f"warning: {line}", err=True)
        if len(report.warnings) > 10:
            click.echo(f"warning: … {len(report.warnings) - 10} more", err=True)
    show = progress if progress is not None else (not quiet and sys.stderr.isatty())
    try:
        run = run_screen(
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

            _write_table(to_table(run.scored, level="block"), table_path)
            paths.append(table_path)
    except SynergyError as exc:
        if debug:
            raise
        _fail_lines(str(exc).splitlines() or [type(exc).__name__])
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


class _wide:
    def __enter__(self):
        import pandas as pd

        self._ctx = pd.option_context("display.width", 200, "display.max_columns", 30)
        self._ctx.__enter__()

    def __exit__(self, *exc):
        self._ctx.__exit__(*exc)


if __name__ == "__main__":  # pragma: no cover
    main()
