"""The reference rules of Bliss and HSA for any number of drugs (one implementation, §16.1).

Each rule combines the drugs' single-drug responses ``y_1 … y_N`` at a well (``alone``: one
array per drug, % inhibition) one drug after another, so that for N = 2 it performs exactly the
floating-point operations of the pair formulas SynergyFinder's outputs are reproduced with
(docs/design.md §7) — the pair path is N = 2 of it, to the bit:

* Bliss, SynergyFinder 3: ``keep = 1 − y_1/100``, then ``keep = keep · (1 − y_k/100)``, and
  the reference ``(1 − keep) · 100`` (SynergyFinder's ``(1 - prod(1 - x / 100)) * 100``);
* Bliss, SynergyFinder 2: ``acc = y_1``, then ``acc = acc + y_k − acc · y_k / 100`` (for
  N = 2 its ``y1 + y2 − y1·y2/100``);
* HSA: ``acc = y_1``, then ``acc = max(acc, y_k)`` (NaN if any ``y_k`` is NaN).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from synergy.errors import SynergyError

__all__ = ["BLISS_FORMULAS", "bliss_combine", "hsa_combine"]

BLISS_FORMULAS = {
    "synergyfinder3": "100*(1-prod(1-y_i/100)), y_i observed single-drug wells (SynergyFinder 3)",
    "synergyfinder2": "y1 + y2 - y1*y2/100, y_i observed single-drug wells (SynergyFinder 2)",
}


def bliss_combine(alone: Sequence[np.ndarray], convention: str = "synergyfinder3") -> np.ndarray:
    """Bliss independence of the single-drug responses ``alone`` (one array per drug).

    Parameters
    ----------
    alone : sequence of N broadcastable float64 arrays
        Responses of each drug alone, % inhibition (NaN: missing).
    convention : {"synergyfinder3", "synergyfinder2"}
        The floating-point form (equal to ~1e-14; see the module docstring).

    Returns
    -------
    ndarray (the broadcast shape) float64
        ``100 · (1 − Π_i (1 − y_i / 100))`` in % inhibition.
    """
    n_drug = len(alone)
    if convention == "synergyfinder3":
        keep = 1.0 - alone[0] / 100.0
        for k in range(1, n_drug):
            keep = keep * (1.0 - alone[k] / 100.0)
        return (1.0 - keep) * 100.0
    if convention == "synergyfinder2":
        acc = alone[0]
        for k in range(1, n_drug):
            acc = acc + alone[k] - acc * alone[k] / 100.0
        return acc
    raise SynergyError(f"unknown convention {convention!r}")


def hsa_combine(alone: Sequence[np.ndarray]) -> np.ndarray:
    """Highest single agent ``max_i y_i`` of ``alone`` (one array per drug; NaN if any is NaN)."""
    acc = alone[0]
    for k in range(1, len(alone)):
        acc = np.maximum(acc, alone[k])
    return acc
