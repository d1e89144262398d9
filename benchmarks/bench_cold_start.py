"""First run on an empty numba cache: how long a new user, a fresh container or a dask
worker waits before the first scores.

    python benchmarks/bench_cold_start.py               # (a)-(d) and the warm CLI
    python benchmarks/bench_cold_start.py --no-warmup   # skip (d), which compiles everything

Each step runs in a fresh interpreter with its own empty ``NUMBA_CACHE_DIR``:

(a) ``import synergy``;
(b) the first ``synergy.score`` of the bundled ``sf_oneil`` (2 blocks) with default settings
    (the time of the call, the import excluded), with numba's compile seconds per kernel
    module in the scoring process (outermost compilations, wall and CPU); on two cores or
    more drc's replica compiles in a child process meanwhile (``synergy._kernels.ahead``),
    whose CPU is in the CPU column;
(b1) the same with ``SYNERGY_COMPILE_CHILD=0`` (everything in one process: CPU seconds of
    every kernel module);
(c) the first ``synergy score data.csv -o out.nc`` on the command line (whole process), and
    (c1) the same with ``SYNERGY_COMPILE_CHILD=0``;
(d) ``synergy warmup`` (compiles every kernel);

then on the warm cache of (c): the same ``synergy score`` again and ``synergy --version``.
Wall times are noisy on a shared machine; the CPU column (user + system time of the child
process and of its own children, ``resource.getrusage(RUSAGE_CHILDREN)``) is less
sensitive to other processes.
Prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from synergy.datasets import path

FIRST_SCORE = """
import json, sys, time
t0 = time.perf_counter()
import synergy
from synergy.cli.warmup import CompileTimer
screen = synergy.datasets.load("sf_oneil")
t1 = time.perf_counter()
with CompileTimer() as timer:
    synergy.score(screen)
t2 = time.perf_counter()
json.dump({"call": t2 - t1, "wall": dict(timer.seconds), "cpu": dict(timer.cpu_seconds)},
          sys.stdout)
"""


def _child(args: list[str], cache: Path, alone: bool = False) -> tuple[float, float, str]:
    """Run a child process on the numba cache ``cache``: (wall s, CPU s, stdout); ``alone``:
    without the process that compiles drc's replica in parallel."""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache), "SYNERGY_COMPILE_CHILD": "1"}
    if alone:
        env["SYNERGY_COMPILE_CHILD"] = "0"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{result.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, result.stdout


def _families(seconds: dict[str, float]) -> str:
    ranked = sorted(seconds.items(), key=lambda kv: -kv[1])
    return ", ".join(f"{m.removeprefix('synergy._kernels.')} {s:.1f}" for m, s in ranked)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-warmup", action="store_true", help="skip (d)")
    opts = parser.parse_args()
    py = sys.executable
    data = str(path("sf_oneil") / "data.csv")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        wall, cpu, _ = _child([py, "-c", "import synergy"], tmp_path / "a")
        rows.append(("(a) `import synergy`", wall, cpu, ""))
        for name, alone in (("(b)", False), ("(b1) one process:", True)):
            wall, cpu, out = _child([py, "-c", FIRST_SCORE], tmp_path / name, alone)
            first = json.loads(out)
            families = f"wall: {_families(first['wall'])}; CPU: {_families(first['cpu'])}"
            rows.append(
                (
                    f"{name} first `synergy.score(sf_oneil)` (the call; process {wall:.1f})",
                    first["call"],
                    cpu,
                    families,
                )
            )
        cli = [py, "-m", "synergy", "score", data, "-q", "-o"]
        wall, cpu, _ = _child([*cli, str(tmp_path / "c1.nc")], tmp_path / "c1", alone=True)
        rows.append(("(c1) one process: first `synergy score data.csv -o out.nc`", wall, cpu, ""))
        wall, cpu, _ = _child([*cli, str(tmp_path / "c.nc")], tmp_path / "c")
        rows.append(("(c) first `synergy score data.csv -o out.nc`", wall, cpu, ""))
        if not opts.no_warmup:
            wall, cpu, out = _child([py, "-m", "synergy", "warmup"], tmp_path / "d")
            lines = [line.split() for line in out.splitlines()]
            per = {p[2]: float(p[0]) for p in lines if len(p) == 3 and p[1] == "s"}
            rows.append(("(d) `synergy warmup`", wall, cpu, f"wall: {_families(per)}"))
        wall, cpu, _ = _child([*cli, str(tmp_path / "e.nc")], tmp_path / "c")
        rows.append(("warm cache: `synergy score data.csv -o out.nc`", wall, cpu, ""))
        wall, cpu, _ = _child([py, "-m", "synergy", "--version"], tmp_path / "c")
        rows.append(("warm cache: `synergy --version`", wall, cpu, ""))
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} at the end\n")
    print("| step | wall (s) | CPU (s) | numba compile seconds per kernel module (scorer) |")
    print("|---|---:|---:|---|")
    for name, wall, cpu, note in rows:
        print(f"| {name} | {wall:.1f} | {cpu:.1f} | {note} |")


if __name__ == "__main__":
    main()
