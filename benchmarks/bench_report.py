"""Size and build time of the interactive report, and its first paint in headless Chromium.

    python benchmarks/bench_report.py                  # 16, 1,000 and 10,000 blocks
    python benchmarks/bench_report.py --blocks 16 1000 # a subset

Each screen is simulated (``synergy.datasets.simulate``, 6 × 6 doses, 2 replicates) and
scored with the four reference models (lsq fitter) first; scoring is not timed.  Timed:
``synergy.report.write_interactive_report`` (page + data folder) and, for the smaller
screens, the one-file page (``self_contained``).  Size: the page and every file of its
folder.  First paint: Chromium loads the page headless (``--dump-dom``) and the page
records, in ``data-first-render-ms``, the milliseconds from navigation start to the end of
its first drawing (overview, table page, the best block's curves, maps and 3-D surface);
the wall time of the whole browser process (start-up included) is given beside it.
Targets (docs/design.md §17): 10,000 blocks built in <= 60 s, <= 25 MB in all, first
paint <= 3 s.  Prints a markdown table.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import synergy
from synergy.report import write_interactive_report


def _size(page: Path) -> int:
    folder = page.with_name(f"{page.stem}_files")
    extra = sum(f.stat().st_size for f in folder.iterdir()) if folder.is_dir() else 0
    return page.stat().st_size + extra


def _first_paint(page: Path) -> tuple[float, float]:
    """(ms to the end of the first drawing as the page measured it, browser wall s)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        return float("nan"), float("nan")
    started = time.perf_counter()
    result = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=10000",
         "--window-size=1280,1600", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    wall = time.perf_counter() - started
    found = re.search(r'data-first-render-ms="(\d+)"', result.stdout)
    return (float(found.group(1)) if found else float("nan")), wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, nargs="+", default=[16, 1000, 10000])
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.blocks:
            screen = synergy.datasets.simulate(n, n_doses=6, noise_sd=4, n_replicates=2, seed=1)
            scored = synergy.score(screen, ("bliss", "hsa", "loewe", "zip"), fitter="lsq")
            page = Path(tmp) / f"r{n}.html"
            started = time.perf_counter()
            write_interactive_report(scored, page)
            build = time.perf_counter() - started
            one = "–"
            if n <= 1000:
                started = time.perf_counter()
                single = write_interactive_report(
                    scored, Path(tmp) / f"one{n}.html", self_contained=True
                )
                one = f"{single.stat().st_size / 1e6:.2f} MB, {time.perf_counter() - started:.1f} s"
            paint, wall = _first_paint(page)
            rows.append((n, build, _size(page) / 1e6, paint, wall, one))
            print(f"{n} blocks done", file=sys.stderr)
    print("| blocks | build s | size MB (page + folder) | first paint ms | browser wall s "
          "| --self-contained |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---|")
    for n, build, size, paint, wall, one in rows:
        print(f"| {n:,} | {build:.1f} | {size:.2f} | {paint:.0f} | {wall:.1f} | {one} |")


if __name__ == "__main__":
    main()
