"""How close imputed scores come to the full-grid scores (docs/design.md §18).

    .venv/bin/python benchmarks/bench_impute.py [--draws N] [--sim-blocks B] [--no-mice]
    .venv/bin/python benchmarks/bench_impute.py --speed 10000

Blocks: ``--sim-blocks`` simulated 8 × 8 blocks (``synergy.datasets.simulate``, Bliss
model, synergy strength uniform in [−0.5, 2], noise sd 3 points, one replicate) and the
bundled ``sf_mathews``, ``sf_oneil`` (replicate means), ``drugcomb_examples`` and
``ncats_10023_malaria`` blocks.  For each block and each n in 1, 2, 5, ``--draws`` copies
lose n cells drawn at random from the grid (single-drug cells included, the control (0, 0)
kept).  Every copy is scored (Bliss, HSA, Loewe, ZIP; SynergyFinder 3 convention) three
ways: without imputation (``impute=None``: the measured wells only), with
``impute="hill_bliss"``, and after SynergyFinder 3's imputation — ``mice::mice`` with its
defaults (predictive mean matching on the long table block_id, conc1, conc2, response, the
missing combinations added as in ``ReshapeData(impute=TRUE)``, one table for all copies,
first completed data set), run by ``Rscript`` with ``seed=1`` (``--no-mice`` skips it;
R and mice: ``apt-get install r-base-core r-cran-mice``).  Printed: per model and n, the
median and 95th percentile of |score − full-grid score| (% points) and the share of copies
whose score is NaN.  ``--speed B`` instead times :func:`synergy.cleaning.clean_wells` on B
simulated 8 × 8 blocks with 2 % of the wells missing (wall-clock seconds).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

import synergy
from synergy.cleaning import clean_wells
from synergy.datasets import load_bundled, simulate
from synergy.io.wells import replicate_mean

MODELS = ("bliss", "hsa", "loewe", "zip")
N_DROPS = (1, 2, 5)
BUNDLED = ("sf_mathews", "sf_oneil", "drugcomb_examples", "ncats_10023_malaria")
MICE_R = """
suppressMessages(library(mice))
args <- commandArgs(trailingOnly = TRUE)
combs <- read.csv(args[1], colClasses = c(block_id = "character"))
combs$response_origin <- combs$response
imp <- suppressWarnings(mice::mice(combs, method = NULL, printFlag = FALSE, seed = 1))
done <- suppressWarnings(mice::complete(imp))
write.csv(done[, c("block_id", "conc1", "conc2", "response")], args[2], row.names = FALSE)
"""


def mean_screen(screen: xr.Dataset, prefix: str) -> xr.Dataset:
    """One replicate (the replicate means), only what scoring reads; ids prefixed."""
    means = replicate_mean(np.asarray(screen["response"].transpose(..., "replicate").values))
    return xr.Dataset(
        {"response": (("block", "row", "col", "replicate"), means[..., None])},
        coords={
            "block": [f"{prefix}:{b}" for b in screen["block"].values],
            "conc_row": screen["conc_row"],
            "conc_col": screen["conc_col"],
        },
        attrs={"conc_unit": screen.attrs.get("conc_unit", "nM"), "response_kind": "inhibition"},
    ).assign_coords(block=[f"{prefix}:{b}" for b in screen["block"].values])


def blocks(n_sim: int) -> xr.Dataset:
    rng = np.random.default_rng(5)
    sim = simulate(
        n_sim, n_doses=8, noise_sd=3.0, synergy_strength=rng.uniform(-0.5, 2.0, n_sim), seed=9
    )
    parts = [mean_screen(sim, "sim")] + [mean_screen(load_bundled(n), n) for n in BUNDLED]
    rows = max(p.sizes["row"] for p in parts)
    cols = max(p.sizes["col"] for p in parts)
    padded = [p.pad(row=(0, rows - p.sizes["row"]), col=(0, cols - p.sizes["col"])) for p in parts]
    return xr.concat(padded, dim="block", data_vars="all", coords="all", join="override")


def dropped_copies(screen: xr.Dataset, draws: int) -> tuple[xr.Dataset, np.ndarray, np.ndarray]:
    """Copies of every block with n cells missing; returns (copies, source index, n)."""
    rng = np.random.default_rng(2026)
    source, n_drop = [], []
    for i in range(screen.sizes["block"]):
        for n in N_DROPS:
            source += [i] * draws
            n_drop += [n] * draws
    source, n_drop = np.array(source), np.array(n_drop)
    copies = screen.isel(block=source)
    ids = [f"{screen['block'].values[s]}#{k}" for k, s in enumerate(source)]
    copies = copies.assign_coords(block=ids)
    values = copies["response"].values.copy()
    conc_row, conc_col = copies["conc_row"].values, copies["conc_col"].values
    for k in range(len(source)):
        cells = np.argwhere(
            np.isfinite(conc_row[k])[:, None]
            & np.isfinite(conc_col[k])[None, :]
            & np.isfinite(values[k, :, :, 0])
        )
        cells = cells[(cells[:, 0] > 0) | (cells[:, 1] > 0)]  # the control stays
        pick = cells[rng.choice(len(cells), size=n_drop[k], replace=False)]
        values[k, pick[:, 0], pick[:, 1], 0] = np.nan
    copies["response"] = copies["response"].copy(data=values)
    return copies, source, n_drop


def mice_imputed(copies: xr.Dataset) -> xr.Dataset | None:
    """SynergyFinder's ReshapeData(impute=TRUE) imputation of every copy (None without R)."""
    if shutil.which("Rscript") is None:
        return None
    rows = []
    values = copies["response"].values[..., 0]
    for k, b in enumerate(copies["block"].values):
        for r, x1 in enumerate(copies["conc_row"].values[k]):
            for c, x2 in enumerate(copies["conc_col"].values[k]):
                if np.isfinite(x1) and np.isfinite(x2):
                    rows.append((str(b), r, c, x1, x2, values[k, r, c]))
    table = pd.DataFrame(rows, columns=["block_id", "r", "c", "conc1", "conc2", "response"])
    with tempfile.TemporaryDirectory() as tmp:
        src, out, script = Path(tmp, "in.csv"), Path(tmp, "out.csv"), Path(tmp, "mice.R")
        table[["block_id", "conc1", "conc2", "response"]].to_csv(src, index=False)
        script.write_text(MICE_R)
        run = subprocess.run(["Rscript", str(script), str(src), str(out)], capture_output=True)
        if run.returncode != 0:
            print("mice failed:", run.stderr.decode()[-500:])
            return None
        done = pd.read_csv(out, dtype={"block_id": str})
    filled = values.copy()
    index = {b: k for k, b in enumerate(copies["block"].values)}
    for (_, row), response in zip(table.iterrows(), done["response"].to_numpy(), strict=True):
        filled[index[row["block_id"]], row["r"], row["c"]] = response
    result = copies.copy()
    result["response"] = copies["response"].copy(data=filled[..., None])
    return result


def summary(scores: dict[str, xr.Dataset], full: xr.Dataset, source, n_drop) -> pd.DataFrame:
    lines = []
    for model in MODELS:
        truth = full[f"{model}_score"].values[source]
        for n in N_DROPS:
            pick = (n_drop == n) & np.isfinite(truth)
            line = {"model": model, "dropped": n}
            for name, scored in scores.items():
                diff = np.abs(scored[f"{model}_score"].values[pick] - truth[pick])
                ok = diff[np.isfinite(diff)]
                line[f"{name} median"] = np.median(ok) if ok.size else np.nan
                line[f"{name} p95"] = np.percentile(ok, 95) if ok.size else np.nan
                line[f"{name} NaN %"] = 100 * np.mean(~np.isfinite(diff))
            lines.append(line)
    return pd.DataFrame(lines)


def speed(n_blocks: int) -> None:
    screen = simulate(n_blocks, n_doses=8, noise_sd=3.0, missing_fraction=0.02, seed=1)
    clean_wells(screen.isel(block=slice(0, 50)), impute="hill_bliss", outliers="flag")  # warm
    for options in ({"impute": "hill_bliss"}, {"outliers": "flag"},
                    {"impute": "hill_bliss", "outliers": "exclude"}):  # fmt: skip
        start = time.perf_counter()
        clean_wells(screen, **options)
        print(f"{n_blocks} blocks, {options}: {time.perf_counter() - start:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=10)
    parser.add_argument("--sim-blocks", type=int, default=24)
    parser.add_argument("--no-mice", action="store_true")
    parser.add_argument("--speed", type=int, default=0, help="time clean_wells on B blocks")
    args = parser.parse_args()
    if args.speed:
        speed(args.speed)
        return
    screen = blocks(args.sim_blocks)
    copies, source, n_drop = dropped_copies(screen, args.draws)
    full = synergy.score(screen, MODELS)
    scores = {
        "none": synergy.score(copies, MODELS),
        "hill_bliss": synergy.score(copies, MODELS, impute="hill_bliss"),
    }
    mice = None if args.no_mice else mice_imputed(copies)
    if mice is not None:
        scores["mice"] = synergy.score(mice, MODELS)
    elif not args.no_mice:
        print("R/mice not available: the mice columns are left out")
    print(
        f"{screen.sizes['block']} blocks ({args.sim_blocks} simulated), {args.draws} copies "
        f"per block and n; |score − full-grid score|, % points"
    )
    table = summary(scores, full, source, n_drop)
    print(table.to_markdown(index=False, floatfmt=".2f"))


if __name__ == "__main__":
    main()
