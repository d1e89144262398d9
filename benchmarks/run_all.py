"""Rerun the benchmarks whose tables ``benchmarks/README.md`` holds, and rewrite those tables.

Run from the repository root::

    .venv/bin/python benchmarks/run_all.py             # every section below (~10 min, 2 cores)
    .venv/bin/python benchmarks/run_all.py --only hill # one section
    .venv/bin/python benchmarks/run_all.py --list      # what it runs

Each command runs its script with ``--markdown``: the script measures, prints its table and
writes it between the section's ``<!-- table:NAME -->`` markers of the README, with a line
naming the machine.  The long statistical studies (MuSyC, Zimmer/BRAID, bootstrap
calibration, the peer package) are not rerun here: their commands sit next to their tables.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# section -> the script and its arguments (all write their table with --markdown)
SECTIONS = {
    "reader": ["bench_reader.py", "--repeat", "2"],
    "models-drc": ["bench_models.py", "--fitter", "drc"],
    "models-lsq": ["bench_models.py", "--fitter", "lsq"],
    "drc": ["bench_drc.py", "--curves", "20000", "--scipy", "200"],
    "hill": ["bench_hill.py"],
    "multi": ["bench_multi.py", "--blocks", "1000"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=sorted(SECTIONS), help="these sections")
    parser.add_argument("--list", action="store_true", help="print the commands and exit")
    args = parser.parse_args()
    failed = []
    for name in args.only or SECTIONS:
        cmd = [sys.executable, str(HERE / SECTIONS[name][0]), *SECTIONS[name][1:], "--markdown"]
        print(f"[{name}] {' '.join(cmd)}", flush=True)
        if args.list:
            continue
        start = time.perf_counter()
        if subprocess.run(cmd, cwd=HERE.parent).returncode:
            failed.append(name)
        print(f"[{name}] {time.perf_counter() - start:.0f} s", flush=True)
    if failed:
        raise SystemExit(f"failed: {failed}")


if __name__ == "__main__":
    main()
