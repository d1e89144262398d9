"""Bootstrap speed and calibration (issue #6).

Speed: 100-resample intervals of Bliss + HSA + Loewe + ZIP on a simulated 8×8×3 screen
(``synergy.datasets.simulate``, potency-shift synergy 0–2, noise sd 5), warm (kernels
compiled on a small screen first); the 10,000-block figure is extrapolated linearly from
``--blocks`` (the bootstrap is chunked, so time is linear in blocks).

    .venv/bin/python benchmarks/bench_bootstrap.py --blocks 1000 --fitter lsq
    .venv/bin/python benchmarks/bench_bootstrap.py --blocks 200 --fitter drc

Calibration (``--calibration``): on ``--cal-blocks`` simulated blocks (half Bliss-independent,
half with synergy, 3 replicates, noise sd 5) the share of 95 % intervals covering the
expected block score — the noise-free score for Bliss (unbiased under independent noise),
the Monte-Carlo mean over ``--draws`` fresh noise draws of the same blocks for ZIP (also
the noise-free one, for comparison) — and the KS test of the null blocks' p-values against
the uniform distribution; the same with one replicate (noise from fitted residuals).

    .venv/bin/python benchmarks/bench_bootstrap.py --calibration --cal-blocks 500
    .venv/bin/python benchmarks/bench_bootstrap.py --bliss-repeats 10 --cal-blocks 500
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy import stats

import synergy
from synergy.stats import bootstrap

MODELS = ("bliss", "hsa", "loewe", "zip")


def _screen(n_block: int, n_rep: int = 3, seed: int = 0, **kw):
    strength = np.linspace(0.0, 2.0, n_block)
    return synergy.datasets.simulate(
        n_block, noise_sd=5.0, n_replicates=n_rep, seed=seed, synergy_strength=strength, **kw
    )


def speed(n_block: int, n_boot: int, fitter: str) -> None:
    warm = synergy.score(_screen(8), MODELS, fitter=fitter)
    bootstrap(warm, MODELS, n_boot=4, fitter=fitter)
    screen = _screen(n_block)

    def timed(fn):
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        return result, time.perf_counter() - t0, time.process_time() - c0

    scale = 1e4 / n_block
    print(f"| step ({n_block} blocks, fitter={fitter}) | wall s | CPU s | 10,000 blocks: wall s "
          "| CPU s / 2 cores |")  # fmt: skip
    print("|---|---:|---:|---:|---:|")

    def row(name, wall, cpu):
        print(f"| {name} | {wall:.1f} | {cpu:.1f} | {wall * scale:.0f} | {cpu * scale / 2:.0f} |")

    scored, wall, cpu = timed(lambda: synergy.score(screen, MODELS, fitter=fitter))
    row("score, 4 models, no bootstrap", wall, cpu)
    for models in (("bliss", "hsa"), ("loewe",), ("zip",)):
        _, wall, cpu = timed(lambda m=models: bootstrap(scored, m, n_boot=n_boot, fitter=fitter))
        row(f"bootstrap {' + '.join(models)}, {n_boot} resamples", wall, cpu)
    _, wall, cpu = timed(lambda: bootstrap(scored, MODELS, n_boot=n_boot, fitter=fitter))
    row(f"bootstrap all 4 in one call, {n_boot} resamples", wall, cpu)


def _coverage(low, high, target):
    return float(np.mean((low <= target) & (target <= high)))


def calibration(n_block: int, n_boot: int, draws: int, fitter: str) -> None:
    strength = np.where(np.arange(n_block) % 2 == 0, 0.0, np.linspace(0.0, 3.0, n_block))
    null = strength == 0
    print("| replicates | model | 95 % coverage of expected | of noise-free | KS p (null) |"
          " blocks |")  # fmt: skip
    print("|---|---|---:|---:|---:|---:|")
    for n_rep in (3, 1):
        screen = synergy.datasets.simulate(
            n_block, noise_sd=5, n_replicates=n_rep, seed=7, synergy_strength=strength
        )
        scored = synergy.score(screen, ("bliss", "zip"), fitter=fitter, n_boot=n_boot, seed=1)
        combo = (screen.conc_row > 0) & (screen.conc_col > 0)
        bliss_true = screen.true_bliss_delta.where(combo).mean(("row", "col")).values
        free = synergy.datasets.simulate(
            n_block, seed=7, synergy_strength=strength, hill_row=screen.true_hill_row.values,
            hill_col=screen.true_hill_col.values, truth=False,
        )  # fmt: skip
        zip_free = synergy.score(free, ("zip",), fitter=fitter).zip_score.values
        zip_draws = []
        for k in range(draws):
            again = synergy.datasets.simulate(
                n_block, noise_sd=5, n_replicates=n_rep, seed=1000 + k, synergy_strength=strength,
                hill_row=screen.true_hill_row.values, hill_col=screen.true_hill_col.values,
                truth=False,
            )  # fmt: skip
            zip_draws.append(synergy.score(again, ("zip",), fitter=fitter).zip_score.values)
        zip_expected = np.mean(zip_draws, axis=0)
        for model, expected, noise_free in (
            ("bliss", bliss_true, bliss_true),
            ("zip", zip_expected, zip_free),
        ):
            low, high = scored[f"{model}_score_low"].values, scored[f"{model}_score_high"].values
            ks = stats.kstest(scored[f"{model}_pvalue"].values[null], "uniform").pvalue
            print(f"| {n_rep} | {model} | {_coverage(low, high, expected):.3f} | "
                  f"{_coverage(low, high, noise_free):.3f} | {ks:.3f} | {n_block} |")  # fmt: skip


def bliss_repeats(n_block: int, n_boot: int, repeats: int) -> None:
    """Bliss coverage over several simulated data sets (its expectation is the noise-free
    score, so no Monte Carlo is needed): how much of a single figure is sampling noise."""
    print("| replicates | data seeds | Bliss 95 % coverage, mean | sd over seeds | blocks each |")
    print("|---|---:|---:|---:|---:|")
    for n_rep in (3, 1):
        cover = []
        for k in range(repeats):
            screen = synergy.datasets.simulate(
                n_block, noise_sd=5, n_replicates=n_rep, seed=50 + k,
                synergy_strength=np.linspace(0.0, 3.0, n_block),
            )  # fmt: skip
            scored = synergy.score(screen, ("bliss",), n_boot=n_boot, seed=k)
            combo = (screen.conc_row > 0) & (screen.conc_col > 0)
            truth = screen.true_bliss_delta.where(combo).mean(("row", "col")).values
            low, high = scored.bliss_score_low.values, scored.bliss_score_high.values
            cover.append(_coverage(low, high, truth))
        print(f"| {n_rep} | {repeats} | {np.mean(cover):.3f} | {np.std(cover, ddof=1):.3f} |"
              f" {n_block} |")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=1000)
    parser.add_argument("--n-boot", type=int, default=100)
    parser.add_argument("--fitter", choices=("lsq", "drc"), default="lsq")
    parser.add_argument("--calibration", action="store_true")
    parser.add_argument("--cal-blocks", type=int, default=500)
    parser.add_argument("--draws", type=int, default=50)
    parser.add_argument("--bliss-repeats", type=int, default=0)
    args = parser.parse_args()
    if args.bliss_repeats:
        bliss_repeats(args.cal_blocks, args.n_boot, args.bliss_repeats)
    elif args.calibration:
        calibration(args.cal_blocks, args.n_boot, args.draws, args.fitter)
    else:
        speed(args.blocks, args.n_boot, args.fitter)


if __name__ == "__main__":
    main()
