"""Zimmer and BRAID: recovery on simulated truth, null false calls, speed, peer cross-check.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_braid_zimmer.py [--blocks 300]
        [--null 300] [--speed 2000] [--peer 60 --peer-python peer-venv/bin/python]

Screens: :func:`synergy.datasets.simulate_interaction` (8 × 8 grids, 3-fold doses centred
on each drug's IC50; IC50 log-uniform in [1, 1000], slopes in [0.7, 3], bottom 0, tops in
[60, 100]), N(0, 3²) noise on 2 replicates.  Recovery blocks draw ln(1 + a12),
ln(1 + a21) ~ U(ln 0.3, ln 3) (a in [−0.7, 2]) and ln(κ + 2) ~ U(ln 0.5, ln 7) (κ in
[−1.5, 5]); null blocks have a = 0 (Bliss) or κ = 0.  Single-drug fits:
``fit_screen(fitter="lsq")`` (start values).

``--peer`` fits the first N blocks of recovery screens with tops 100 % (the peer's Zimmer
fixes E0 = 1 and Emax = 0 in its fraction-unaffected units, i.e. 0 and 100 % inhibition)
with Wooten's ``synergy`` 1.0.0 in its own venv (``benchmarks/peer/run_peer_bz.py``, via a
subprocess; data and results pass as CSV).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
from bench_musyc import _run_peer

from synergy.datasets.simulate_interaction import simulate_interaction
from synergy.hill import fit_screen
from synergy.models.braid import fit_braid
from synergy.models.surface_inputs import fit_points
from synergy.models.zimmer import fit_zimmer

NOISE_SD = 3.0
N_REP = 2
HERE = Path(__file__).resolve().parent
FITS = {"zimmer": fit_zimmer, "braid": fit_braid}
NAMES = {"zimmer": ("a12", "a21"), "braid": ("kappa",)}
INTERVALS = ("profile", "wald")


def draw_truth(model: str, n_block: int, rng: np.random.Generator, null: bool) -> dict:
    if model == "zimmer":
        if null:
            return {"a12": np.zeros(n_block), "a21": np.zeros(n_block)}
        return {n: np.expm1(rng.uniform(np.log(0.3), np.log(3.0), n_block)) for n in NAMES[model]}
    if null:
        return {"kappa": np.zeros(n_block)}
    return {"kappa": np.exp(rng.uniform(np.log(0.5), np.log(7.0), n_block)) - 2.0}


def screen_for(model: str, n_block: int, seed: int, null: bool = False, **kw):
    truth = draw_truth(model, n_block, np.random.default_rng(seed), null)
    screen = simulate_interaction(n_block, model=model, noise_sd=NOISE_SD,
                                  n_replicates=N_REP, seed=seed, **truth, **kw)  # fmt: skip
    return fit_screen(screen, fitter="lsq"), truth


def recovery(n_block: int) -> None:
    print(f"\n## Recovery, {n_block} blocks per model (95 % intervals)\n")
    print("| model | interval | parameter | covered | median abs error | status 0 | 7-9 | failed |")
    print("|---|---|---|---|---|---|---|---|")
    for model, fit in FITS.items():
        screen, truth = screen_for(model, n_block, seed=2026)
        for method in INTERVALS:
            out = fit(screen, intervals=method)
            status = out[f"{model}_status"].values
            counts = (np.sum(status == 0), np.sum((status > 0) & (status < 10)),
                      np.sum(status >= 10))  # fmt: skip
            for name, values in truth.items():
                ci = out[f"{model}_{name}_ci"].values
                covered = np.mean((ci[:, 0] <= values) & (values <= ci[:, 1]))
                err = np.nanmedian(np.abs(out[f"{model}_{name}"].values - values))
                print(f"| {model} | {method} | {name} | {covered:.1%} | {err:.3f} | "
                      f"{counts[0]} | {counts[1]} | {counts[2]} |")  # fmt: skip


def null_calls(n_block: int) -> None:
    print(f"\n## Null surfaces (Zimmer a = 0, i.e. Bliss; BRAID κ = 0), {n_block} blocks\n")
    print("Share of blocks whose 95 % interval excludes 0 on the synergistic side (nominal")
    print("2.5 %) and on the antagonistic side (nominal 2.5 %).\n")
    print("| model | interval | parameter | synergistic | antagonistic |")
    print("|---|---|---|---|---|")
    for model, fit in FITS.items():
        screen, _ = screen_for(model, n_block, seed=7, null=True)
        for method in INTERVALS:
            out = fit(screen, intervals=method)
            for name in NAMES[model]:
                low, high = out[f"{model}_{name}_ci"].values.T
                syn, ant = (high < 0, low > 0) if model == "zimmer" else (low > 0, high < 0)
                print(f"| {model} | {method} | {name} | {np.mean(syn):.1%} | {np.mean(ant):.1%} |")


def speed(n_block: int) -> dict[tuple[str, str], float]:
    print(f"\n## Speed, {n_block} blocks per model (warm; NUMBA_NUM_THREADS="
          f"{os.environ.get('NUMBA_NUM_THREADS', 'all')}, {os.cpu_count()} cores)\n")  # fmt: skip
    print("| step | seconds | fits/s |")
    print("|---|---|---|")
    rates = {}
    for model, fit in FITS.items():
        fit(screen_for(model, 8, seed=1)[0])  # compile / load the cache
        screen, _ = screen_for(model, n_block, seed=3)
        for method in INTERVALS[::-1]:
            t0 = time.perf_counter()
            fit(screen, intervals=method)
            dt = time.perf_counter() - t0
            rates[model, method] = n_block / dt
            print(f"| fit_{model}(intervals={method!r}) | {dt:.2f} | {n_block / dt:,.0f} |")
    return rates


def peer(n_block: int, python: str, rates: dict[tuple[str, str], float]) -> None:
    tables, ours, ours_points = [], {}, {}
    for code, model in enumerate(FITS):
        rng = np.random.default_rng(100 + code)
        hills = [
            {"ic50": 10 ** rng.uniform(0, 3, n_block),
             "hill_slope": rng.uniform(0.7, 3, n_block), "top": 100.0}
            for _ in range(2)
        ]  # fmt: skip
        screen, truth = screen_for(model, n_block, seed=99, hill_row=hills[0], hill_col=hills[1])
        d1, d2, resp = fit_points(screen)
        keep = np.isfinite(resp)
        block = np.broadcast_to(np.arange(n_block)[:, None], resp.shape)
        tables.append(pd.DataFrame({"model": code, "block": block[keep], "d1": d1[keep],
                                    "d2": d2[keep], "e": 1.0 - resp[keep] / 100.0}))  # fmt: skip
        ours[model] = (FITS[model](screen, intervals="wald"), truth)
        ours_points[model] = (d1, d2, resp)
    theirs, _ = _run_peer(python, (HERE / "peer" / "run_peer_bz.py").read_text(),
                          pd.concat(tables))  # fmt: skip
    print(f"\n## Against the peer (synergy 1.0.0), {n_block} blocks per model, tops 100 %\n")
    print(
        "| model | parameter | median |ours − peer| | share |Δ| < our stderr | "
        "median |ours − truth| | median |peer − truth| | peer failed |"
    )
    print("|---|---|---|---|---|---|---|")
    for code, model in enumerate(FITS):
        out, truth = ours[model]
        peer_rows = theirs[theirs["model"] == code].sort_values("block")
        failed = int(peer_rows["kappa" if model == "braid" else "a12"].isna().sum())
        # the peer's fit left at its start (interaction exactly 0: its single-drug Hill_2P
        # start diverged, e.g. h -> 1e-47, and the surface is NaN there)
        names = list(NAMES[model])
        stuck = np.all(peer_rows[names].to_numpy() == 0.0, axis=1)
        if model == "zimmer":
            below = int(np.sum(peer_rows[names].to_numpy() <= -1.0))
            print(
                f"| {model} | peer a12 or a21 ≤ −1 (outside the model's domain) | {below} | | | | |"
            )
        print(
            f"| {model} | peer fits left at their start (excluded below) | {stuck.sum()} | | | | |"
        )
        for name in NAMES[model]:
            mine = np.where(stuck, np.nan, out[f"{model}_{name}"].values)
            their = np.where(stuck, np.nan, peer_rows[name].to_numpy())
            se = out[f"{model}_{name}_stderr"].values
            diff = np.abs(mine - their)
            print(f"| {model} | {name} | {np.nanmedian(diff):.3g} | {np.nanmean(diff < se):.0%} | "
                  f"{np.nanmedian(np.abs(mine - truth[name])):.3g} | "
                  f"{np.nanmedian(np.abs(their - truth[name])):.3g} | {failed} |")  # fmt: skip
        worse = _peer_better(model, out, peer_rows, ours_points[model], stuck)
        print(
            f"  {model}: blocks where the peer's optimum has a lower SSE in our model than our "
            f"fit: {worse} of {int((~stuck).sum())}"
        )
        gap = np.abs(out[f"{model}_{names[0]}"].values - peer_rows[names[0]].to_numpy())
        worst = np.argsort(-np.nan_to_num(np.where(stuck, 0.0, gap)))[:3]
        for i in worst:
            print(
                f"  worst {model} block {i}: ours sse {out[f'{model}_sse'].values[i]:.1f}, "
                f"status {out[f'{model}_status'].values[i]}, "
                f"ours {NAMES[model][0]}={out[f'{model}_{NAMES[model][0]}'].values[i]:.3g}, "
                f"peer {peer_rows[NAMES[model][0]].to_numpy()[i]:.3g}, "
                f"truth {truth[NAMES[model][0]][i]:.3g}"
            )
        peer_rate = 1.0 / peer_rows["seconds"].mean()
        ours_rate = rates.get((model, "wald"), np.nan)
        print(
            f"  speed {model}: peer {peer_rate:.1f} fits/s, ours {ours_rate:,.0f} fits/s "
            f"({ours_rate / peer_rate:,.0f}x)"
        )


def _peer_better(model, out, peer_rows, points, stuck) -> int:
    """Blocks whose peer parameters give a lower SSE in our model than our fit (+1e-6)."""
    from synergy._kernels.interaction_surfaces import BRAID, ZIMMER, surface_value

    d1, d2, resp = points
    count = 0
    for i in range(len(resp)):
        row = peer_rows.iloc[i]
        if (
            stuck[i]
            or not np.isfinite(out[f"{model}_sse"].values[i])
            or min(row.get("a12", 0), row.get("a21", 0)) <= -1
        ):
            continue
        logs = np.log([row.h1, row.h2, row.C1, row.C2])
        if model == "zimmer":
            q, code = np.r_[0.0, 100.0, 100.0, logs, np.log1p([row.a12, row.a21])], ZIMMER
        else:
            effects = 100.0 * (1.0 - np.array([row.E0, row.E1, row.E2]))
            q, code = np.r_[effects, logs, np.log(row.kappa + 2.0)], BRAID
        keep = np.isfinite(resp[i])
        with np.errstate(all="ignore"):
            fitted = surface_value(code, d1[i][keep], d2[i][keep], q)
        sse = np.sum((resp[i][keep] - fitted) ** 2)
        if sse < out[f"{model}_sse"].values[i] - 1e-6:
            count += 1
            print(
                f"  {model} block {i}: SSE ours {out[f'{model}_sse'].values[i]:.2f}, "
                f"peer's parameters {sse:.2f}, status {out[f'{model}_status'].values[i]}"
            )
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=300)
    parser.add_argument("--null", type=int, default=300)
    parser.add_argument("--speed", type=int, default=2000)
    parser.add_argument("--peer", type=int, default=0)
    parser.add_argument("--peer-python", default="peer-venv/bin/python")
    args = parser.parse_args()
    if args.blocks:
        recovery(args.blocks)
    if args.null:
        null_calls(args.null)
    rates = speed(args.speed) if args.speed else {}
    if args.peer:
        peer(args.peer, args.peer_python, rates)


if __name__ == "__main__":
    main()
