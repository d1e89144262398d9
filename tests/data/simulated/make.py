"""Simulated screens stored as drawn: the draws the simulator is held to.

Run from the repository root (it overwrites ``tests/data/simulated/screens.npz``; record the
commit in ``tests/data/simulated/README.md``)::

    PYTHONPATH=src .venv/bin/python tests/data/simulated/make.py

``tests/datasets/test_simulated_draws.py`` imports :data:`CASES` and :func:`arrays` from here
and compares a fresh simulation with the stored arrays, bit for bit.  Every case calls the
public API only (``synergy.datasets.simulate`` / ``simulate_multi``), so the same file runs
on the code that stored the arrays and on today's.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import xarray as xr

STORE = Path(__file__).resolve().parent / "screens.npz"


def _pair(**options) -> Callable[[], xr.Dataset]:
    def make() -> xr.Dataset:
        from synergy.datasets import simulate

        return simulate(**options)

    return make


def _cube(**options) -> Callable[[], xr.Dataset]:
    def make() -> xr.Dataset:
        from synergy.datasets import simulate_multi

        return simulate_multi(**options)

    return make


_NOISY = {"noise_sd": 4.0, "n_replicates": 2}
CASES: dict[str, Callable[[], xr.Dataset]] = {
    **{
        f"pair_bliss_seed{seed}": _pair(
            blocks=3, seed=seed, n_doses=5, synergy_strength=0.5, missing_fraction=0.1, **_NOISY
        )
        for seed in (0, 1, 2)
    },
    "pair_ragged_loewe_seed3": _pair(blocks=4, seed=3, model="loewe", ragged=True, **_NOISY),
    "pair_musyc_seed4": _pair(blocks=2, seed=4, model="musyc", alpha12=2.0, beta=0.3, **_NOISY),
    **{
        f"cube3_bliss_seed{seed}": _cube(
            n_blocks=2, n_drugs=3, n_doses=4, synergy_strength=0.5, seed=seed, **_NOISY
        )
        for seed in (0, 4, 5)
    },
    "cube4_loewe_seed6": _cube(n_blocks=2, n_drugs=4, n_doses=3, model="loewe", seed=6, **_NOISY),
    "cube2_bliss_seed7": _cube(n_blocks=2, n_drugs=2, n_doses=5, seed=7, **_NOISY),
}


def arrays(case: str, screen: xr.Dataset) -> dict[str, np.ndarray]:
    """Every numeric variable and coordinate of a simulated screen, keyed ``"<case>/<name>"``."""
    out = {}
    for name, var in {**screen.coords, **screen.data_vars}.items():
        values = np.asarray(var.values)
        if values.dtype.kind in "fiub":
            out[f"{case}/{name}"] = values
    return out


def main() -> int:
    stored: dict[str, np.ndarray] = {}
    for case, make in CASES.items():
        stored.update(arrays(case, make()))
    np.savez_compressed(STORE, **stored)
    print(f"{STORE}: {len(stored)} arrays, {STORE.stat().st_size / 1e3:.0f} kB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
