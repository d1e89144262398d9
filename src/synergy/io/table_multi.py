"""N-drug screens as tidy tables, in SynergyFinder's multi-drug column names.

``level="well"``: ``block_id, drug1 … drugN, conc1 … concN, response, conc_unit1 … N, sample,
replicate, response_kind`` (+ ``source_file``), one row per measured replicate value, plus the
δ and reference of each well on a scored screen (``ZIP_synergy``, ``ZIP_ref`` …): the input
format of :func:`synergy.read_screen`, so table → screen → table is lossless.
``level="block"``: one row per block, the block scores under SynergyFinder's names.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

__all__ = ["multi_block_table", "multi_well_table"]


def _text(values: np.ndarray, index: np.ndarray) -> pd.Categorical:
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    return pd.Categorical.from_codes(codes[index], categories=pd.Index(uniques, dtype=object))


def multi_well_table(screen: xr.Dataset, surface_names: dict[str, str]) -> pd.DataFrame:
    """One row per measured replicate value of an N-drug screen (see the module docstring)."""
    response = screen["response"].transpose("block", "well", "replicate").values
    conc = screen["conc"].transpose("block", "well", "drug").values
    names = screen["drug_name"].transpose("block", "drug").values
    b, w, k = np.nonzero(np.isfinite(response))
    if "input_order" in screen:  # wells in the order the input listed them
        rows = np.lexsort((k, screen["input_order"].transpose("block", "well").values[b, w]))
        b, w, k = b[rows], w[rows], k[rows]
    n_drug = conc.shape[2]
    unit = str(screen.attrs.get("conc_unit", "unspecified"))
    columns: dict[str, object] = {"block_id": _text(screen["block"].values, b)}
    for i in range(n_drug):
        columns[f"drug{i + 1}"] = _text(names[:, i], b)
    for i in range(n_drug):
        columns[f"conc{i + 1}"] = conc[b, w, i]
    columns["response"] = response[b, w, k]
    for i in range(n_drug):
        columns[f"conc_unit{i + 1}"] = _text(np.array([unit]), np.zeros(len(b), dtype=np.int64))
    columns["sample"] = _text(screen["sample"].values, b)
    columns["replicate"] = k + 1
    columns["response_kind"] = _text(np.array(["inhibition"]), np.zeros(len(b), dtype=np.int64))
    if "source_file" in screen.coords:
        columns["source_file"] = _text(screen["source_file"].values, b)
    for name, var in screen.data_vars.items():
        if var.dims == ("block", "well") and np.issubdtype(var.dtype, np.floating):
            columns[surface_names.get(str(name), str(name))] = var.values[b, w]
    return pd.DataFrame(columns)


def multi_block_table(screen: xr.Dataset, score_names: dict[str, str]) -> pd.DataFrame:
    """One row per block of an N-drug screen: drugs, sample, grid sizes, every block variable."""
    conc = screen["conc"].transpose("block", "well", "drug").values
    names = screen["drug_name"].transpose("block", "drug").values
    response = screen["response"].values
    columns: dict[str, object] = {"block_id": screen["block"].values.astype(str)}
    for i in range(conc.shape[2]):
        columns[f"drug{i + 1}"] = names[:, i].astype(str)
    columns["sample"] = screen["sample"].values.astype(str)
    columns["conc_unit"] = np.full(screen.sizes["block"], screen.attrs.get("conc_unit", ""))
    for i in range(conc.shape[2]):
        doses = np.where(np.isfinite(conc[:, :, i]), conc[:, :, i], np.nan)
        columns[f"n_conc{i + 1}"] = np.array([np.unique(d[np.isfinite(d)]).size for d in doses])
    columns["n_wells"] = np.isfinite(conc).all(axis=2).sum(axis=1)
    columns["n_values"] = np.isfinite(response).sum(axis=(1, 2))
    for name, coord in screen.coords.items():
        if coord.dims == ("block",) and name not in ("block", "sample"):
            columns[str(name)] = coord.values
    for name, var in screen.data_vars.items():
        if var.dims == ("block",):
            columns[score_names.get(str(name), str(name))] = var.values
        elif len(var.dims) == 2 and var.dims[0] == "block" and var.dims[1] != "well":
            labels = screen[var.dims[1]].values.astype(str)
            for j, label in enumerate(labels):
                columns[f"{name}_{label}"] = var.values[:, j]
        elif var.dims == ("block", "drug", "param"):
            for i, drug in enumerate(screen["drug"].values):
                for j, param in enumerate(screen["param"].values):
                    columns[f"{name}_{param}_{drug}"] = var.values[:, i, j]
    return pd.DataFrame(columns)
