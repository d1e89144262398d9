"""False-flag and detection rates of the outlier detector (docs/design.md §18).

    .venv/bin/python benchmarks/bench_outliers.py [--blocks B]

Clean screens: ``synergy.datasets.simulate`` blocks (Bliss model, synergy strength uniform
in [−0.5, 2], default Hill draws), for every combination of grid (6 × 6, 8 × 8),
replicates (1, 3) and noise sd (1, 3, 5, 8 % points), ``--blocks`` blocks each.  False-flag
rate: flagged values / measured values on the clean screens, per threshold k.  Detection:
in each block one value of a combination cell whose true response is ≥ 80 % is set to 0 %
(a failed dispense in a column of 90 %); detection rate = share of those values flagged,
with the false flags among the other values of the same blocks.  Then the scores at the
default k: |Bliss/ZIP score − clean score| with the outlier kept (``outliers="flag"``) and
excluded (``"exclude"``), on the 8 × 8, noise-5, one-replicate set; and how many values
the detector flags on the bundled pair screens.
"""

from __future__ import annotations

import argparse
import itertools

import numpy as np
import pandas as pd

import synergy
from synergy.cleaning import DEFAULT_THRESHOLD, detect_outliers
from synergy.datasets import list_bundled, load_bundled, simulate

THRESHOLDS = (4.0, 5.0, 6.0, 7.0, 8.0, 10.0)


def screens(n_blocks: int):
    for k, (n_doses, n_rep, noise) in enumerate(
        itertools.product((6, 8), (1, 3), (1.0, 3.0, 5.0, 8.0))
    ):
        rng = np.random.default_rng(k)
        screen = simulate(
            n_blocks,
            n_doses=n_doses,
            n_replicates=n_rep,
            noise_sd=noise,
            synergy_strength=rng.uniform(-0.5, 2.0, n_blocks),
            seed=100 + k,
        )
        yield (n_doses, n_rep, noise), screen


def inject(screen, rng) -> tuple[np.ndarray, np.ndarray]:
    """Response with one value per block set to 0 where the truth is ≥ 80 %; the mask."""
    values = screen["response"].transpose("block", "row", "col", "replicate").values.copy()
    truth = screen["true_response"].values
    mask = np.zeros(values.shape, dtype=bool)
    for b in range(values.shape[0]):
        cells = np.argwhere(truth[b, 1:, 1:] >= 80.0) + 1
        if len(cells) == 0:
            continue
        r, c = cells[rng.integers(len(cells))]
        k = rng.integers(values.shape[-1])
        values[b, r, c, k] = 0.0
        mask[b, r, c, k] = True
    return values, mask


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=400)
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    lines = []
    kept = None
    for (n_doses, n_rep, noise), screen in screens(args.blocks):
        clean = screen["response"].transpose("block", "row", "col", "replicate").values
        dirty, mask = inject(screen, rng)
        line = {"grid": f"{n_doses}x{n_doses}", "reps": n_rep, "noise": noise}
        for k in THRESHOLDS:
            flagged, _ = detect_outliers(clean, k)
            line[f"false % k={k:g}"] = 100 * flagged.sum() / np.isfinite(clean).sum()
            found, _ = detect_outliers(dirty, k)
            line[f"detected % k={k:g}"] = 100 * found[mask].sum() / mask.sum()
            if k == DEFAULT_THRESHOLD:
                others = np.isfinite(dirty) & ~mask
                line[f"false % (dirty) k={k:g}"] = 100 * found[others].sum() / others.sum()
        lines.append(line)
        if (n_doses, n_rep, noise) == (8, 1, 5.0):
            kept = (screen, dirty, mask)
    table = pd.DataFrame(lines)
    false_cols = ["grid", "reps", "noise"] + [f"false % k={k:g}" for k in THRESHOLDS]
    det_cols = ["grid", "reps", "noise"] + [f"detected % k={k:g}" for k in THRESHOLDS]
    print(f"{args.blocks} blocks per row; false flags on clean screens, % of values")
    print(table[false_cols].to_markdown(index=False, floatfmt=".2f"))
    print("\ndetection of a 0 % value where the truth is >= 80 %, % of injected values")
    print(table[det_cols].to_markdown(index=False, floatfmt=".1f"))
    k = DEFAULT_THRESHOLD
    print(f"\nfalse flags among the other values of the injected blocks at k={k:g}:")
    print(table[["grid", "reps", "noise", f"false % (dirty) k={k:g}"]].to_markdown(
        index=False, floatfmt=".2f"))  # fmt: skip
    screen, dirty, mask = kept
    has = mask.any(axis=(1, 2, 3))
    screen = screen.isel(block=np.flatnonzero(has))
    bad = screen.copy()
    bad["response"] = screen["response"].copy(data=dirty[has])
    models = ("bliss", "zip")
    ref = synergy.score(screen, models)
    rows = []
    for mode in ("flag", "exclude"):
        scored = synergy.score(bad, models, outliers=mode)
        for m in models:
            diff = np.abs(scored[f"{m}_score"].values - ref[f"{m}_score"].values)
            rows.append({"outliers": mode, "model": m, "median |Δ|": np.nanmedian(diff),
                         "p95 |Δ|": np.nanpercentile(diff, 95)})  # fmt: skip
    print(f"\n{int(has.sum())} blocks (8x8, 1 replicate, noise 5) with one 0 % value: "
          "|score − clean score|, % points")  # fmt: skip
    print(pd.DataFrame(rows).to_markdown(index=False, floatfmt=".2f"))
    print(f"\nflags on the bundled screens at k={k:g} (no ground truth: read them as a census)")
    census = []
    for name in list_bundled():
        data = load_bundled(name)
        if "drug" in data.dims:
            continue
        values = data["response"].transpose("block", "row", "col", "replicate").values
        found, _ = detect_outliers(values, k)
        census.append(
            {
                "screen": name,
                "blocks": data.sizes["block"],
                "values": int(np.isfinite(values).sum()),
                "flagged": int(found.sum()),
            }
        )
    print(pd.DataFrame(census).to_markdown(index=False))


if __name__ == "__main__":
    main()
