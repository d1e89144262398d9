"""MuSyC (γ = 1): recovery on simulated truth, additive false calls, speed, peer cross-check.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_musyc.py [--blocks 200] [--additive 400]
        [--speed 2000] [--peer 50 --peer-python peer-venv/bin/python]

Screens come from :func:`synergy.datasets.simulate` (model="musyc"; 8 × 8 grids, 3-fold
doses centred on each drug's IC50; IC50 log-uniform in [1, 1000], slopes in [0.7, 3],
bottom 0, tops in [60, 100]), N(0, 3²) noise on 2 replicates.  Recovery blocks draw
log10 alpha12, log10 alpha21 ~ U(−1, 1) and beta ~ U(−0.3, 0.5); additive blocks have
alpha = 1, beta = 0.  Single-drug fits: ``fit_screen(fitter="lsq")`` (start values).

``--peer`` runs Wooten's ``synergy`` (PyPI, GPL) in its own venv through a subprocess on
the first N recovery blocks — data and results pass as CSV; nothing of it is imported
here.  The peer is given the fraction unaffected ``1 − inhibition/100`` (its β assumes
effects that fall with dose); its E0..E3 are mapped back to % inhibition.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd

from synergy.datasets import simulate
from synergy.hill import fit_screen
from synergy.models.musyc import MUSYC_PARAMS, fit_musyc
from synergy.models.musyc import kernel as musyc_kernel
from synergy.models.surface_inputs import fit_points

NOISE_SD = 3.0
N_REP = 2
# the intervals of log alpha compared: fit_musyc's default and the two cheaper ones
METHODS = (
    ("calibrated profile (default)", {}),
    ("F-test profile", {"calibrate": 0}),
    ("Wald", {"intervals": "wald"}),
)


def recovery_screen(n_block: int, seed: int = 2026):
    rng = np.random.default_rng(seed)
    truth = {
        "log_alpha12": rng.uniform(-1, 1, n_block),
        "log_alpha21": rng.uniform(-1, 1, n_block),
        "beta": rng.uniform(-0.3, 0.5, n_block),
    }
    screen = simulate(
        n_block, model="musyc", alpha12=10 ** truth["log_alpha12"],
        alpha21=10 ** truth["log_alpha21"], beta=truth["beta"], noise_sd=NOISE_SD,
        n_replicates=N_REP, seed=seed,
    )  # fmt: skip
    return fit_screen(screen, fitter="lsq"), truth


def recovery(n_block: int) -> None:
    screen, truth = recovery_screen(n_block)
    print(f"\n## Recovery, {n_block} blocks (95 % intervals)\n")
    print("| interval | parameter | covered | median abs error | blocks status ok |")
    print("|---|---|---|---|---|")
    for method, kwargs in METHODS:
        out = fit_musyc(screen, **kwargs)
        ok = int(np.sum(out["musyc_status"].values == 0))
        for name, values in truth.items():
            ci = out[f"musyc_{name}_ci"].values
            covered = np.mean((ci[:, 0] <= values) & (values <= ci[:, 1]))
            err = np.nanmedian(np.abs(out[f"musyc_{name}"].values - values))
            label = "Wald" if name == "beta" else method
            print(f"| {label} | {name} | {covered:.1%} | {err:.3f} | {ok}/{n_block} |")


def additive(n_block: int) -> None:
    screen = fit_screen(
        simulate(n_block, model="musyc", noise_sd=NOISE_SD, n_replicates=N_REP, seed=7),
        fitter="lsq",
    )
    print(f"\n## Additive surfaces (alpha = 1, beta = 0), {n_block} blocks\n")
    print("Share of blocks whose 95 % interval lies above 0 (called synergistic; nominal 2.5 %)")
    print("and below 0 (called antagonistic; nominal 2.5 %).\n")
    print("| interval | parameter | synergistic | antagonistic |")
    print("|---|---|---|---|")
    for method, kwargs in METHODS:
        out = fit_musyc(screen, **kwargs)
        for name in ("log_alpha12", "log_alpha21", "beta"):
            ci = out[f"musyc_{name}_ci"].values
            label = "Wald" if name == "beta" else method
            print(
                f"| {label} | {name} | {np.mean(ci[:, 0] > 0):.1%} | {np.mean(ci[:, 1] < 0):.1%} |"
            )


def speed(n_block: int) -> None:
    warm, _ = recovery_screen(8, seed=1)
    fit_musyc(warm, intervals="profile")  # compile
    screen, _ = recovery_screen(n_block, seed=3)
    print(f"\n## Speed, {n_block} blocks (warm, {os.cpu_count()} cores)\n")
    print("| step | seconds | blocks/s |")
    print("|---|---|---|")
    for label, kwargs in (
        ("intervals='wald'", {"intervals": "wald"}),
        ("calibrate=0 (F-test profile)", {"calibrate": 0}),
        ("default (calibrated profile, 79 draws)", {}),
    ):
        t0 = time.perf_counter()
        fit_musyc(screen, **kwargs)
        dt = time.perf_counter() - t0
        print(f"| fit_musyc, {label} | {dt:.2f} | {n_block / dt:,.0f} |")


PEER_SCRIPT = textwrap.dedent(
    """
    import sys, time, warnings
    import numpy as np
    from synergy.combination import MuSyC
    warnings.simplefilter("ignore")
    data = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1)
    names = ["E0", "E1", "E2", "E3", "h1", "h2", "C1", "C2", "alpha12", "alpha21"]
    n_boot = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    rows = []
    for block in np.unique(data[:, 0]):
        d1, d2, e = data[data[:, 0] == block, 1:4].T
        model = MuSyC(fit_gamma=False)
        t = time.perf_counter()
        try:
            model.fit(d1, d2, e, bootstrap_iterations=n_boot)
            p = model.get_parameters() if model.is_specified else {}
        except RuntimeError:  # curve_fit gave up (maxfev)
            p = {}
        seconds = time.perf_counter() - t
        rows.append([block, seconds] + [float(p.get(n, np.nan)) for n in names])
    header = ",".join(["block", "seconds"] + names)
    np.savetxt(sys.argv[2], np.array(rows), delimiter=",", header=header, comments="")
    """
)


PEER_CI_SCRIPT = textwrap.dedent(
    """
    import sys, time, warnings
    import numpy as np
    from synergy.combination import CombinationIndex
    warnings.simplefilter("ignore")
    data = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1)
    out = []
    t0 = time.perf_counter()
    for block in np.unique(data[:, 0]):
        rows = data[data[:, 0] == block]
        d1, d2, e = rows[:, 1:4].T
        ci = CombinationIndex().fit(d1, d2, e)
        out.append(np.column_stack([rows[:, :3], ci]))
    print(time.perf_counter() - t0)
    np.savetxt(sys.argv[2], np.vstack(out), delimiter=",", header="block,d1,d2,ci", comments="")
    """
)


def _run_peer(
    python: str, script: str, table: pd.DataFrame, *args: str
) -> tuple[pd.DataFrame, str]:
    """Run a script in the peer's interpreter on a CSV; returns (its CSV, its stdout)."""
    # the peer's interpreter must not see this package (same import name): no PYTHONPATH
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        table.to_csv(tmp / "data.csv", index=False)
        (tmp / "peer.py").write_text(script)
        run = subprocess.run(
            [python, "-I", str(tmp / "peer.py"), str(tmp / "data.csv"), str(tmp / "out.csv"),
             *args],
            capture_output=True, text=True, check=False, cwd=tmp, env=env,
        )  # fmt: skip
        if run.returncode != 0:
            sys.exit(f"peer failed:\n{run.stderr[-2000:]}")
        return pd.read_csv(tmp / "out.csv"), run.stdout


def peer_ci(n_block: int, python: str) -> None:
    """Chou–Talalay CI at every combination well against the peer's CombinationIndex."""
    from synergy.models.combination_index import combination_index

    screen = simulate(
        n_block, model="loewe", synergy_strength=np.linspace(-0.5, 1.5, n_block),
        noise_sd=3.0, seed=11,
    )  # fmt: skip
    out = combination_index(screen)
    d1, d2, y = fit_points(screen)  # one replicate: the peer sees the same wells we average
    ok = np.isfinite(y)
    blocks = np.repeat(np.arange(n_block), y.shape[1]).reshape(y.shape)
    table = pd.DataFrame({"block": blocks[ok], "d1": d1[ok], "d2": d2[ok], "E": 1 - y[ok] / 100})
    theirs, stdout = _run_peer(python, PEER_CI_SCRIPT, table)
    conc_row, conc_col = screen["conc_row"].values, screen["conc_col"].values
    b = theirs["block"].to_numpy(int)
    i = np.array([np.flatnonzero(conc_row[k] == x)[0] for k, x in zip(b, theirs.d1, strict=True)])
    j = np.array([np.flatnonzero(conc_col[k] == x)[0] for k, x in zip(b, theirs.d2, strict=True)])
    mine = out["ci"].values[b, i, j]
    combo = (theirs.d1.to_numpy() > 0) & (theirs.d2.to_numpy() > 0)
    both = combo & np.isfinite(mine) & np.isfinite(theirs.ci.to_numpy())
    rel = np.abs(mine[both] / theirs.ci.to_numpy()[both] - 1)
    only_mine = int(np.sum(combo & np.isfinite(mine) & ~np.isfinite(theirs.ci.to_numpy())))
    only_theirs = int(np.sum(combo & ~np.isfinite(mine) & np.isfinite(theirs.ci.to_numpy())))
    t0 = time.perf_counter()
    combination_index(screen)
    t_ours = time.perf_counter() - t0
    print(f"\n## Peer: CombinationIndex, {n_block} blocks, {both.sum()} combination wells\n")
    print(
        f"CI relative difference: max {rel.max():.1e}, median {np.median(rel):.1e}; wells with a "
        f"CI only here: {only_mine}, only in the peer: {only_theirs}.  Time: peer "
        f"{float(stdout.split()[0]):.2f} s, ours {t_ours:.3f} s."
    )


def peer(n_block: int, python: str, boot_blocks: int = 0) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    screen, truth = recovery_screen(n_block)
    d1, d2, y = fit_points(screen)
    ok = np.isfinite(y)
    blocks = np.repeat(np.arange(n_block), y.shape[1]).reshape(y.shape)
    table = pd.DataFrame({"block": blocks[ok], "d1": d1[ok], "d2": d2[ok], "E": 1 - y[ok] / 100})
    theirs, _ = _run_peer(python, PEER_SCRIPT, table)
    theirs = theirs.astype({"block": int}).set_index("block").reindex(range(n_block))
    version = subprocess.run(
        [python, "-I", "-c", "import importlib.metadata as m; print(m.version(\"synergy\"))"],
        capture_output=True, text=True, check=False, env=env,
    ).stdout.strip()  # fmt: skip
    fit_musyc(screen.isel(block=slice(0, 2)))  # compile
    # our rate on 2000 blocks of the same design (the first n are these blocks: draws are
    # keyed by block id), in the same conditions as the peer's run
    big, _ = recovery_screen(max(n_block, 2000))
    t0 = time.perf_counter()
    fit_musyc(big, intervals="wald")
    rate_wald = big.sizes["block"] / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    fit_musyc(big, calibrate=0)
    rate_profile = big.sizes["block"] / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    fit_musyc(big)
    rate_calibrated = big.sizes["block"] / (time.perf_counter() - t0)
    ours = fit_musyc(screen, calibrate=0)
    mine = ours["musyc"].sel(musyc_param=list(MUSYC_PARAMS)).values
    other = theirs[list(MUSYC_PARAMS)].to_numpy(dtype=float)
    other[:, :4] = 100 * (1 - other[:, :4])  # back to % inhibition
    # SSE of each side's parameters on the same points (our kernel evaluates both)
    q_other = other.copy()
    q_other[:, 4:] = np.log(other[:, 4:])
    sse_other = np.array(
        [np.sum((y[b][ok[b]] - musyc_kernel.musyc_value(d1[b][ok[b]], d2[b][ok[b]], q_other[b]))
                ** 2) if np.all(np.isfinite(q_other[b])) else np.nan for b in range(n_block)]
    )  # fmt: skip
    sse_ours = ours["musyc_sse"].values
    print(f"\n## Peer: Wooten's synergy {version} MuSyC(fit_gamma=False), {n_block} blocks\n")
    print("| quantity | median abs difference (ours − peer) | 90th percentile |")
    print("|---|---|---|")
    for j, name in enumerate(MUSYC_PARAMS):
        if j < 4:
            diff, unit = mine[:, j] - other[:, j], "% points"
        else:
            diff, unit = np.log10(mine[:, j]) - np.log10(other[:, j]), "log10"
        a = np.abs(diff[np.isfinite(diff)])
        print(f"| {name} ({unit}) | {np.median(a):.3g} | {np.percentile(a, 90):.3g} |")
    e0, e3 = other[:, 0], other[:, 3]
    es = np.where(np.abs(other[:, 1] - e0) >= np.abs(other[:, 2] - e0), other[:, 1], other[:, 2])
    beta_other = (e3 - es) / (es - e0)
    a = np.abs(ours["musyc_beta"].values - beta_other)
    print(f"| beta | {np.nanmedian(a):.3g} | {np.nanpercentile(a, 90):.3g} |")
    rel = (sse_other - sse_ours) / sse_ours
    print(
        f"\nSSE (same points): peer − ours relative: median {np.nanmedian(rel):.2e}; ours lower "
        f"by > 1e-6 in {np.sum(rel > 1e-6)} blocks, peer lower in {np.sum(rel < -1e-6)}; "
        f"peer failed in {int(np.sum(~np.isfinite(sse_other)))}."
    )
    for name, k in (("log_alpha12", 8), ("log_alpha21", 9)):
        ci = ours[f"musyc_{name}_ci"].values
        theirs_log = np.log10(other[:, k])
        inside = np.mean((ci[:, 0] <= theirs_log) & (theirs_log <= ci[:, 1]))
        print(f"peer's {name} inside our 95 % F-test profile interval: {inside:.0%}")
    rate_peer = n_block / theirs["seconds"].sum()
    print(
        f"\nSpeed (2000 blocks for ours): peer {rate_peer:.1f} fits/s (no intervals; its "
        f"bootstrap multiplies this cost); ours {rate_wald:,.0f} fits/s with Wald intervals "
        f"({rate_wald / rate_peer:,.0f}x), {rate_profile:,.0f} with F-test profile intervals "
        f"({rate_profile / rate_peer:,.0f}x), {rate_calibrated:,.0f} with the default "
        f"bootstrap-calibrated intervals ({rate_calibrated / rate_peer:,.1f}x)."
    )
    if boot_blocks:
        # like for like: the peer's own bootstrap intervals (79 refits) against our default
        sub = table[table["block"] < boot_blocks]
        theirs_boot, _ = _run_peer(python, PEER_SCRIPT, sub, "79")
        rate_boot = len(theirs_boot) / theirs_boot["seconds"].sum()
        print(
            f"With intervals from 79 bootstrap draws on both sides ({boot_blocks} blocks for "
            f"the peer): peer {rate_boot:.3f} blocks/s (bootstrap_iterations=79), ours "
            f"{rate_calibrated:,.1f} ({rate_calibrated / rate_boot:,.0f}x)."
        )
    del truth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=200)
    parser.add_argument("--additive", type=int, default=400)
    parser.add_argument("--speed", type=int, default=2000)
    parser.add_argument("--peer", type=int, default=0, help="blocks for the peer comparison")
    parser.add_argument("--peer-python", default="peer-venv/bin/python")
    parser.add_argument(
        "--peer-boot", type=int, default=0, help="blocks timed with the peer's bootstrap (79)"
    )
    args = parser.parse_args()
    if args.blocks:
        recovery(args.blocks)
    if args.additive:
        additive(args.additive)
    if args.speed:
        speed(args.speed)
    if args.peer:
        peer(args.peer, args.peer_python, args.peer_boot)
        peer_ci(args.peer, args.peer_python)


if __name__ == "__main__":
    main()
