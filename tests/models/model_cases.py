"""Helpers of the model tests: SynergyFinder example screens with its fits injected,
noise-free synthetic screens, a slow scipy slice fitter."""

from __future__ import annotations

import importlib.resources

import numpy as np
import pandas as pd
import xarray as xr

from synergy.hill.model import HILL_PARAMS
from synergy.io.screen import build_screen

DATA = importlib.resources.files("synergy.datasets") / "data"


def read_csv(folder: str, name: str) -> pd.DataFrame:
    with (DATA / folder / name).open() as handle:
        return pd.read_csv(handle)


def screen_from_table(table: pd.DataFrame) -> xr.Dataset:
    """Dense screen from a long table (block_id, conc_row, conc_col, response, replicate)."""
    table = table.copy()
    if "response_kind" in table and (table["response_kind"] == "viability").all():
        table["response"] = 100.0 - table["response"]
    blocks = sorted(table["block_id"].unique())
    rows = [np.sort(table.loc[table.block_id == b, "conc_row"].unique()) for b in blocks]
    cols = [np.sort(table.loc[table.block_id == b, "conc_col"].unique()) for b in blocks]
    n_row, n_col = max(map(len, rows)), max(map(len, cols))
    if "replicate" not in table:
        table["replicate"] = 1
    table["rep"] = table.groupby(["block_id", "conc_row", "conc_col"]).cumcount()
    n_rep = int(table["rep"].max()) + 1
    conc_row = np.full((len(blocks), n_row), np.nan)
    conc_col = np.full((len(blocks), n_col), np.nan)
    response = np.full((len(blocks), n_row, n_col, n_rep), np.nan)
    first = table.groupby("block_id").first()
    for b, block in enumerate(blocks):
        conc_row[b, : len(rows[b])] = rows[b]
        conc_col[b, : len(cols[b])] = cols[b]
        sub = table[table.block_id == block]
        i = np.searchsorted(rows[b], sub.conc_row.values)
        j = np.searchsorted(cols[b], sub.conc_col.values)
        response[b, i, j, sub.rep.values] = sub.response.values
    return build_screen(
        [str(b) for b in blocks],
        [str(first.loc[b, "drug_row"]) for b in blocks],
        [str(first.loc[b, "drug_col"]) for b in blocks],
        [str(first.loc[b, "sample"]) for b in blocks],
        conc_row,
        conc_col,
        response,
        conc_unit=str(first["conc_unit"].iloc[0]),
    )


def drc_to_hill(drc: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """drc LL.4 (b, c, d, e) -> (ic50, hill_slope, bottom, top); L.4: ic50 = exp(e)."""
    b, c, d, e = (drc[k].to_numpy(dtype=float) for k in "bcde")
    l4 = (drc["model"] == "L.4").to_numpy()
    ic50 = e.copy()
    ic50[l4] = np.exp(e[l4])
    rising = b < 0
    params = np.stack([ic50, np.abs(b), np.where(rising, c, d), np.where(rising, d, c)], axis=1)
    return params, l4


def inject_fits(screen: xr.Dataset, drc: pd.DataFrame) -> xr.Dataset:
    """Add hill_row / hill_col (+ _model flags) from SynergyFinder's fit table."""
    out = screen.copy()
    for side, drug in (("row", "conc1"), ("col", "conc2")):
        part = drc[drc.drug == drug].set_index("block_id")
        part = part.loc[[int(b) for b in screen.block.values]]
        params, l4 = drc_to_hill(part.reset_index())
        out[f"hill_{side}"] = xr.DataArray(
            params, dims=("block", "param"), coords={"param": list(HILL_PARAMS)}
        )
        out[f"hill_{side}_model"] = ("block", l4.astype(np.int8))
    return out


def surface_as_array(screen: xr.Dataset, surface: pd.DataFrame, column: str) -> np.ndarray:
    """SynergyFinder's per-well column as a (block, row, col) array on the screen's grid."""
    out = np.full(screen["response"].shape[:3], np.nan)
    for b, block in enumerate(screen.block.values):
        sub = surface[surface.block_id == int(block)]
        rows = screen.conc_row.values[b]
        cols = screen.conc_col.values[b]
        i = [int(np.flatnonzero(np.isclose(rows, v, rtol=1e-12, atol=0))[0]) for v in sub.conc1]
        j = [int(np.flatnonzero(np.isclose(cols, v, rtol=1e-12, atol=0))[0]) for v in sub.conc2]
        out[b, i, j] = sub[column].to_numpy(dtype=float)
    return out


class SFCase:
    """One SynergyFinder example set: screen with fits injected + SF's outputs."""

    def __init__(self, folder: str):
        self.folder = folder
        self.raw = screen_from_table(read_csv(folder, "data.csv"))
        self.drc = read_csv(folder, "synergyfinder3_drc.csv")
        self.screen = inject_fits(self.raw, self.drc)
        self.surface = read_csv(folder, "synergyfinder3_surface.csv")
        self.summary = read_csv(folder, "synergyfinder3_summary.csv").set_index("block_id")

    def well(self, column: str) -> np.ndarray:
        return surface_as_array(self.screen, self.surface, column)

    def block(self, column: str) -> np.ndarray:
        return self.summary.loc[[int(b) for b in self.screen.block.values], column].to_numpy(float)


# --- synthetic screens (numpy + build_screen) -------------------------------------------


def hill_curve(x, ic50, slope, bottom, top):
    """E(x) = bottom + (top − bottom) / (1 + (ic50 / x) ** slope), E(0) = bottom."""
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore"):
        value = bottom + (top - bottom) / (1.0 + (ic50 / x) ** slope)
    return np.where(x == 0, bottom, value)


def bliss_combine(e1, e2):
    return 100.0 * (1.0 - (1.0 - e1 / 100.0) * (1.0 - e2 / 100.0))


def synthetic_screen(
    conc_row: np.ndarray,
    conc_col: np.ndarray,
    par_row: np.ndarray,
    par_col: np.ndarray,
    kind: str,
    n_rep: int = 1,
    conc_unit: str = "uM",
) -> xr.Dataset:
    """Noise-free screen: ``kind`` "bliss" (Bliss-independent Hill surface) or "sham"
    (``f_row(x1 + x2)``: the row drug combined with itself, the column dose in the same
    unit).  The true fits are injected as hill_row / hill_col."""
    n_block = conc_row.shape[0]
    p1 = [par_row[:, k, None, None] for k in range(4)]
    p2 = [par_col[:, k, None, None] for k in range(4)]
    x1 = conc_row[:, :, None]
    x2 = conc_col[:, None, :]
    if kind == "bliss":
        surface = bliss_combine(hill_curve(x1, *p1), hill_curve(x2, *p2))
    elif kind == "sham":
        surface = hill_curve(x1 + x2, *p1)
    else:
        raise ValueError(kind)
    surface = np.where(np.isfinite(x1) & np.isfinite(x2), surface, np.nan)
    response = np.repeat(surface[..., None], n_rep, axis=-1)
    screen = build_screen(
        [f"b{i}" for i in range(n_block)],
        "A",
        "B",
        "cells",
        conc_row,
        conc_col,
        response,
        conc_unit=conc_unit,
    )
    for side, par in (("row", par_row), ("col", par_col)):
        screen[f"hill_{side}"] = xr.DataArray(
            np.asarray(par, dtype=float),
            dims=("block", "param"),
            coords={"param": list(HILL_PARAMS)},
        )
    return screen


def scipy_slice_fitter(conc: np.ndarray, response: np.ndarray, baseline: np.ndarray) -> np.ndarray:
    """Slow, obvious slice fitter for tests: Hill with bottom fixed to ``baseline``,
    ln(ic50), slope, top free, scipy least_squares from a few starts (best SSE)."""
    from scipy.optimize import least_squares

    out = np.full(conc.shape, np.nan)
    for n in range(conc.shape[0]):
        use = np.isfinite(conc[n]) & np.isfinite(response[n])
        x, y, c = conc[n][use], response[n][use], baseline[n]
        pos = x[x > 0]

        def resid(q, x=x, y=y, c=c):
            return hill_curve(x, np.exp(q[0]), q[1], c, q[2]) - y

        best = None
        for log_ic50, slope in zip(
            np.log(np.quantile(pos, [0.2, 0.5, 0.8])), (0.7, 1.5, 3.0), strict=True
        ):
            start = [log_ic50, slope, y[np.argmax(np.abs(y - c))]]
            fit = least_squares(
                resid,
                start,
                bounds=([-50, 1e-3, -1e4], [50, 50, 1e4]),
                xtol=1e-15,
                ftol=1e-15,
                gtol=1e-15,
                max_nfev=2000,
            )
            if best is None or fit.cost < best.cost:
                best = fit
        q = best.x
        out[n] = hill_curve(conc[n], np.exp(q[0]), q[1], c, q[2])
    return out


# --- drc's procedure through its kernel (synergy._kernels.drc) ---------------------------


def _drc_kernel(conc, response, c_fixed, d_fixed):
    from synergy._kernels.drc import fit_drc_batch

    n = conc.shape[0]
    as_fixed = lambda v: np.full(n, np.nan) if v is None else np.ascontiguousarray(v, dtype=float)  # noqa: E731
    return fit_drc_batch(
        np.ascontiguousarray(conc, dtype=float),
        np.ascontiguousarray(response, dtype=float),
        as_fixed(c_fixed),
        as_fixed(d_fixed),
        1e-10,
        True,
    )


def drc_slice_fitter(conc, response, baseline):
    """ZIP slices (SynergyFinder 3): drc's c fixed to the observed dose-0 response."""
    from synergy._kernels.drc import predict_drc_batch

    params, _, _, status = _drc_kernel(conc, response, baseline, None)
    return predict_drc_batch(params, status, np.ascontiguousarray(conc, dtype=float), 1e-10)


def drc_bounded_fitter(conc, response, c_fixed, d_fixed):
    """ZIP slices (SynergyFinder 2): drc's c and d fixed."""
    from synergy._kernels.drc import predict_drc_batch

    params, _, _, status = _drc_kernel(conc, response, c_fixed, d_fixed)
    return predict_drc_batch(params, status, np.ascontiguousarray(conc, dtype=float), 1e-10)


def inject_drc_fits(screen: xr.Dataset) -> xr.Dataset:
    """Single-drug fits by drc's procedure (kernel) on the replicate-mean edges, incl. (0, 0)."""
    from synergy._kernels.drc import L4_FALLBACK

    out = screen.copy()
    mean = np.nanmean(screen["response"].values, axis=-1)
    for side, conc, resp in (
        ("row", screen.conc_row.values, mean[:, :, 0]),
        ("col", screen.conc_col.values, mean[:, 0, :]),
    ):
        params, _, _, status = _drc_kernel(conc, resp, None, None)
        frame = pd.DataFrame(params, columns=list("bcde"))
        frame["model"] = np.where(status == L4_FALLBACK, "L.4", "LL.4")
        hill, l4 = drc_to_hill(frame)
        out[f"hill_{side}"] = xr.DataArray(
            hill, dims=("block", "param"), coords={"param": list(HILL_PARAMS)}
        )
        out[f"hill_{side}_model"] = ("block", l4.astype(np.int8))
    return out
