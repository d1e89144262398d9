"""MuSyC with fitted γ12, γ21: recovery on simulated truth, γ calls on γ = 1 surfaces, peer.

    NUMBA_NUM_THREADS=1 PYTHONPATH=src .venv/bin/python benchmarks/bench_musyc_gamma.py \
        [--blocks 200] [--null 400] [--peer 50 --peer-python peer-venv/bin/python]

Screens as in ``bench_musyc.py`` (8 × 8 grids of 3-fold doses centred on each drug's IC50,
IC50 log-uniform in [1, 1000], slopes 0.7–3, bottom 0, tops 60–100, N(0, 3²) noise on 2
replicates), with log10 alpha12, log10 alpha21 ~ U(−1, 1), beta ~ U(0, 0.5) and log10
gamma12, log10 gamma21 ~ U(−0.5, 0.5) (:func:`synergy.datasets.simulate`, ``gamma=``; its
surface is the tree formula, not the kernel).  ``--null`` fits the γ model to γ = 1
surfaces (alpha, beta as above) and counts log γ intervals that exclude 0.

``--peer`` fits the first N recovery blocks with Wooten's ``synergy`` 1.0.0
``MuSyC(fit_gamma=True)`` in its own venv through a subprocess (CSV in and out; nothing
imported), given ``1 − inhibition/100``, and times ours on 2,000 blocks of the same design.
"""

from __future__ import annotations

import argparse
import subprocess
import textwrap
import time

import numpy as np
import pandas as pd
from bench_musyc import _run_peer

from synergy.datasets import simulate
from synergy.hill import fit_screen
from synergy.models.musyc import GAMMA_PARAMS, MUSYC_PARAMS, fit_musyc
from synergy.models.musyc import kernel as musyc_kernel
from synergy.models.surface_inputs import fit_points

NAMES = list(MUSYC_PARAMS + GAMMA_PARAMS)
QUANTITIES = ("log_alpha12", "log_alpha21", "log_gamma12", "log_gamma21", "beta")


def gamma_screen(n_block: int, seed: int = 2027, gamma: bool = True):
    rng = np.random.default_rng(seed)
    truth = {
        "log_alpha12": rng.uniform(-1, 1, n_block),
        "log_alpha21": rng.uniform(-1, 1, n_block),
        "log_gamma12": rng.uniform(-0.5, 0.5, n_block) if gamma else np.zeros(n_block),
        "log_gamma21": rng.uniform(-0.5, 0.5, n_block) if gamma else np.zeros(n_block),
        "beta": rng.uniform(0.0, 0.5, n_block),
    }
    screen = simulate(
        n_block, model="musyc", alpha12=10 ** truth["log_alpha12"],
        alpha21=10 ** truth["log_alpha21"], beta=truth["beta"],
        gamma=(10 ** truth["log_gamma12"], 10 ** truth["log_gamma21"]), noise_sd=3.0,
        n_replicates=2, seed=seed,
    )  # fmt: skip
    return fit_screen(screen, fitter="lsq"), truth


def recovery(n_block: int) -> None:
    screen, truth = gamma_screen(n_block)
    out = fit_musyc(screen, fit_gamma=True)
    status = out["musyc_status"].values
    print(f"\n## γ recovery, {n_block} blocks (95 % intervals)\n")
    print(f"status: {dict(zip(*np.unique(status, return_counts=True), strict=True))}\n")
    print("| parameter | interval | covered (all) | covered (status ok) | median abs error |")
    print("|---|---|---|---|---|")
    ok = status == 0
    for name in QUANTITIES:
        ci = out[f"musyc_{name}_ci"].values
        inside = (ci[:, 0] <= truth[name]) & (truth[name] <= ci[:, 1])
        err = np.nanmedian(np.abs(out[f"musyc_{name}"].values - truth[name]))
        kind = {"alpha": "calibrated profile", "gamma": "F-test profile"}.get(name[4:9], "Wald")
        print(f"| {name} | {kind} | {inside.mean():.1%} | {inside[ok].mean():.1%} | {err:.3f} |")


def null(n_block: int) -> None:
    screen, _ = gamma_screen(n_block, seed=2028, gamma=False)
    out = fit_musyc(screen, fit_gamma=True)
    print(f"\n## γ = 1 surfaces fitted with γ, {n_block} blocks\n")
    print("| parameter | interval above 0 | below 0 | (nominal 2.5 % each) |")
    print("|---|---|---|---|")
    for name in ("log_gamma12", "log_gamma21"):
        ci = out[f"musyc_{name}_ci"].values
        print(f"| {name} | {np.mean(ci[:, 0] > 0):.1%} | {np.mean(ci[:, 1] < 0):.1%} | |")


PEER_SCRIPT = textwrap.dedent(
    """
    import sys, time, warnings
    import numpy as np
    from synergy.combination import MuSyC
    warnings.simplefilter("ignore")
    data = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1)
    names = NAMES
    rows = []
    for block in np.unique(data[:, 0]):
        d1, d2, e = data[data[:, 0] == block, 1:4].T
        model = MuSyC(fit_gamma=True)
        t = time.perf_counter()
        try:
            model.fit(d1, d2, e)
            p = model.get_parameters() if model.is_specified else {}
        except RuntimeError:  # curve_fit gave up (maxfev)
            p = {}
        seconds = time.perf_counter() - t
        rows.append([block, seconds] + [float(p.get(n, np.nan)) for n in names])
    header = ",".join(["block", "seconds"] + names)
    np.savetxt(sys.argv[2], np.array(rows), delimiter=",", header=header, comments="")
    """
).replace("NAMES", repr(NAMES))


def _sse(q: np.ndarray, d1, d2, y) -> np.ndarray:
    ok = np.isfinite(y)
    return np.array(
        [np.sum((y[b][ok[b]] - musyc_kernel.musyc_value(d1[b][ok[b]], d2[b][ok[b]], q[b])) ** 2)
         if np.all(np.isfinite(q[b])) else np.nan for b in range(len(q))]
    )  # fmt: skip


def peer(n_block: int, python: str) -> None:
    screen, _ = gamma_screen(n_block)
    d1, d2, y = fit_points(screen)
    ok = np.isfinite(y)
    blocks = np.repeat(np.arange(n_block), y.shape[1]).reshape(y.shape)
    table = pd.DataFrame({"block": blocks[ok], "d1": d1[ok], "d2": d2[ok], "E": 1 - y[ok] / 100})
    theirs, _ = _run_peer(python, PEER_SCRIPT, table)
    theirs = theirs.astype({"block": int}).set_index("block").reindex(range(n_block))
    other = theirs[NAMES].to_numpy(dtype=float)
    other[:, :4] = 100 * (1 - other[:, :4])  # back to % inhibition
    q_other = other.copy()
    with np.errstate(all="ignore"):
        q_other[:, 4:] = np.log(other[:, 4:])
    ours = fit_musyc(screen, fit_gamma=True, intervals="wald")
    mine = ours["musyc"].sel(musyc_param=NAMES).values
    sse_ours, sse_other = ours["musyc_sse"].values, _sse(q_other, d1, d2, y)
    print(f"\n## Peer: synergy 1.0.0 MuSyC(fit_gamma=True), {n_block} blocks\n")
    print("| quantity | median abs difference (ours − peer) | 90th percentile |")
    print("|---|---|---|")
    for j, name in enumerate(NAMES):
        with np.errstate(all="ignore"):
            diff = mine[:, j] - other[:, j] if j < 4 else np.log10(mine[:, j] / other[:, j])
        a = np.abs(diff[np.isfinite(diff)])
        unit = "% points" if j < 4 else "log10"
        print(f"| {name} ({unit}) | {np.median(a):.3g} | {np.percentile(a, 90):.3g} |")
    rel = (sse_other - sse_ours) / sse_ours
    print(
        f"\nSSE (same points, our kernel): peer − ours relative: median {np.nanmedian(rel):.2e}; "
        f"ours lower by > 1e-6 in {np.sum(rel > 1e-6)}, peer lower in {np.sum(rel < -1e-6)} "
        f"(largest {np.nanmin(rel):.2e}); peer failed in {int(np.sum(~np.isfinite(sse_other)))}."
    )
    for name, k in (("log_gamma12", 10), ("log_gamma21", 11)):
        ci = ours[f"musyc_{name}_ci"].values
        inside = np.mean((ci[:, 0] <= np.log10(other[:, k])) & (np.log10(other[:, k]) <= ci[:, 1]))
        print(f"peer's {name} inside our 95 % Wald interval: {inside:.0%}")
    big, _ = gamma_screen(max(n_block, 2000))
    fit_musyc(big.isel(block=slice(0, 4)), fit_gamma=True)  # compile
    rates = {}
    for method, kwargs in (
        ("wald", {"intervals": "wald"}),
        ("profile", {"calibrate": 0}),
        ("calibrated", {}),
    ):
        t0 = time.perf_counter()
        fit_musyc(big, fit_gamma=True, **kwargs)
        rates[method] = big.sizes["block"] / (time.perf_counter() - t0)
    rate_peer = n_block / theirs["seconds"].sum()
    version = subprocess.run(
        [python, "-I", "-c", "import importlib.metadata as m; print(m.version('synergy'))"],
        capture_output=True, text=True, check=False,
    ).stdout.strip()  # fmt: skip
    print(
        f"\nSpeed (peer {version}, {n_block} blocks; ours 2,000 blocks): peer {rate_peer:.2f} "
        f"fits/s; ours {rates['wald']:,.0f} fits/s with Wald intervals "
        f"({rates['wald'] / rate_peer:,.0f}x), {rates['profile']:,.0f} with F-test profile "
        f"intervals of log alpha ({rates['profile'] / rate_peer:,.0f}x), "
        f"{rates['calibrated']:,.1f} with the default calibrated ones "
        f"({rates['calibrated'] / rate_peer:,.1f}x)."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=200)
    parser.add_argument("--null", type=int, default=400)
    parser.add_argument("--peer", type=int, default=0, help="blocks for the peer comparison")
    parser.add_argument("--peer-python", default="peer-venv/bin/python")
    args = parser.parse_args()
    if args.blocks:
        recovery(args.blocks)
    if args.null:
        null(args.null)
    if args.peer:
        peer(args.peer, args.peer_python)


if __name__ == "__main__":
    main()
