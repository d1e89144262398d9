"""The ``synergy`` command line: a face over the library (no numerics here).

Exit codes: 0 success, 1 the check asked for failed (e.g. ``validate`` found
problems), 2 bad input or usage (one clear line per problem, no traceback unless
``--debug``). Each command lives in its own module and is registered here.
"""

from __future__ import annotations

import logging
import sys

import click

from synergy._version import __version__
from synergy.cli._common import Exit2
from synergy.cli.benchmark import benchmark
from synergy.cli.inspect import demo, info, validate_cmd
from synergy.cli.report import report
from synergy.cli.score import score
from synergy.cli.warmup import warmup

__all__ = ["main"]


class _Group(click.Group):
    """Every command's errors as one line: exit 2 for bad input (a SynergyError, wherever
    raised), 1 for anything unexpected; the traceback only with ``--debug``."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except Exception as exc:
            from synergy.errors import SynergyError

            if _debug(ctx):
                raise
            text = " ".join(str(exc).split()) or type(exc).__name__
            if isinstance(exc, SynergyError):
                raise Exit2(str(exc) or type(exc).__name__) from None
            click.echo(
                f"Error: {type(exc).__name__}: {text} (rerun with --debug for the traceback)",
                err=True,
            )
            sys.exit(1)


def _debug(ctx: click.Context) -> bool:
    return bool((ctx.obj or {}).get("debug")) or "--debug" in sys.argv


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", package_name="synergy-toolkit")
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """synergy — drug-combination synergy (Bliss, HSA, Loewe, ZIP) on dose-matrix screens."""
    ctx.obj = {"debug": debug}
    _say_compiling_on_stderr()


class _StderrLine(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"synergy: {record.getMessage()}", err=True)


def _say_compiling_on_stderr() -> None:
    """The kernels' first-compilation note as one plain stderr line (synergy._kernels)."""
    logger = logging.getLogger("synergy.compile")
    if not any(isinstance(h, _StderrLine) for h in logger.handlers):
        logger.addHandler(_StderrLine())
    logger.propagate = False


for _command in (info, validate_cmd, demo, score, report, benchmark, warmup):
    main.add_command(_command)
