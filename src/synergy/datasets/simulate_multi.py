"""Simulated N-drug screens with a known truth (docs/design.md §1).

Each block is a full-factorial dose cube of N drugs.  Every drug alone follows a Hill curve
``E(x) = bottom + (top − bottom) / (1 + (ic50 / x) ** hill_slope)`` (% inhibition) with
parameters drawn per block and drug; the combination follows

- ``"bliss"``: Bliss independence of the N curves, ``100 · (1 − Π_i (1 − E_i(x_i) / 100))``,
  with an optional potency shift: every drug's IC50 divided by ``1 + synergy_strength · s``,
  ``s`` = the fraction of the *other* drugs present — the same knob as the pair simulator's;
- ``"loewe"``: a sham combination, one drug split N ways (``E(Σ_i x_i)`` with drug 1's curve
  for every drug): Loewe-additive by construction.

Replicates add Gaussian noise of ``noise_sd`` points.  Draws are keyed by (seed, block id)
(:func:`synergy.datasets.block_rng`), so a block is the same whatever else is simulated.
"""

from __future__ import annotations

import itertools
from typing import Literal

import numpy as np
import xarray as xr

from synergy.datasets.streams import block_rng
from synergy.errors import SynergyError
from synergy.hill.model import evaluate
from synergy.io.screen import build_multi_screen

__all__ = ["simulate_multi"]

_KEY = 7301  # purpose key of this simulator's random streams


def simulate_multi(
    n_blocks: int = 4,
    *,
    n_drugs: int = 3,
    n_doses: int = 6,
    model: Literal["bliss", "loewe"] = "bliss",
    synergy_strength: float = 0.0,
    n_replicates: int = 1,
    noise_sd: float = 0.0,
    seed: int = 0,
    conc_unit: str = "nM",
) -> xr.Dataset:
    """Simulate ``n_blocks`` N-drug dose cubes.

    Parameters
    ----------
    n_blocks : int
        Blocks (ids ``"1"`` … ``"n_blocks"``).
    n_drugs : int
        Drugs per block (≥ 2).
    n_doses : int
        Doses per drug, zero included: 0 and ``n_doses − 1`` three-fold dilutions from 1,000
        (in ``conc_unit``).
    model : {"bliss", "loewe"}
        The combination's truth (see the module docstring).
    synergy_strength : float
        Potency shift of the Bliss model (0 = Bliss-independent).
    n_replicates : int
        Replicates per well.
    noise_sd : float
        Standard deviation of the Gaussian noise (% points).
    seed : int
        Seed of the keyed random streams.
    conc_unit : str
        Unit of the doses.

    Returns
    -------
    xarray.Dataset
        An N-drug screen with ``true_response`` (block, well) and ``true_hill``
        (block, drug, param) added; ``attrs["truth"]`` names the model.
    """
    if n_drugs < 2 or n_doses < 2 or n_blocks < 1 or n_replicates < 1 or noise_sd < 0:
        raise SynergyError(
            "need n_drugs ≥ 2, n_doses ≥ 2, n_blocks ≥ 1, n_replicates ≥ 1, noise_sd ≥ 0"
        )
    if model not in ("bliss", "loewe"):
        raise SynergyError(f"model must be 'bliss' or 'loewe', got {model!r}")
    doses = np.concatenate([[0.0], 1000.0 / 3.0 ** np.arange(n_doses - 2, -1, -1)])
    grid = np.array(list(itertools.product(doses, repeat=n_drugs)))  # (W, N), sorted
    block_ids = [str(i + 1) for i in range(n_blocks)]
    hills = np.empty((n_blocks, n_drugs, 4))
    truth = np.empty((n_blocks, grid.shape[0]))
    response = np.empty((n_blocks, grid.shape[0], n_replicates))
    present = grid > 0
    others = (present.sum(axis=1, keepdims=True) - present) / max(n_drugs - 1, 1)
    for b, block_id in enumerate(block_ids):  # draws per block (keyed); surfaces vectorised
        rng = block_rng(seed, block_id, _KEY)
        hills[b, :, 0] = np.exp(rng.uniform(np.log(3.0), np.log(300.0), n_drugs))
        hills[b, :, 1] = rng.uniform(0.7, 2.5, n_drugs)
        hills[b, :, 2] = 0.0
        hills[b, :, 3] = rng.uniform(60.0, 100.0, n_drugs)
        if model == "loewe":
            hills[b] = hills[b, 0]
            truth[b] = evaluate(grid.sum(axis=1), *hills[b, 0])
        else:
            ic50 = hills[b, :, 0] / (1.0 + synergy_strength * others)
            alone = evaluate(grid, ic50, hills[b, :, 1], hills[b, :, 2], hills[b, :, 3])
            truth[b] = 100.0 * (1.0 - np.prod(1.0 - alone / 100.0, axis=1))
        response[b] = truth[b][:, None] + rng.normal(0.0, noise_sd, (grid.shape[0], n_replicates))
    names = np.array([[f"drug_{chr(97 + i)}" for i in range(n_drugs)]] * n_blocks)
    screen = build_multi_screen(
        block_ids,
        names,
        np.full(n_blocks, "simulated"),
        np.broadcast_to(grid, (n_blocks, *grid.shape)),
        response,
        conc_unit=conc_unit,
        provenance={
            "simulator": "synergy.datasets.simulate_multi",
            "model": model,
            "seed": seed,
            "noise_sd": noise_sd,
            "synergy_strength": synergy_strength,
        },
    )
    screen["true_response"] = (("block", "well"), truth)
    screen["true_hill"] = (("block", "drug", "param"), hills)
    screen = screen.assign_coords(param=["ic50", "hill_slope", "bottom", "top"])
    screen.attrs["truth"] = model
    return screen
