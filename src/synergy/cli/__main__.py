"""``python -m synergy.cli``."""

from synergy.cli import main

main()
