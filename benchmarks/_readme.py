"""Write a benchmark's current table into ``benchmarks/README.md``.

Each script that supports ``--markdown`` builds its result table as Markdown and calls
:func:`write_table`, which replaces the text between the section's markers::

    <!-- table:NAME -->
    ...
    <!-- /table:NAME -->

with the new table and a line naming the machine it was measured on.  ``run_all.py`` runs
every such script; the README keeps no other copy of the figures (history is in git).
"""

from __future__ import annotations

import os
import platform
import re
from collections.abc import Sequence
from pathlib import Path

README = Path(__file__).with_name("README.md")


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[object]], align: str = "") -> str:
    """A Markdown table; ``align`` has one letter per column (``l`` or ``r``, default ``r``
    for every column but the first)."""
    align = align or "l" + "r" * (len(header) - 1)
    rule = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(rule) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def machine() -> str:
    """Cores, CPU, load average at the time of measuring, Python and numba versions."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as stream:
            names = [ln.split(":", 1)[1].strip() for ln in stream if ln.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    load = f"{os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else "n/a"
    try:
        import numba

        threads = f", numba {numba.__version__} ({numba.get_num_threads()} threads)"
    except ImportError:  # pragma: no cover
        threads = ""
    return (
        f"{os.cpu_count()} cores ({cpu}), load average {load} when measured, "
        f"Python {platform.python_version()}{threads}"
    )


def write_table(name: str, table: str, readme: Path = README) -> None:
    """Replace section ``name``'s table in the README (its markers must exist)."""
    text = readme.read_text(encoding="utf-8")
    pattern = re.compile(
        rf"(<!-- table:{re.escape(name)} -->\n).*?(<!-- /table:{re.escape(name)} -->)", re.S
    )
    if not pattern.search(text):
        raise SystemExit(f"{readme}: no '<!-- table:{name} -->' section to write into")
    body = f"{table.strip()}\n\nMachine: {machine()}.\n"
    readme.write_text(pattern.sub(lambda m: m.group(1) + body + m.group(2), text), "utf-8")
    print(f"wrote the '{name}' table of {readme}")
