"""Counts of a scored screen's statuses, for run summaries (CLI, notebooks)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import xarray as xr

from synergy import status as status_codes
from synergy.batch.assemble import ERROR_PREFIX

__all__ = ["StatusCounts", "status_counts"]

_LEVELS = ("ok", "warning", "failed")


@dataclass
class StatusCounts:
    """How many blocks ended in each status.

    Attributes
    ----------
    n_blocks : int
        Blocks in the screen.
    by_level : dict
        ``{"ok": n, "warning": n, "failed": n}`` from the block ``status`` (0/1/2).
    n_errored : int
        Failed blocks whose scoring raised (``status_reason`` starts with ``"error: "``).
    flags : dict
        ``{"<variable>: <meaning>": n}`` over every status variable (``hill_row_status``,
        ``<model>_status`` …), non-ok codes only, most frequent first.
    """

    n_blocks: int
    by_level: dict[str, int] = field(default_factory=dict)
    n_errored: int = 0
    flags: dict[str, int] = field(default_factory=dict)


def status_counts(scored: xr.Dataset) -> StatusCounts:
    """Count blocks per status level and per flag of a scored screen.

    Parameters
    ----------
    scored : xarray.Dataset
        A screen returned by :func:`synergy.score` or :func:`synergy.batch.score_screen`.

    Returns
    -------
    StatusCounts
    """
    n_blocks = scored.sizes["block"]
    status = np.asarray(scored["status"].values) if "status" in scored else np.zeros(n_blocks)
    by_level = {name: int(np.sum(status == code)) for code, name in enumerate(_LEVELS)}
    n_errored = 0
    if "status_reason" in scored:
        reasons = np.asarray(scored["status_reason"].values).astype(str)
        n_errored = int(np.char.startswith(reasons, ERROR_PREFIX).sum())
    flags: dict[str, int] = {}
    for name, var in scored.data_vars.items():
        name = str(name)
        if var.dims != ("block",) or not name.endswith("_status") or name == "status":
            continue
        meanings = status_codes.decode(var.attrs)
        codes, counts = np.unique(np.asarray(var.values), return_counts=True)
        for code, count in zip(codes.tolist(), counts.tolist(), strict=True):
            word = meanings.get(int(code), "not_scored" if code == -1 else f"code_{code}")
            if word in ("ok", "converged"):
                continue
            flags[f"{name.removesuffix('_status')}: {word}"] = int(count)
    flags = dict(sorted(flags.items(), key=lambda item: (-item[1], item[0])))
    return StatusCounts(n_blocks, by_level, n_errored, flags)
