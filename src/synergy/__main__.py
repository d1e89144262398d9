"""``python -m synergy``: the ``synergy`` command line (e.g. ``python -m synergy warmup``)."""

from synergy.cli import main

main(prog_name="synergy")
