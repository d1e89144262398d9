"""SynergyFinder 2's Loewe (``solver="sf2"``) against R's nleqslv itself, well by well.

Draws random pairs of single-drug fits (half of the row drugs flat: asymptotes 0-2 points
apart; a quarter of the curves falling) and doses, computes SynergyFinder 2's reference with
our kernel and with R — the equation of SynergyFinder 2.0's ``Loewe`` (LL.4 × LL.4) solved by
``nleqslv::nleqslv(max(c) + 1, ..., method = "Newton")``, the fallback ``max f_i(x1 + x2)``
when nleqslv ends with an error or a code ≥ 3, capped at 100 — and prints, per nleqslv
outcome, how many wells agree to 1e-9 and the largest difference.  Needs ``Rscript`` and
the R package nleqslv (Debian: ``r-base-core``, ``r-cran-nleqslv``); not a test.

    .venv/bin/python benchmarks/bench_sf2_loewe.py [--wells 2000] [--seed 0]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from synergy.models.loewe import loewe_reference

# SynergyFinder 2.0's Loewe for one well given drc's LL.4 coefficients (b, c, d, e) of the
# column and row drugs and their doses; x1 is the column drug's dose as in its code.
R_SCRIPT = r"""
args <- commandArgs(trailingOnly = TRUE)
w <- read.csv(args[1])
g <- function(y, x1, x2, pc, pr) {
  x1 / (pc[4] * (((y - pc[3]) / (pc[2] - y))^(1 / pc[1]))) +
    x2 / (pr[4] * (((y - pr[3]) / (pr[2] - y))^(1 / pr[1]))) - 1
}
ll4 <- function(x, p) (p[3] + p[2] * (x / p[4])^p[1]) / (1 + (x / p[4])^p[1])
options(warn = -1)
out <- data.frame(reference = numeric(nrow(w)), termcd = integer(nrow(w)))
for (k in seq_len(nrow(w))) {
  pc <- as.numeric(w[k, c("b_col", "c_col", "d_col", "e_col")])
  pr <- as.numeric(w[k, c("b_row", "c_row", "d_row", "e_row")])
  res <- tryCatch(
    nleqslv::nleqslv(max(pc[2], pr[2]) + 1, g, method = "Newton",
                     x1 = w$x_col[k], x2 = w$x_row[k], pc = pc, pr = pr),
    error = function(e) list(termcd = 999L, x = NA))
  y <- if (res$termcd < 3) res$x else max(ll4(w$x_col[k] + w$x_row[k], pc),
                                          ll4(w$x_col[k] + w$x_row[k], pr))
  out$reference[k] <- min(y, 100)
  out$termcd[k] <- res$termcd
}
write.csv(out, args[2], row.names = FALSE)
"""


def random_fits(rng: np.random.Generator, n: int, flat_share: float) -> np.ndarray:
    """(n, 4) Hill fits (ic50, slope, bottom, top); ``flat_share`` of them flat."""
    ic50 = 10 ** rng.uniform(-1, 1, n)
    slope = rng.uniform(0.5, 3, n)
    flat = rng.random(n) < flat_share
    low = np.where(flat, rng.uniform(-2, 40, n), rng.uniform(-5, 10, n))
    high = np.where(flat, low + rng.uniform(0, 2, n), rng.uniform(30, 110, n))
    falling = rng.random(n) < 0.25
    bottom, top = np.where(falling, high, low), np.where(falling, low, high)
    return np.column_stack([ic50, slope, bottom, top])


def drc_form(p: np.ndarray) -> np.ndarray:
    """drc's LL.4 (b, c, d, e) with c < d, the form our kernel assumes."""
    rising = p[:, 3] >= p[:, 2]
    return np.column_stack([
        np.where(rising, -p[:, 1], p[:, 1]), np.minimum(p[:, 2], p[:, 3]),
        np.maximum(p[:, 2], p[:, 3]), p[:, 0],
    ])  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wells", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if shutil.which("Rscript") is None:
        raise SystemExit("needs Rscript with the nleqslv package (r-base-core, r-cran-nleqslv)")
    rng = np.random.default_rng(args.seed)
    n = args.wells
    par_row, par_col = random_fits(rng, n, 0.5), random_fits(rng, n, 0.0)
    x_row, x_col = 10 ** rng.uniform(-2, 2, n), 10 ** rng.uniform(-2, 2, n)
    ours, _ = loewe_reference(
        x_row[:, None], x_col[:, None], np.zeros((n, 1, 1)), par_row, par_col, "sf2"
    )
    dr, dc = drc_form(par_row), drc_form(par_col)
    table = pd.DataFrame({
        **{f"{k}_col": dc[:, i] for i, k in enumerate("bcde")},
        **{f"{k}_row": dr[:, i] for i, k in enumerate("bcde")},
        "x_col": x_col, "x_row": x_row,
    })  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "sf2.R").write_text(R_SCRIPT)
        table.to_csv(folder / "in.csv", index=False, float_format="%.17g")
        subprocess.run(
            ["Rscript", str(folder / "sf2.R"), str(folder / "in.csv"), str(folder / "out.csv")],
            check=True,
        )
        r = pd.read_csv(folder / "out.csv")
    diff = np.abs(ours[:, 0, 0] - r["reference"].to_numpy())
    flat = np.abs(par_row[:, 3] - par_row[:, 2]) < 2.0001
    frame = pd.DataFrame({"flat row drug": flat, "nleqslv termcd": r["termcd"], "diff": diff})
    print(f"{n} wells, seed {args.seed}")
    print("| flat row drug | nleqslv termcd | wells | agree to 1e-9 | max abs diff |")
    print("|---|---|---|---|---|")
    for (is_flat, code), part in frame.groupby(["flat row drug", "nleqslv termcd"]):
        d = part["diff"]
        print(f"| {is_flat} | {code} | {len(d)} | {(d <= 1e-9).sum()} | {d.max():.2g} |")


if __name__ == "__main__":
    main()
