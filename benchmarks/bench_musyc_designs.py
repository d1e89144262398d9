"""MuSyC's log alpha intervals on other plate designs: additive false calls and recovery.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_musyc_designs.py [--n-doses 6]
        [--replicates 1] [--noise-sd 5] [--seeds 41 42 43] [--recovery 2000]

``bench_musyc_null.py`` and ``bench_musyc.py`` use one design (8 × 8 grids, 2 replicates,
N(0, 3²) noise).  The calibration of the default intervals (a per-block parametric
bootstrap) should not depend on it; this script repeats the two checks on any design
``simulate`` can make:

- **additive blocks** (alpha = 1, beta = 0; 2,000 per seed): share of blocks whose 95 %
  interval of log alpha lies above 0 (synergistic) and below 0 (antagonistic), default
  intervals against the F test (``calibrate=0, alpha_on_bound="keep"``), with
  Clopper–Pearson 95 % intervals (nominal 2.5 % per side);
- **recovery** (log10 alpha12, alpha21 ~ U(−1, 1), beta ~ U(−0.3, 0.5), seed 2027):
  coverage of the true log alpha, and the share of blocks with |log10 alpha| > 0.3 called
  on the right side (power).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy.stats import beta as beta_dist

from synergy.datasets import simulate
from synergy.hill import fit_screen
from synergy.models.musyc import fit_musyc

METHODS = (("default", {}), ("F test", {"calibrate": 0, "alpha_on_bound": "keep"}))
ALPHAS = ("alpha12", "alpha21")


def clopper_pearson(hits: np.ndarray) -> str:
    k, n = int(hits.sum()), hits.size
    lo = beta_dist.ppf(0.025, k, n - k + 1) if k > 0 else 0.0
    hi = beta_dist.ppf(0.975, k + 1, n - k) if k < n else 1.0
    return f"{k / n:.2%} [{lo:.2%}, {hi:.2%}]"


def null_rates(design: dict, seeds: list[int]) -> None:
    hits: dict[tuple[str, str], list[np.ndarray]] = {}
    t0 = time.perf_counter()
    for seed in seeds:
        screen = fit_screen(simulate(2000, model="musyc", seed=seed, **design), fitter="lsq")
        for method, kwargs in METHODS:
            out = fit_musyc(screen, seed=seed, **kwargs)
            for name in ALPHAS:
                ci = out[f"musyc_log_{name}_ci"].values
                hits.setdefault((method, f"{name} synergistic"), []).append(ci[:, 0] > 0)
                hits.setdefault((method, f"{name} antagonistic"), []).append(ci[:, 1] < 0)
    print(f"\n## Additive blocks, {design}, seeds {seeds}: {2000 * len(seeds)} blocks "
          f"({time.perf_counter() - t0:.0f} s)\n")  # fmt: skip
    print("| event | " + " | ".join(m for m, _ in METHODS) + " |")
    print("|---|" + "---|" * len(METHODS))
    for event in dict.fromkeys(e for _, e in hits):
        cells = [clopper_pearson(np.concatenate(hits[(m, event)])) for m, _ in METHODS]
        print(f"| {event} | " + " | ".join(cells) + " |")


def recovery(design: dict, n_block: int) -> None:
    rng = np.random.default_rng(2027)
    truth = {name: rng.uniform(-1, 1, n_block) for name in ALPHAS}
    screen = simulate(
        n_block, model="musyc", alpha12=10 ** truth["alpha12"], alpha21=10 ** truth["alpha21"],
        beta=rng.uniform(-0.3, 0.5, n_block), seed=2027, **design,
    )  # fmt: skip
    screen = fit_screen(screen, fitter="lsq")
    print(f"\n## Recovery, {design}, {n_block} blocks\n")
    print("| intervals | parameter | covered | power, abs(log10 alpha) > 0.3 |")
    print("|---|---|---|---|")
    for method, kwargs in METHODS:
        out = fit_musyc(screen, **kwargs)
        for name in ALPHAS:
            ci, true = out[f"musyc_log_{name}_ci"].values, truth[name]
            covered = np.mean((ci[:, 0] <= true) & (true <= ci[:, 1]))
            right = ((ci[:, 0] > 0) & (true > 0)) | ((ci[:, 1] < 0) & (true < 0))
            power = right[np.abs(true) > 0.3].mean()
            print(f"| {method} | log10 {name} | {covered:.1%} | {power:.1%} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-doses", type=int, default=6, help="doses per drug, with 0")
    parser.add_argument("--replicates", type=int, default=1)
    parser.add_argument("--noise-sd", type=float, default=5.0, help="% points")
    parser.add_argument("--seeds", type=int, nargs="*", default=[41, 42, 43])
    parser.add_argument("--recovery", type=int, default=2000, help="blocks (0: skip)")
    args = parser.parse_args()
    design = {"n_doses": args.n_doses, "n_replicates": args.replicates, "noise_sd": args.noise_sd}
    if args.seeds:
        null_rates(design, args.seeds)
    if args.recovery:
        recovery(design, args.recovery)


if __name__ == "__main__":
    main()
