"""MuSyC log α on additive surfaces: false-call rates, drug symmetry, and the LR test at truth.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_musyc_null.py [--blocks 2000]
        [--seeds 8 9 10] [--swap-seed 7] [--calibrate N] [--alpha-on-bound keep]

``fit_musyc``'s defaults: bootstrap-calibrated profile intervals (79 draws) and both
alphas unidentified in blocks with an alpha on its bound; ``--calibrate 0 --alpha-on-bound
keep`` gives the plain F-test profile intervals of every block.

Additive MuSyC screens (α = 1, β = 0, γ = 1; design of ``bench_musyc.py``: 8 × 8 grids,
N(0, 3²) noise, 2 replicates).  Three checks of why a log α interval excludes 0 more often
than the nominal 2.5 % per side:

1. **Symmetry** (``--swap-seed``): the same screen with rows and columns exchanged; a
   procedure symmetric in the two drugs gives the swapped screen's α12 intervals equal to
   the original's α21 intervals, so the two rates swap exactly.
2. **Rates on fresh seeds** (``--seeds``): pooled one-sided rates with Clopper–Pearson 95 %
   intervals.
3. **The likelihood-ratio test at the truth**: ``(S(α = 1) − S) / σ²`` against ``t²`` with
   ``S(α = 1)`` the best of three constrained refits (from the fit, from the Hill starts, and
   from perturbed slopes/EC50s).  The profile interval excludes 0 exactly when this test
   rejects, so the difference between the two rates is the profile search's own error;
   the rest is the test's size in this model.  Also split by status (hit_bound vs ok).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from scipy.stats import beta as beta_dist
from scipy.stats import t as t_dist

from synergy.datasets import simulate
from synergy.hill import fit_screen
from synergy.models.musyc import fit_musyc
from synergy.models.musyc import kernel as musyc_kernel
from synergy.models.surface_inputs import fit_points, start_and_bounds

NAMES = (("log_alpha12", 8), ("log_alpha21", 9))


def additive(n_block: int, seed: int):
    return fit_screen(
        simulate(n_block, model="musyc", noise_sd=3.0, n_replicates=2, seed=seed), fitter="lsq"
    )


def calls(out, name: str) -> tuple[np.ndarray, np.ndarray]:
    ci = out[f"musyc_{name}_ci"].values
    return ci[:, 0] > 0, ci[:, 1] < 0


def clopper_pearson(k: int, n: int) -> str:
    lo = beta_dist.ppf(0.025, k, n - k + 1) if k > 0 else 0.0
    hi = beta_dist.ppf(0.975, k + 1, n - k) if k < n else 1.0
    return f"{k / n:.2%} [{lo:.2%}, {hi:.2%}]"


def swap_check(n_block: int, seed: int) -> None:
    sys.path.insert(0, str(Path(__file__).parents[1] / "tests" / "models"))
    from test_musyc import swapped  # the test suite's row/column exchange

    screen = additive(n_block, seed)
    a = fit_musyc(screen)
    b = fit_musyc(fit_screen(swapped(screen[["response"]]), fitter="lsq"))
    print(f"\n## Drug symmetry, seed {seed}, {n_block} blocks (profile intervals)\n")
    print("| parameter | synergistic / antagonistic | the same, rows and columns swapped |")
    print("|---|---|---|")
    for name, _ in NAMES:
        up, down = calls(a, name)
        up_s, down_s = calls(b, name)
        print(f"| {name} | {up.mean():.2%} / {down.mean():.2%} | {up_s.mean():.2%} / "
              f"{down_s.mean():.2%} |")  # fmt: skip
    diff = a["musyc_log_alpha21_ci"].values - b["musyc_log_alpha12_ci"].values
    print(f"\nmax |α21 interval − swapped α12 interval| = {np.nanmax(np.abs(diff)):.1e} log10")


def lr_at_truth(screen, out) -> dict[str, np.ndarray]:
    """Whether the LR test of α = 1 rejects (best of three constrained refits)."""
    d1, d2, y = fit_points(screen)
    init, bounds = start_and_bounds(screen, y)
    q = out["musyc"].values.copy()
    q[:, 4:] = np.log(q[:, 4:])
    sse, n = out["musyc_sse"].values, out["musyc_n_points"].values
    t2 = t_dist.ppf(0.975, n - 10) ** 2
    rng = np.random.default_rng(0)
    reject = {}
    for name, k in NAMES:
        best = np.full(len(q), np.inf)
        for start in (q, init, q + np.r_[np.zeros(4), rng.normal(0, 0.2, 4), 0, 0]):
            b = bounds.copy()
            b[:, k] = 0.0
            s = np.clip(np.where(np.isfinite(start), start, init), b[..., 0], b[..., 1])
            s[:, k] = 0.0
            fit = musyc_kernel.fit_musyc(d1, d2, y, s, b, 500)
            best = np.fmin(best, fit[2])
        reject[name] = (best - sse) / (sse / (n - 10)) > t2
    return reject


def rates(
    n_block: int, seeds: list[int], calibrate: int | None = None, on_bound: str = "unidentified"
) -> None:
    hits: dict[str, list[np.ndarray]] = {"status ok": []}
    for seed in seeds:
        screen = additive(n_block, seed)
        out = fit_musyc(screen, calibrate=calibrate, alpha_on_bound=on_bound, seed=seed)
        reject = lr_at_truth(screen, out)
        hits["status ok"].append(out["musyc_status"].values == 0)
        for name, _ in NAMES:
            up, down = calls(out, name)
            for key, hit in (
                (" synergistic", up),
                (" antagonistic", down),
                (" either side", up | down),
                (" LR rejects", reject[name]),
            ):
                hits.setdefault(name + key, []).append(hit)  # fmt: skip
    flat = {key: np.concatenate(v) for key, v in hits.items()}
    ok = flat.pop("status ok")
    how = (f"bootstrap-calibrated ({calibrate or 'default'} draws)" if calibrate != 0
           else "F-test profile") + f", alpha_on_bound={on_bound!r}"  # fmt: skip
    print(f"\n## Additive blocks, seeds {seeds}: {ok.size} blocks, {int((~ok).sum())} not ok; "
          f"{how} intervals\n")  # fmt: skip
    print("| parameter, event | all blocks [Clopper–Pearson 95 %] | status ok | status not ok |")
    print("|---|---|---|---|")
    for key, hit in flat.items():
        print(f"| {key} | {clopper_pearson(int(hit.sum()), hit.size)} | "
              f"{hit[ok].mean():.2%} | {hit[~ok].mean():.2%} |")  # fmt: skip
    print("\n(nominal: 2.5 % per side, 5 % either side or LR)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=2000)
    parser.add_argument("--seeds", type=int, nargs="*", default=[8, 9, 10])
    parser.add_argument("--swap-seed", type=int, default=None)
    parser.add_argument(
        "--calibrate",
        type=int,
        default=None,
        help="bootstrap draws of fit_musyc(calibrate=...) (default: fit_musyc's; 0: F test)",
    )
    parser.add_argument(
        "--alpha-on-bound", choices=["unidentified", "keep"], default="unidentified"
    )
    args = parser.parse_args()
    if args.swap_seed is not None:
        swap_check(args.blocks, args.swap_seed)
    if args.seeds:
        rates(args.blocks, args.seeds, args.calibrate, args.alpha_on_bound)


if __name__ == "__main__":
    main()
