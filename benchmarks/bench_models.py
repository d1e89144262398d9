"""Speed of the reference models on a simulated screen (issue #4).

Bliss + HSA + Loewe + ZIP with their Hill fits on a simulated 10,000-block 8×8×3 screen,
warm (every kernel compiled once on a small screen first).  Prints one table row per step.

    .venv/bin/python benchmarks/bench_models.py [--blocks 10000] [--fitter drc|lsq]

The screen is built with numpy + ``build_screen``: each block's drugs are Hill curves
(ic50 inside the tested doses, slope 0.5–3, bottom 0, top 60–100), combined by Bliss
independence times a random interaction factor, plus N(0, 5²) noise on 3 replicates.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import xarray as xr

from synergy.hill.model import HILL_PARAMS
from synergy.io.screen import build_screen
from synergy.models import score_bliss, score_hsa, score_loewe, score_zip


def simulate(n_block: int, n_dose: int = 8, n_rep: int = 3, seed: int = 0) -> xr.Dataset:
    """Noisy Bliss-like screen with the true single-drug curves as ``hill_row``/``hill_col``."""
    rng = np.random.default_rng(seed)
    doses = np.concatenate([[0.0], 10.0 ** np.linspace(-2, 1.5, n_dose - 1)])
    conc = np.tile(doses, (n_block, 1))

    def params():
        return np.column_stack(
            [
                10 ** rng.uniform(-1.5, 1.0, n_block),
                rng.uniform(0.5, 3.0, n_block),
                np.zeros(n_block),
                rng.uniform(60, 100, n_block),
            ]
        )

    def curve(x, p):
        with np.errstate(divide="ignore"):
            v = p[:, None, 2] + (p[:, None, 3] - p[:, None, 2]) / (
                1 + (p[:, None, 0] / x) ** p[:, None, 1]
            )
        return np.where(x == 0, p[:, None, 2], v)

    par_row, par_col = params(), params()
    e1, e2 = curve(conc, par_row), curve(conc, par_col)
    bliss = 100 * (1 - (1 - e1[:, :, None] / 100) * (1 - e2[:, None, :] / 100))
    boost = rng.uniform(-15, 15, (n_block, 1, 1)) * (e1[:, :, None] * e2[:, None, :] > 0) / 100
    surface = np.clip(bliss * (1 + boost), -20, 120)
    response = surface[..., None] + rng.normal(0, 5, (n_block, n_dose, n_dose, n_rep))
    screen = build_screen(
        np.arange(n_block), "A", "B", "cells", conc, conc.copy(), response, conc_unit="uM"
    )
    for side, par in (("row", par_row), ("col", par_col)):
        screen[f"hill_{side}"] = xr.DataArray(
            par, dims=("block", "param"), coords={"param": list(HILL_PARAMS)}
        )
    return screen


TIMES: list[tuple[str, float]] = []  # (step, seconds) of the timed steps, in order


def timed(label: str, fn, *args, **kwargs):
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    dt = time.perf_counter() - t0
    TIMES.append((label, dt))
    print(f"| {label:<38} | {dt:8.3f} |")
    return out, dt


def _kernel_drc(conc, response, c_fixed):
    from synergy._kernels.drc import fit_drc_batch

    n = conc.shape[0]
    c_fixed = np.full(n, np.nan) if c_fixed is None else np.ascontiguousarray(c_fixed, float)
    return fit_drc_batch(
        np.ascontiguousarray(conc, float),
        np.ascontiguousarray(response, float),
        c_fixed,
        np.full(n, np.nan),
        1e-10,
        True,
    )


def kernel_fit_screen(screen: xr.Dataset, **_) -> xr.Dataset:
    """Single-drug fits by drc's procedure through its kernel (before synergy.hill exists)."""
    from synergy._kernels.drc import L4_FALLBACK

    out = screen.copy()
    mean = np.nanmean(screen["response"].values, axis=-1)
    for side, conc, resp in (
        ("row", screen.conc_row.values, mean[:, :, 0]),
        ("col", screen.conc_col.values, mean[:, 0, :]),
    ):
        (b, c, d, e), _, _, status = (lambda r: (r[0].T, *r[1:]))(_kernel_drc(conc, resp, None))
        l4 = status == L4_FALLBACK
        ic50 = np.where(l4, np.exp(np.where(l4, e, 0)), e)
        par = np.column_stack([ic50, np.abs(b), np.where(b < 0, c, d), np.where(b < 0, d, c)])
        out[f"hill_{side}"] = xr.DataArray(
            par, dims=("block", "param"), coords={"param": list(HILL_PARAMS)}
        )
        out[f"hill_{side}_model"] = ("block", l4.astype(np.int8))
    return out


def kernel_drc_slices(conc, response, baseline):
    """ZIP slices by drc's procedure through its kernel."""
    from synergy._kernels.drc import predict_drc_batch

    params, _, _, status = _kernel_drc(conc, response, baseline)
    return predict_drc_batch(params, status, np.ascontiguousarray(conc, float), 1e-10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=10_000)
    parser.add_argument("--fitter", default="drc", choices=["drc", "lsq"])
    parser.add_argument("--markdown", action="store_true", help="write the table into README.md")
    args = parser.parse_args()
    try:
        from synergy.hill import fit_screen

        zip_fitter, source = args.fitter, "synergy.hill"
    except ImportError:
        if args.fitter != "drc":
            raise SystemExit("--fitter lsq needs synergy.hill.fit_screen") from None
        fit_screen, zip_fitter, source = kernel_fit_screen, kernel_drc_slices, "drc kernel"

    small = simulate(20, seed=1)
    # warm-up: compile every kernel on a small screen
    small = fit_screen(small.drop_vars(["hill_row", "hill_col"]), fitter=args.fitter)
    score_bliss(small), score_hsa(small), score_loewe(small), score_loewe(small, solver="exact")
    score_zip(small, fitter=zip_fitter)

    screen = simulate(args.blocks).drop_vars(["hill_row", "hill_col"])
    print(
        f"\n{args.blocks} blocks of 8x8x3, {os.cpu_count()} cores, "
        f"fitter={args.fitter} ({source})\n"
    )
    print(f"| {'step':<38} | {'seconds':>8} |")
    print(f"|{'-' * 40}|{'-' * 10}|")
    screen, total = timed(
        "single-drug fits (2 per block)",
        fit_screen,
        screen,
        fitter=args.fitter,
        replicates="mean",
    )
    results = {}
    for label, fn, kw in [
        ("Bliss", score_bliss, {}),
        ("HSA", score_hsa, {}),
        ("Loewe (grid100)", score_loewe, {}),
        ("ZIP (14 slice fits per block)", score_zip, {"fitter": zip_fitter}),
    ]:
        results[label], dt = timed(label, fn, screen, **kw)
        total += dt
    print(f"| {'total':<38} | {total:8.3f} |")
    if args.markdown:
        from _readme import markdown_table, write_table

        rows = [(label, f"{seconds:.2f}") for label, seconds in TIMES] + [("total", f"{total:.2f}")]
        intro = f'{args.blocks:,} blocks 8×8×3, warm, `fitter="{args.fitter}"`:\n\n'
        write_table(f"models-{args.fitter}", intro + markdown_table(["step", "seconds"], rows))
    exact, _ = timed("(Loewe exact, not in total)", score_loewe, screen, solver="exact")
    print("\nwarm target: <= 3 s for all four models with their fits on 2 cores")
    grid = results["Loewe (grid100)"]
    d_block = np.abs(grid["loewe_score"].values - exact["loewe_score"].values)
    d_well = np.abs(grid["loewe"].values - exact["loewe"].values)
    print(
        "Loewe grid100 vs exact: block score |Δ| median "
        f"{np.nanmedian(d_block):.3f}, 99th pct {np.nanpercentile(d_block, 99):.3f}, "
        f"max {np.nanmax(d_block):.3f}; per well median {np.nanmedian(d_well):.3f}, "
        f"max {np.nanmax(d_well):.3f} points"
    )


if __name__ == "__main__":
    main()
