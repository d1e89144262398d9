"""Speed (and, with --accuracy, agreement and calibration) of the batched Hill fits.

    python benchmarks/bench_hill.py               # speed table
    python benchmarks/bench_hill.py --accuracy    # + 1,000-curve scipy comparison, Wald coverage
    python benchmarks/bench_hill.py --quick       # smaller N (a smoke run)

Speed: fits/s of ``synergy.hill.fit`` (the public API: broadcasting, default bounds, status;
the numba kernel runs on all cores) for N = 1e3, 1e4, 1e5 curves of 10 points (zero dose and
nine 3-fold dilutions) and of 24 points (zero dose and seven half-log doses, 3 replicates),
against, in the same process and on the same data (a subset, then extrapolated):

- ``scipy.optimize.curve_fit`` as users call it: default method (``lm``), numerical Jacobian,
  a naive data-driven start (median log-dose, slope 1, min/max response);
- ``curve_fit`` with the analytic Jacobian and the true parameters as the start (its best case);
- ``lmfit.Model.fit`` (default ``leastsq``) from the naive start.

Cold start: a fresh interpreter importing ``synergy.hill`` and fitting one curve (numba cache
warm), wall time.  Simulated curves are the "well-posed" set of docs/design.md §6.13: IC50 inside
the tested doses, slope 0.3–5, noise sd 1–10 points.  Other processes share the machine's
cores: treat the numbers as indicative.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import warnings

import numpy as np
from scipy.optimize import OptimizeWarning, curve_fit, least_squares

import synergy.hill as hill


def simulate(n: int, n_points: int, seed: int = 0):
    """Doses, noisy responses (% inhibition) and truth (ic50, slope, bottom, top)."""
    rng = np.random.default_rng(seed)
    top_dose = 10 ** rng.uniform(-1, 3, n)
    if n_points == 10:
        conc = np.zeros((n, 10))
        conc[:, 1:] = top_dose[:, None] / 3.0 ** np.arange(9)[::-1]
    else:  # 24 points: 0 + 7 half-log doses, 3 replicates each
        doses = np.zeros((n, 8))
        doses[:, 1:] = top_dose[:, None] / np.sqrt(10.0) ** np.arange(7)[::-1]
        conc = np.repeat(doses, 3, axis=1)
    low = np.min(np.where(conc > 0, conc, np.inf), axis=1)
    ic50 = np.exp(rng.uniform(np.log(low), np.log(conc[:, -1])))
    slope = np.exp(rng.uniform(np.log(0.3), np.log(5.0), n))
    bottom = rng.normal(0.0, 5.0, n)
    top = rng.uniform(30.0, 110.0, n)
    truth = np.stack([ic50, slope, bottom, top], axis=1)
    clean = hill.evaluate(conc, *(truth[:, j, None] for j in range(4)))
    sd = rng.uniform(1.0, 10.0, n)[:, None]
    return conc, clean + rng.normal(0.0, 1.0, conc.shape) * sd, truth


def log_model(x, log_ic50, slope, bottom, top):
    with np.errstate(divide="ignore", over="ignore"):
        g = np.where(
            x > 0, 1.0 / (1.0 + np.exp(np.minimum(slope * (log_ic50 - np.log(x)), 700))), 0
        )
    return bottom + (top - bottom) * g


def log_jac(x, log_ic50, slope, bottom, top):
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        dt = np.where(x > 0, log_ic50 - np.log(np.where(x > 0, x, 1.0)), 0.0)
        e = np.exp(np.minimum(slope * dt, 700.0))
        g = np.where(x > 0, 1.0 / (1.0 + e), 0.0)
        gg = np.where(x > 0, e * g * g, 0.0)
    s = top - bottom
    return np.stack([-s * slope * gg, -s * dt * gg, 1.0 - g, g], axis=1)


def naive_start(x, y):
    return [np.median(np.log(x[x > 0])), 1.0, np.min(y), np.max(y)]


def time_it(func, repeat: int = 3) -> float:
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - t0)
    return best


def rate_curve_fit(conc, y, truth, *, analytic: bool) -> float:
    def run():
        for i in range(len(conc)):
            x = conc[i]
            try:
                if analytic:
                    start = [np.log(truth[i, 0]), *truth[i, 1:]]
                    curve_fit(log_model, x, y[i], p0=start, jac=log_jac)
                else:
                    curve_fit(log_model, x, y[i], p0=naive_start(x, y[i]))
            except RuntimeError:
                pass

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OptimizeWarning)
        return len(conc) / time_it(run, repeat=1)


def rate_lmfit(conc, y) -> float:
    import lmfit

    model = lmfit.Model(log_model, independent_vars=["x"])

    def run():
        for i in range(len(conc)):
            start = naive_start(conc[i], y[i])
            params = model.make_params(
                log_ic50=start[0], slope=dict(value=1.0, min=1e-3), bottom=start[2], top=start[3]
            )
            model.fit(y[i], params, x=conc[i])

    return len(conc) / time_it(run, repeat=1)


def cold_start() -> float:
    code = (
        "import time; t0 = time.perf_counter(); import numpy as np; import synergy.hill as h; "
        "h.fit(np.array([0, .1, .3, 1, 3, 10.]), np.array([1, 8, 20, 50, 80, 90.])); "
        "print(time.perf_counter() - t0)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)  # warm cache
    runs = [
        float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                             text=True).stdout)
        for _ in range(3)
    ]  # fmt: skip
    return min(runs)


def speed(sizes: list[int], n_subset: int) -> tuple[list[tuple[str, ...]], float]:
    """Print the speed table; return its rows and the cold-start time (s)."""
    import numba

    print(f"# Hill fits/s (numba threads: {numba.get_num_threads()}, cores: {os.cpu_count()})")
    hill.fit(*simulate(10, 10)[:2])  # compile / load the cache
    header = (
        f"{'points':>6} {'N':>7} {'synergy fits/s':>15} {'curve_fit':>10} {'ratio':>7} "
        f"{'cf+jac+truth':>13} {'ratio':>7} {'lmfit':>8} {'ratio':>7}"
    )
    print(header)
    rows = []
    for n_points in (10, 24):
        conc, y, truth = simulate(max(sizes), n_points, seed=1)
        sub = slice(0, n_subset)
        cf = rate_curve_fit(conc[sub], y[sub], truth[sub], analytic=False)
        cfj = rate_curve_fit(conc[sub], y[sub], truth[sub], analytic=True)
        lm = rate_lmfit(conc[: n_subset // 2], y[: n_subset // 2])
        for n in sizes:
            ours = n / time_it(lambda n=n, c=conc, r=y: hill.fit(c[:n], r[:n]))
            print(
                f"{n_points:>6} {n:>7} {ours:>15,.0f} {cf:>10,.0f} {ours / cf:>7.0f} "
                f"{cfj:>13,.0f} {ours / cfj:>7.0f} {lm:>8,.0f} {ours / lm:>7.0f}"
            )
            rows.append((str(n_points), f"{n:.0e}".replace("e+0", "e"), f"{ours:,.0f}",
                         f"{cf:,.0f}", f"{ours / cf:,.0f}", f"{cfj:,.0f}", f"{ours / cfj:,.0f}",
                         f"{lm:,.0f}", f"{ours / lm:,.0f}"))  # fmt: skip
    cold = cold_start()
    print(f"\ncold start (fresh interpreter: import synergy.hill + one fit, warm cache): "
          f"{cold:.2f} s")  # fmt: skip
    return rows, cold


def accuracy(n: int = 1000) -> None:
    """SSE vs scipy's best (least_squares from truth + 2 starts) and Wald coverage."""
    conc, y, truth = simulate(n, 10, seed=12)
    fit = hill.fit(conc, y)
    ref_sse = np.empty(n)
    ref_q = np.empty((n, 4))
    for i in range(n):
        x, yy = conc[i], y[i]
        b = fit.bounds[i].copy()
        b[0] = np.log(b[0])
        lo, hi = b[:, 0], b[:, 1]
        mid = np.median(np.log(x[x > 0]))
        best = (np.inf, None)
        for start in (
            [np.log(truth[i, 0]), *truth[i, 1:]],
            [mid, 1.0, yy.min(), yy.max()],
            [mid, 1.0, yy.max(), yy.min()],
        ):
            start = np.clip(start, lo + 1e-9 * (hi - lo), hi - 1e-9 * (hi - lo))
            res = least_squares(
                lambda q, x=x, yy=yy: log_model(x, *q) - yy, start,
                jac=lambda q, x=x: log_jac(x, *q), bounds=(lo, hi), method="trf",
                ftol=1e-12, xtol=1e-12, gtol=1e-12, max_nfev=300,
            )  # fmt: skip
            sse = float(np.sum(res.fun**2))
            if sse < best[0]:
                best = (sse, res.x)
        ref_sse[i], ref_q[i] = best
    rel = (fit.sse - ref_sse) / ref_sse
    equal = rel <= 1e-6
    interior = (fit.status == 0) & (fit.hill_slope < 10) & (ref_q[:, 1] < 10)
    both = equal & (np.abs(rel) <= 1e-6) & interior
    d_theta = np.abs(np.log(fit.ic50) - ref_q[:, 0])[both]
    print(f"\n# agreement with scipy least_squares (best of 3 starts), {n} well-posed curves")
    print(f"SSE within 1e-6 relative (or lower): {equal.mean():.2%}; better by > 1e-6: "
          f"{np.mean(rel < -1e-6):.2%}; worst relative excess: {rel.max():.2e}")  # fmt: skip
    print(f"log-IC50 on {both.sum()} interior fits with equal SSE: max |diff| {d_theta.max():.1e},"
          f" {np.mean(d_theta <= 1e-5):.2%} within 1e-5")  # fmt: skip
    print("statuses:", hill.count_status(fit.status))
    lower, upper = fit.ic50_ci(0.95)
    available = ~np.isnan(lower)
    covered = (lower <= truth[:, 0]) & (truth[:, 0] <= upper)
    print(f"\n# Wald 95 % CI of ln(IC50) (Student t), {n} curves")
    print(f"coverage {covered[available].mean():.1%} of the {available.mean():.1%} with an "
          f"interval; {covered.mean():.1%} of all (no interval = step-like fit, singular "
          f"Jacobian)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accuracy", action="store_true", help="also the accuracy checks")
    parser.add_argument("--quick", action="store_true", help="small N")
    parser.add_argument("--markdown", action="store_true", help="write the table into README.md")
    args = parser.parse_args()
    sizes = [1000, 10000] if args.quick else [1000, 10000, 100000]
    rows, cold = speed(sizes, n_subset=100 if args.quick else 400)
    if args.markdown:
        from _readme import markdown_table, write_table

        header = ["points", "N", "synergy fits/s", "curve_fit", "ratio", "cf+jac+truth",
                  "ratio", "lmfit", "ratio"]  # fmt: skip
        text = markdown_table(header, rows, align="r" * len(header))
        write_table("hill", f"{text}\n\nCold start (fresh interpreter, warm cache): {cold:.2f} s.")
    if args.accuracy:
        accuracy()


if __name__ == "__main__":
    main()
