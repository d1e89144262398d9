"""Deterministic imputation of missing cells of dose matrices (docs/design.md §18).

``impute="hill_bliss"``, per block, on replicate means (% inhibition):

1. single-drug cells and the control (0, 0): the drug's Hill curve, fitted by least squares
   (:func:`synergy.hill.fit`) to its measured single-drug cells and the control, evaluated at
   the missing dose (the control from the mean of both curves' ``bottom``); with fewer than
   5 points, the curve with ``bottom`` fixed at the measured control; failing that, linear
   interpolation in log dose;
2. combination cells: the Bliss reference of the completed edges,
   ``100·(1 − (1 − a/100)(1 − b/100))``, plus the Bliss excess ``y − Bliss`` of the measured
   combination cells interpolated harmonically (each missing cell's excess is the mean of
   its 4 neighbours' on the combination grid; the discrete Laplace equation with the
   measured cells as boundary, solved exactly, with a ``PULL`` weight towards the block's
   mean excess so that cells without a measured neighbour stay defined).
"""

from __future__ import annotations

import warnings

import numpy as np

__all__ = ["IMPUTE_METHODS", "PULL", "impute_hill_bliss"]

IMPUTE_METHODS = ("hill_bliss",)
PULL = 1e-3  # weight of the block's mean Bliss excess in each missing cell's equation


def _fill_edges(mean: np.ndarray, conc_row: np.ndarray, conc_col: np.ndarray) -> np.ndarray:
    """Missing single-drug cells and controls from Hill fits of each drug's edge (in place)."""
    grid_row, grid_col = np.isfinite(conc_row), np.isfinite(conc_col)
    edge_row, edge_col = mean[:, :, 0], mean[:, 0, :]
    need = np.any(grid_row & ~np.isfinite(edge_row), axis=1) | np.any(
        grid_col & ~np.isfinite(edge_col), axis=1
    )
    todo = np.flatnonzero(need)
    if todo.size == 0:
        return mean
    # one batch of curves: the row drugs of the blocks to fill, then their column drugs
    n_dose = max(conc_row.shape[1], conc_col.shape[1])
    conc = np.full((2 * todo.size, n_dose), np.nan)
    resp = np.full_like(conc, np.nan)
    conc[: todo.size, : conc_row.shape[1]] = conc_row[todo]
    resp[: todo.size, : conc_row.shape[1]] = edge_row[todo]
    conc[todo.size :, : conc_col.shape[1]] = conc_col[todo]
    resp[todo.size :, : conc_col.shape[1]] = edge_col[todo]
    resp = np.where(np.isfinite(conc), resp, np.nan)
    pred, params = _curve_predictions(conc, resp)
    with warnings.catch_warnings():  # a block where neither curve could be fitted: NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        bottom = np.nanmean(params[:, 2].reshape(2, todo.size), axis=0)
    for side, (edge, grid) in enumerate(((edge_row, grid_row), (edge_col, grid_col))):
        part = pred[side * todo.size : (side + 1) * todo.size, : edge.shape[1]]
        fill = grid[todo] & ~np.isfinite(edge[todo])
        fill[:, 0] = False  # the control: from both curves below
        values = edge[todo]
        values[fill] = part[fill]
        if side == 0:
            mean[todo, :, 0] = values
        else:
            mean[todo, 0, :] = values
    control = mean[todo, 0, 0]
    mean[todo, 0, 0] = np.where(np.isfinite(control), control, bottom)
    return mean


def _curve_predictions(conc: np.ndarray, resp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each curve's prediction at every dose: Hill, 3-parameter Hill, or interpolation.

    The 4-parameter Hill fit needs 5 points; a curve with fewer (a 4 × 4 or 5 × 5 design
    with a well missing) is fitted with ``bottom`` fixed at its measured control, and a
    curve that still cannot be fitted is interpolated linearly in log dose between its
    measured doses (the nearest measured value beyond them).
    """
    from synergy.hill import evaluate, fit

    measured = np.isfinite(resp)
    params = fit(np.where(measured, conc, np.nan), resp).params  # (n, 4)
    retry = ~np.all(np.isfinite(params), axis=1) & measured[:, 0]
    if retry.any():
        three = fit(
            np.where(measured[retry], conc[retry], np.nan),
            resp[retry],
            fixed={"bottom": resp[retry, 0]},
        )
        params[retry] = three.params
    pred = evaluate(conc, *(params[:, [k]] for k in range(4)))
    for i in np.flatnonzero(~np.all(np.isfinite(params), axis=1)):
        positive = measured[i] & (conc[i] > 0)
        if positive.any():
            doses = np.log(conc[i, positive])
            order = np.argsort(doses)
            with np.errstate(divide="ignore"):
                pred[i] = np.interp(np.log(conc[i]), doses[order], resp[i, positive][order])
            pred[i, conc[i] == 0] = resp[i, 0]
    return pred, params


def _harmonic(excess: np.ndarray, unknown: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Fill ``excess`` at ``unknown`` cells of one (R, C) grid by the discrete Laplace rule."""
    cells = np.argwhere(unknown)
    index = -np.ones(unknown.shape, dtype=np.int64)
    index[unknown] = np.arange(cells.shape[0])
    known = valid & ~unknown & np.isfinite(excess)
    target = float(np.mean(excess[known])) if known.any() else 0.0
    n = cells.shape[0]
    a = np.zeros((n, n))
    b = np.zeros(n)
    n_row, n_col = unknown.shape
    for k, (r, c) in enumerate(cells):
        a[k, k] = PULL
        b[k] = PULL * target
        for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1)):
            rr, cc = r + dr, c + dc
            if not (0 <= rr < n_row and 0 <= cc < n_col):
                continue
            if unknown[rr, cc]:
                a[k, k] += 1.0
                a[k, index[rr, cc]] -= 1.0
            elif known[rr, cc]:
                a[k, k] += 1.0
                b[k] += excess[rr, cc]
    out = excess.copy()
    out[unknown] = np.linalg.solve(a, b)
    return out


def impute_hill_bliss(
    mean: np.ndarray, conc_row: np.ndarray, conc_col: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Fill the missing cells of replicate-mean dose matrices (module docstring).

    Parameters
    ----------
    mean : ndarray (B, R, C)
        Replicate means, % inhibition; NaN = no measured replicate (or padding).
    conc_row : ndarray (B, R)
        Row-drug doses (NaN = padding), first 0.
    conc_col : ndarray (B, C)
        Column-drug doses (NaN = padding), first 0.

    Returns
    -------
    filled : ndarray (B, R, C)
        ``mean`` with the missing cells of each block's grid filled where possible.
    imputed : ndarray (B, R, C) of bool
        Cells that were missing and now hold an imputed value.
    """
    mean = np.array(mean, dtype=np.float64)
    conc_row = np.asarray(conc_row, dtype=np.float64)
    conc_col = np.asarray(conc_col, dtype=np.float64)
    grid = np.isfinite(conc_row)[:, :, None] & np.isfinite(conc_col)[:, None, :]
    missing = grid & ~np.isfinite(mean)
    filled = _fill_edges(mean.copy(), conc_row, conc_col)
    a, b = filled[:, 1:, 0][:, :, None], filled[:, 0, 1:][:, None, :]
    bliss = 100.0 * (1.0 - (1.0 - a / 100.0) * (1.0 - b / 100.0))
    combo = filled[:, 1:, 1:]
    excess = combo - bliss
    unknown = missing[:, 1:, 1:] & np.isfinite(bliss)
    for i in np.flatnonzero(unknown.any(axis=(1, 2))):
        smooth = _harmonic(excess[i], unknown[i], grid[i, 1:, 1:])
        combo[i][unknown[i]] = bliss[i][unknown[i]] + smooth[unknown[i]]
    filled[:, 1:, 1:] = combo
    return filled, missing & np.isfinite(filled)
