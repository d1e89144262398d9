"""Method recovery on known truth: :func:`recovery`.

Which score separates synergy from additivity, at which noise, and how far does each score
sit from 0 when there is no interaction?  Simulated screens (:func:`synergy.datasets.simulate`)
with the same single-drug curves under six interactions:

- ``bliss_null`` — Bliss independence; ``loewe_null`` — Loewe additivity (the two nulls);
- ``potency_bliss`` / ``potency_loewe`` — potency synergy on either null (each drug's IC50
  divided by up to ``1 + strength`` as the partner's occupancy rises);
- ``efficacy`` — MuSyC (γ = 1, α = 1) whose combined maximum E3 exceeds Bliss's
  ``t1 + t2 − t1·t2/100`` by ``efficacy`` points;
- ``antagonism`` — Bliss with a negative potency shift (``antagonism`` > −1).

Reported per model and noise: ROC AUC of synergy vs additivity (positives ``potency_bliss``
+ ``efficacy`` against ``bliss_null``; ``potency_loewe`` against ``loewe_null``), of
antagonism vs Bliss additivity (lower scores = antagonism), and each score's bias (mean and
SD) under each null.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from synergy.benchmark.agreement import roc_auc
from synergy.errors import SynergyError

__all__ = ["SCENARIOS", "RecoveryResult", "recovery"]

SCENARIOS = (
    "bliss_null",
    "loewe_null",
    "potency_bliss",
    "potency_loewe",
    "efficacy",
    "antagonism",
)
_PURPOSE_CURVES = 101


@dataclass
class RecoveryResult:
    """Scores on simulated truth and what they tell.

    Attributes
    ----------
    scores : pandas.DataFrame
        Long table: ``noise``, ``scenario``, ``block``, ``model``, ``score`` (% points).
    auc : pandas.DataFrame
        One row per (noise, model): ``auc_synergy_vs_bliss``, ``auc_synergy_vs_loewe``,
        ``auc_antagonism`` (0.5 = chance, 1 = perfect).
    bias : pandas.DataFrame
        One row per (noise, model, null): ``mean`` and ``sd`` of the block scores, ``n``.
    settings : dict
        The arguments of the run.
    """

    scores: pd.DataFrame
    auc: pd.DataFrame
    bias: pd.DataFrame
    settings: dict[str, Any] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """The AUC and bias tables as text."""
        out = ["ROC AUC (synergy vs additivity; antagonism vs Bliss additivity):"]
        out += self.auc.round(3).to_string(index=False).splitlines()
        out += ["", "bias under the nulls (mean ± sd of block scores, % points):"]
        wide = self.bias.assign(
            text=[
                f"{m:+.2f} ± {s:.2f}"
                for m, s in zip(self.bias["mean"], self.bias["sd"], strict=True)
            ]
        ).pivot(index=["noise", "model"], columns="null", values="text")
        out += wide.reset_index().to_string(index=False).splitlines()
        return out

    def __repr__(self) -> str:
        return "\n".join(self.lines())


def _curves(n_blocks: int, seed: int) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Single-drug curves per block (keyed by seed and block id): ic50 log-uniform in
    [1, 1000] nM, slope in [0.8, 2.5], bottom 0, top in [40, 65] % (so that Bliss's E3 + an
    efficacy excess stays below 100 %)."""
    from synergy.datasets import block_rng

    ids = [str(k + 1) for k in range(n_blocks)]
    rows, cols = np.empty((n_blocks, 4)), np.empty((n_blocks, 4))
    for k, block in enumerate(ids):
        u = block_rng(seed, block, _PURPOSE_CURVES).random(6)
        rows[k] = (10 ** (3 * u[0]), 0.8 + 1.7 * u[1], 0.0, 40 + 25 * u[2])
        cols[k] = (10 ** (3 * u[3]), 0.8 + 1.7 * u[4], 0.0, 40 + 25 * u[5])
    return ids, rows, cols


def _simulate(scenario: str, ids, rows, cols, noise: float, seed: int, opts: dict):
    from synergy.datasets import simulate

    common = {
        "hill_row": rows,
        "hill_col": cols,
        "n_doses": opts["n_doses"],
        "noise_sd": noise,
        "seed": seed,
        "truth": False,
    }
    if scenario == "efficacy":
        t1, t2 = rows[:, 3], cols[:, 3]
        target = t1 + t2 - t1 * t2 / 100.0 + opts["efficacy"]
        beta = target / np.maximum(t1, t2) - 1.0
        return simulate(ids, model="musyc", beta=beta, **common)
    model = "loewe" if "loewe" in scenario else "bliss"
    strength = {"potency": opts["strength"], "antagonism": opts["antagonism"]}.get(
        scenario.split("_")[0], 0.0
    )
    return simulate(ids, model=model, synergy_strength=strength, **common)


def recovery(
    n_blocks: int = 40,
    noise: float | Sequence[float] = (2.0, 5.0, 10.0),
    seed: int = 0,
    *,
    models: Sequence[str] = ("bliss", "hsa", "loewe", "zip"),
    convention: str = "synergyfinder3",
    fitter: str | None = None,
    n_doses: int = 6,
    strength: float = 1.0,
    efficacy: float = 10.0,
    antagonism: float = -0.5,
) -> RecoveryResult:
    """Score simulated screens with known interaction; AUC and bias per model and noise.

    Parameters
    ----------
    n_blocks : int
        Blocks per scenario (the same single-drug curves in every scenario and noise level,
        so scenarios differ by their interaction only).
    noise : float or sequence of float
        Standard deviations of the Gaussian noise on every well, % points.
    seed : int
        Seed of the curves and the noise (keyed by block id).  The scenarios of one noise
        level share its noise draws (a paired design); each level has its own draws.
    models : sequence of str
        Models scored (:func:`synergy.score`).
    convention, fitter : str
        Passed to :func:`synergy.score`.
    n_doses : int
        Doses per drug, 0 included (6 = a 5 × 5 combination matrix plus the edges).
    strength : float
        Potency synergy of the ``potency_*`` scenarios (IC50 divided by up to 1 + strength).
    efficacy : float
        Excess of E3 over Bliss's, % points, in the ``efficacy`` scenario.
    antagonism : float in (−1, 0)
        Potency shift of the ``antagonism`` scenario.

    Returns
    -------
    RecoveryResult
    """
    from synergy.scoring import score

    if n_blocks < 2:
        raise SynergyError("recovery needs n_blocks ≥ 2 per scenario")
    if not -1.0 < antagonism < 0.0 or strength <= 0 or efficacy <= 0:
        raise SynergyError("need strength > 0, efficacy > 0 and −1 < antagonism < 0")
    noises = [float(noise)] if np.ndim(noise) == 0 else [float(x) for x in noise]
    ids, rows, cols = _curves(n_blocks, seed)
    opts = {"n_doses": n_doses, "strength": strength, "efficacy": efficacy,
            "antagonism": antagonism}  # fmt: skip
    parts = []
    for k, level in enumerate(noises):
        # one noise draw per level (shared by the scenarios: paired), independent across levels
        noise_seed = int(seed) * 1000 + k + 1
        screens = []
        for scenario in SCENARIOS:
            screen = _simulate(scenario, ids, rows, cols, level, noise_seed, opts)
            screen = screen.drop_vars([v for v in screen.data_vars if v != "response"])
            screens.append(screen.assign_coords(block=[f"{scenario}:{b}" for b in ids]))
        # every scenario in one screen: one scoring call per noise level
        joined = xr.concat(screens, dim="block", combine_attrs="override")
        scored = score(joined, tuple(models), convention=convention, fitter=fitter)
        for model in models:
            parts.append(
                pd.DataFrame(
                    {
                        "noise": level,
                        "scenario": np.repeat(SCENARIOS, len(ids)),
                        "block": np.tile(ids, len(SCENARIOS)),
                        "model": model,
                        "score": scored[f"{model}_score"].values.astype(float),
                    }
                )
            )
    scores = pd.concat(parts, ignore_index=True)
    auc_rows, bias_rows = [], []
    for (level, model), part in scores.groupby(["noise", "model"], sort=False):
        by = {s: part.loc[part["scenario"] == s, "score"].to_numpy() for s in SCENARIOS}
        synergy_bliss = np.concatenate([by["potency_bliss"], by["efficacy"]])
        auc_rows.append(
            {
                "noise": level,
                "model": model,
                "auc_synergy_vs_bliss": roc_auc(synergy_bliss, by["bliss_null"]),
                "auc_synergy_vs_loewe": roc_auc(by["potency_loewe"], by["loewe_null"]),
                "auc_antagonism": roc_auc(-by["antagonism"], -by["bliss_null"]),
            }
        )
        for null in ("bliss_null", "loewe_null"):
            values = by[null][np.isfinite(by[null])]
            bias_rows.append(
                {
                    "noise": level,
                    "model": model,
                    "null": null,
                    "mean": float(values.mean()) if values.size else np.nan,
                    "sd": float(values.std(ddof=1)) if values.size > 1 else np.nan,
                    "n": int(values.size),
                }
            )
    settings = {
        "n_blocks": n_blocks,
        "noise": noises,
        "seed": seed,
        "models": list(models),
        "convention": convention,
        "fitter": fitter,
        **opts,
    }
    return RecoveryResult(scores, pd.DataFrame(auc_rows), pd.DataFrame(bias_rows), settings)
