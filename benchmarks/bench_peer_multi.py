"""Three-drug screens side by side with the PyPI ``synergy`` package (D. Wooten, GPL), issue #12.

Run with OUR venv::

    .venv/bin/python benchmarks/bench_peer_multi.py [--blocks 1000] [--subset 20]
                                                    [--peer-venv PATH] [--fitters drc,lsq]

Ours: ``synergy.datasets.simulate_multi(1000, n_doses=6, n_replicates=3, noise_sd=5,
synergy_strength=1)`` (6×6×6 triplet cubes, 216 wells × 3 replicates) scored in-process by
``synergy.score`` with Bliss + Loewe and with all four models, per fitter, JIT warm.  Then,
back to back, ``--subset`` evenly spaced blocks of the same screen are written to a CSV
(viability = 1 − inhibition/100, the peer's ``E``; one row per replicate) and scored by the
peer's N-drug models (``synergy.higher``) through ``benchmarks/peer/run_peer_multi.py``,
executed by the python of a SEPARATE venv (``--peer-venv``, default ``$SYNERGY_PEER_VENV`` or
``benchmarks/peer/.venv``; created with ``pip install synergy==1.0.0 pandas`` if missing —
the peer is never installed in or imported by our venv).  The peer's per-block times are
extrapolated to the whole screen.

Printed: seconds for the screen and ms per block on both sides with the ratio, then the
agreement of Bliss/HSA block scores and well δ (mean over the 125 wells where all three
drugs are present, % points), and for Loewe — where the peer returns an index, not a δ —
how often its index is defined and whether its side of 1 matches the sign of our δ.  The
machine is shared: timings are indicative, the load average is printed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from bench_peer import ensure_peer_venv

HERE = Path(__file__).resolve().parent
RUN_PEER = HERE / "peer" / "run_peer_multi.py"
ALL_FOUR = ("bliss", "hsa", "loewe", "zip")
BLISS_LOEWE = ("bliss", "loewe")


def simulate_screen(n_blocks: int, seed: int = 0) -> xr.Dataset:
    """Issue #12's screen: 6×6×6 triplet cubes, 3 replicates, noise sd 5, synergy 1."""
    from synergy.datasets import simulate_multi

    return simulate_multi(
        n_blocks, n_doses=6, n_replicates=3, noise_sd=5.0, synergy_strength=1.0, seed=seed
    )


def write_peer_csv(screen: xr.Dataset, path: Path) -> None:
    """One row per well and replicate: block_id, well, replicate, conc1..N, viability."""
    response = screen["response"].values
    conc = screen["conc"].values
    b, w, k = (a.ravel() for a in np.indices(response.shape))
    columns = {f"conc{d + 1}": conc[b, w, d] for d in range(conc.shape[-1])}
    table = pd.DataFrame(
        {
            "block_id": screen["block"].values[b],
            "well": w,
            "replicate": k,
            **columns,
            "viability": 1.0 - response.ravel() / 100.0,
        }
    )
    table.dropna(subset=["viability"]).to_csv(path, index=False, float_format="%.17g")


def run_peer(python: Path, screen: xr.Dataset, workdir: Path) -> tuple:
    """Score ``screen`` with the peer in its venv; return (blocks, wells, wall seconds)."""
    data, out, wells = workdir / "blocks.csv", workdir / "peer.csv", workdir / "wells.csv"
    write_peer_csv(screen, data)
    command = [str(python), "-I", str(RUN_PEER), str(data), "--out", str(out)]
    command += ["--wells", str(wells)]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    print("$ " + " ".join(command), flush=True)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"run_peer_multi.py failed:\n{done.stderr}")
    print(done.stderr.strip().splitlines()[-1])
    blocks = pd.read_csv(out, dtype={"block_id": str, "error": str})
    return blocks, pd.read_csv(wells, dtype={"block_id": str}), wall


def time_ours(screen: xr.Dataset, fitter: str) -> dict[str, float]:
    """Seconds of ``synergy.score`` on ``screen``: Bliss + Loewe, and all four models."""
    from synergy.scoring import score

    seconds = {}
    for label, models in (("bliss+loewe", BLISS_LOEWE), ("all four", ALL_FOUR)):
        start = time.perf_counter()
        score(screen, models=models, fitter=fitter)
        seconds[label] = time.perf_counter() - start
    return seconds


def _well_values(scored: xr.Dataset, name: str, wells: pd.DataFrame) -> np.ndarray:
    """Our ``name`` (block, well) at the peer's wells."""
    block = pd.Index(scored["block"].values.astype(str)).get_indexer(wells.block_id)
    return scored[name].values[block, wells.well.to_numpy()]


def delta_agreement(peer_blocks, peer_wells, scored: xr.Dataset) -> list[str]:
    """Markdown rows for Bliss/HSA: r, median/max |Δ| of block scores and of well δ."""
    lines = []
    for label, peer_model, model in (
        ("Bliss, peer default (median of replicates)", "bliss", "bliss"),
        ("Bliss, peer with LogLinear(np.mean)", "bliss_mean", "bliss"),
        ("HSA, peer default (median of replicates)", "hsa", "hsa"),
        ("HSA, peer with LogLinear(np.mean)", "hsa_mean", "hsa"),
    ):
        mine = pd.Series(scored[f"{model}_score"].values, index=scored["block"].values.astype(str))
        theirs = peer_blocks[peer_blocks.model == peer_model].set_index("block_id")["score"]
        both = pd.concat([mine.rename("ours"), theirs.rename("peer")], axis=1).dropna()
        diff = (both.peer - both.ours).abs()
        r = np.corrcoef(both.ours, both.peer)[0, 1] if len(both) > 2 else np.nan
        wells = peer_wells[peer_wells.model == peer_model]
        well_diff = np.abs(wells.value.to_numpy() - _well_values(scored, model, wells))
        lines.append(
            f"| {label:<44} | {len(both):>3} | {r:6.3f} | {diff.median():9.2e} | "
            f"{diff.max():9.2e} | {np.nanmedian(well_diff):8.2e} | {np.nanmax(well_diff):8.2e} |"
        )
    return lines


def loewe_agreement(peer_wells, scored: xr.Dataset) -> list[str]:
    """Markdown rows: where the peer's Loewe index is defined, and its side of 1 vs our δ."""
    lines = []
    for label, peer_model in (
        ("peer Loewe default (LogLinear, median)", "loewe"),
        ("peer Loewe with LogLinear(np.mean)", "loewe_mean"),
        ("peer Loewe with Hill single drugs", "loewe_hill"),
    ):
        wells = peer_wells[peer_wells.model == peer_model]
        index = wells.value.to_numpy()
        ours = _well_values(scored, "loewe", wells)
        solved = ~_well_values(scored, "loewe_fallback", wells).astype(bool)
        defined = np.isfinite(index)
        clear = defined & (np.abs(ours) > 1.0)
        same = (index[clear] < 1) == (ours[clear] > 0)
        lines.append(
            f"| {label:<40} | {len(index):>5} | {defined.mean():6.1%} | "
            f"{(defined & solved).sum() / max(solved.sum(), 1):6.1%} | {clear.sum():>5} | "
            f"{same.mean() if clear.any() else np.nan:6.1%} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=1000, help="our in-process screen")
    parser.add_argument("--subset", type=int, default=20, help="blocks scored by the peer")
    parser.add_argument("--fitters", default="drc,lsq")
    parser.add_argument(
        "--peer-venv",
        type=Path,
        default=Path(os.environ.get("SYNERGY_PEER_VENV", HERE / "peer" / ".venv")),
        help="venv holding the PyPI synergy package (created if missing)",
    )
    parser.add_argument("--keep", type=Path, help="keep the CSVs in this directory")
    args = parser.parse_args()
    warnings.simplefilter("ignore", RuntimeWarning)
    from synergy.scoring import score

    python = ensure_peer_venv(args.peer_venv)
    fitters = args.fitters.split(",")
    for fitter in fitters:  # JIT warm (numba's cache)
        score(simulate_screen(4, 1), models=ALL_FOUR, fitter=fitter)

    screen = simulate_screen(args.blocks)
    picks = np.unique(np.linspace(0, args.blocks - 1, args.subset).round().astype(int))
    subset = screen.isel(block=picks)
    load_start = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    ours = {fitter: time_ours(screen, fitter) for fitter in fitters}
    scored = score(subset, models=("bliss", "hsa", "loewe"), fitter="drc")

    workdir = args.keep or Path(tempfile.mkdtemp(prefix="bench_peer_multi_"))
    workdir.mkdir(parents=True, exist_ok=True)
    peer_blocks, peer_wells, peer_wall = run_peer(python, subset, workdir)
    if args.keep is None:
        shutil.rmtree(workdir)
    load_end = ", ".join(f"{x:.1f}" for x in os.getloadavg())

    n_sub, n = len(picks), args.blocks
    per_block = peer_blocks.groupby("model")["seconds"].mean()
    failed = peer_blocks[peer_blocks.error.fillna("").astype(str) != ""]
    print(
        f"\nours: {n} blocks 6x6x6x3 in-process; peer: {n_sub} of them (every "
        f"~{n // max(n_sub - 1, 1)}th), per-block times x {n}; {os.cpu_count()} cores shared, "
        f"load average (1, 5, 15 min) {load_start} before, {load_end} after — indicative\n"
    )
    reference = per_block["bliss"] + per_block["loewe"]
    print(
        f"| {'side, models':<40} | {'s / ' + str(n) + ' blocks':>14} | {'ms/block':>9} | "
        f"{'peer Bliss+Loewe / this':>23} |"
    )
    print("|---|---:|---:|---:|")
    rows = [(f"ours {f}, {label}", ours[f][label] / n) for f in fitters for label in ours[f]] + [
        ("peer Bliss (default)", per_block["bliss"]),
        ("peer Loewe (default, LogLinear)", per_block["loewe"]),
        ("peer Bliss + Loewe (default)", reference),
        ("peer Bliss + Loewe (Hill single drugs)", per_block["bliss"] + per_block["loewe_hill"]),
    ]
    for label, seconds in rows:
        print(
            f"| {label:<40} | {seconds * n:>14.2f} | {1e3 * seconds:>9.2f} | "
            f"{reference / seconds:>23.2f} |"
        )
    print(
        f"\npeer subprocess wall {peer_wall:.1f} s for {n_sub} blocks x 7 model variants "
        f"(incl. interpreter start and imports)"
    )
    if len(failed):
        print(f"peer errors: {len(failed)} block-models, e.g. {failed.iloc[0].to_dict()}")

    print(
        f"\n| {'pairing (peer vs ours, drc)':<44} | {'n':>3} | {'r':>6} | {'med abs Δ':>9} | "
        f"{'max abs Δ':>9} | {'well med':>8} | {'well max':>8} |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    print("\n".join(delta_agreement(peer_blocks, peer_wells, scored)))
    print("(block score = mean δ over the wells with all three drugs, % points)")
    print(
        f"\n| {'peer Loewe index vs our Loewe δ (drc, grid)':<40} | {'wells':>5} | "
        f"{'defined':>6} | {'defined where ours solves':>6} | {'our abs δ > 1':>5} | "
        f"{'index<1 ⇔ δ>0':>6} |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    print("\n".join(loewe_agreement(peer_wells, scored)))
    print(
        f"our Loewe: {int(scored['loewe_n_fallback'].sum())} of "
        f"{int(scored['loewe_n_wells'].sum())} wells on the fallback reference"
    )


if __name__ == "__main__":
    main()
