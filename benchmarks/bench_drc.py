"""Speed of ``fitter="drc"`` (the batched replica of drc's LL.4 procedure), in fits/s.

Two workloads, warm (the kernel is compiled on a small batch first):

* single-drug curves: 8 doses (0 and 7 on a log grid), all four parameters free;
* ZIP slices: 8 doses, ``c`` fixed to the response at dose 0 (SynergyFinder's ZIP).

Curves are Hill curves (EC50 inside the tested doses, slope 0.5-3, bottom 0, top 60-100)
plus N(0, 5^2) noise.  Prints one table row per workload with fits/s, the median number of
BFGS iterations and the share of L.4 fallbacks; optionally ``scipy.optimize.minimize``
(BFGS from drc's start region, one curve at a time) on a subset, for a ratio.

    .venv/bin/python benchmarks/bench_drc.py [--curves 20000] [--scipy 300]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from synergy.hill.drc import fit_drc


def simulate(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(conc, response) of ``n`` noisy 8-dose Hill curves (% inhibition)."""
    rng = np.random.default_rng(seed)
    doses = np.concatenate([[0.0], 10.0 ** np.linspace(-2, 1.5, 7)])
    conc = np.tile(doses, (n, 1))
    ic50 = 10 ** rng.uniform(-1.5, 1.0, (n, 1))
    slope = rng.uniform(0.5, 3.0, (n, 1))
    top = rng.uniform(60, 100, (n, 1))
    with np.errstate(divide="ignore"):
        mean = top / (1 + (ic50 / conc) ** slope)
    return conc, mean + rng.normal(0, 5, conc.shape)


def bench(conc: np.ndarray, resp: np.ndarray, fixed_c: np.ndarray | None) -> tuple:
    t0 = time.perf_counter()
    fit = fit_drc(conc, resp, fixed_c=fixed_c)
    seconds = time.perf_counter() - t0
    return conc.shape[0] / seconds, float(np.median(fit.n_iter)), float(fit.l4.mean())


def scipy_rate(conc: np.ndarray, resp: np.ndarray) -> float:
    """fits/s of scipy BFGS on the same SSE, one curve at a time (log-EC50 parametrised)."""
    from scipy import optimize

    t0 = time.perf_counter()
    for x, y in zip(conc, resp, strict=True):

        def sse(q, x=x, y=y):
            b, c, d, log_e = q
            with np.errstate(over="ignore", divide="ignore"):
                pred = c + (d - c) / (1 + np.exp(b * (np.log(x) - log_e)))
            return float(np.sum((y - pred) ** 2))

        optimize.minimize(sse, [-1.0, y.min(), y.max(), np.log(np.median(x))], method="BFGS")
    return conc.shape[0] / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--curves", type=int, default=20000)
    parser.add_argument("--scipy", type=int, default=300, help="curves for scipy (0 = skip)")
    parser.add_argument("--markdown", action="store_true", help="write the table into README.md")
    args = parser.parse_args()
    conc, resp = simulate(args.curves)
    fit_drc(conc[:8], resp[:8])  # compile (or load the cache)
    fit_drc(conc[:8], resp[:8], fixed_c=resp[:8, 0])
    print(f"threads: {os.environ.get('NUMBA_NUM_THREADS', os.cpu_count())}, curves: {args.curves}")
    print(f"{'workload':<28}{'fits/s':>12}{'median iter':>14}{'L.4 share':>12}")
    rows = []
    for name, fixed in (("single drug, 4 free", None), ("ZIP slice, c fixed", resp[:, 0])):
        rate, iters, l4 = bench(conc, resp, fixed)
        print(f"{name:<28}{rate:>12,.0f}{iters:>14.0f}{l4:>12.3f}")
        rows.append((name, f"{rate:,.0f}", f"{iters:.0f}", f"{l4:.3f}"))
    if args.scipy:
        rate = scipy_rate(conc[: args.scipy], resp[: args.scipy])
        print(f"{'scipy BFGS, per curve':<28}{rate:>12,.0f}")
        rows.append(("scipy BFGS, one curve at a time", f"{rate:,.0f}", "", ""))
    if args.markdown:
        from _readme import markdown_table, write_table

        header = ["workload", "fits/s", "median iterations", "L.4 fallback share"]
        write_table("drc", markdown_table(header, rows))


if __name__ == "__main__":
    main()
