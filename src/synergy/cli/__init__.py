"""The ``synergy`` command line: a face over the library (no numerics here).

Exit codes: 0 success, 1 the check asked for failed (e.g. ``validate`` found
problems), 2 bad input or usage (one clear line per problem, no traceback unless
``--debug``). Each command lives in its own module and is registered here.
"""

from __future__ import annotations

import click

from synergy._version import __version__
from synergy.cli.inspect import demo, info, validate_cmd
from synergy.cli.report import report
from synergy.cli.score import score

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", package_name="synergy-toolkit")
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """synergy — drug-combination synergy (Bliss, HSA, Loewe, ZIP) on dose-matrix screens."""
    ctx.obj = {"debug": debug}


for _command in (info, validate_cmd, demo, score, report):
    main.add_command(_command)
