"""Screens of N ≥ 3 drugs: the flat-well layout (docs/design.md §1).

::

    dims    block, well, drug, replicate
    coords  block (str), drug (1 … N), drug_name (block, drug, str), sample (block, str),
            conc (block, well, drug)          doses, wells sorted by (conc_1, …, conc_N);
                                              well 0 is the all-zero control; NaN padded
    data    response (block, well, replicate) % inhibition, NaN = no well
            n_control (block)                 control wells averaged into well 0
    attrs   conc_unit, response_kind="inhibition", provenance (JSON), n_drugs

:func:`multi_screen_from_long` builds it from SynergyFinder's multi-drug long table
(``drug1 … drugN``, ``conc1 … concN``, ``conc_unit1 … N``) with the same checks, unit
conversion, response-kind rule and replicate rule as the pair reader
(:mod:`synergy.io.reader`).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from synergy.errors import ScreenError
from synergy.io.checks import (
    check_consistent_per_block,
    check_doses,
    check_responses,
    check_text,
)
from synergy.io.long_table import (
    INPUT_ORDER_ATTRS,
    average_controls,
    input_order,
    replicate_index,
    resolve_units,
)
from synergy.io.response_kind import control_mask, to_inhibition

__all__ = [
    "MULTI_DIMS",
    "build_multi_screen",
    "is_multi",
    "multi_problems",
    "multi_screen_from_long",
]

MULTI_DIMS = ("block", "well", "replicate")
_PAIR_TO_K = {
    "drug_row": "drug_1",
    "drug_col": "drug_2",
    "conc_row": "conc_1",
    "conc_col": "conc_2",
    "conc_unit_row": "conc_unit_1",
    "conc_unit_col": "conc_unit_2",
}


def is_multi(screen: xr.Dataset) -> bool:
    """True for the N-drug layout (a ``drug`` dimension), False for the pair layout."""
    return "drug" in screen.dims


def build_multi_screen(
    block: np.ndarray,
    drug_name: np.ndarray,
    sample: np.ndarray,
    conc: np.ndarray,
    response: np.ndarray,
    *,
    conc_unit: str,
    n_control: np.ndarray | None = None,
    provenance: dict[str, Any] | None = None,
    extra_coords: dict[str, tuple[str, np.ndarray]] | None = None,
) -> xr.Dataset:
    """Assemble an N-drug screen from dense arrays and check its invariants.

    Parameters
    ----------
    block : (B,) block ids (stored as str)
    drug_name : (B, N) drug of each block's drug axis
    sample : (B,) sample of each block
    conc : (B, W, N) doses in ``conc_unit`` (NaN for padding wells)
    response : (B, W, K) % inhibition, NaN = not measured
    conc_unit : str
    n_control : (B,) int, optional
        Control wells averaged into well 0 (default: its measured replicates).
    provenance : dict, optional
    extra_coords : dict, optional
        Further per-block coordinates ``{name: ("block", values)}``.

    Returns
    -------
    xarray.Dataset
    """
    response = np.ascontiguousarray(response, dtype=np.float64)
    conc = np.ascontiguousarray(conc, dtype=np.float64)
    if response.ndim != 3 or conc.ndim != 3 or conc.shape[:2] != response.shape[:2]:
        raise ScreenError(
            f"need conc (block, well, drug) and response (block, well, replicate) with the "
            f"same blocks and wells; got {conc.shape} and {response.shape}"
        )
    n_block, _, n_drug = conc.shape
    if n_control is None:
        n_control = np.sum(np.isfinite(response[:, 0, :]), axis=-1)
    coords: dict[str, Any] = {
        "block": ("block", np.asarray(block, dtype=str)),
        "drug": ("drug", np.arange(1, n_drug + 1)),
        "drug_name": (("block", "drug"), np.asarray(drug_name, dtype=str).reshape(n_block, n_drug)),
        "sample": ("block", np.asarray(sample, dtype=str).reshape(n_block)),
        "conc": (("block", "well", "drug"), conc, {"units": conc_unit}),
    }
    for name, (dim, values) in (extra_coords or {}).items():
        coords[name] = (dim, np.asarray(values, dtype=str))
    screen = xr.Dataset(
        {
            "response": (
                MULTI_DIMS,
                response,
                {"units": "%", "long_name": "inhibition (0 = untreated, 100 = no viable cells)"},
            ),
            "n_control": ("block", np.asarray(n_control, dtype=np.int64)),
        },
        coords=coords,
        attrs={
            "conc_unit": conc_unit,
            "response_kind": "inhibition",
            "n_drugs": n_drug,
            "provenance": json.dumps(provenance or {}, sort_keys=True, default=str),
        },
    )
    problems = multi_problems(screen, strict=True)
    if problems:
        raise ScreenError("invalid N-drug screen: " + "; ".join(problems))
    return screen


def multi_problems(screen: xr.Dataset, *, strict: bool = False) -> list[str]:
    """Problems of an N-drug screen, one line each (empty when it is usable).

    ``strict`` lists only violations of the layout's invariants; otherwise also data
    problems a user should know (blocks without single-drug wells, without wells where every
    drug is present).
    """
    problems = []
    conc = np.asarray(screen["conc"].values)
    blocks = np.array([str(b) for b in screen["block"].values], dtype=object)  # messages: '1'
    finite = np.isfinite(conc)
    partial = finite.any(axis=2) & ~finite.all(axis=2)
    if partial.any():
        problems.append(
            f"blocks {sorted(set(blocks[np.nonzero(partial)[0]]))[:5]}: a well "
            "with doses for some drugs only"
        )
    if (conc[finite] < 0).any():
        problems.append("negative doses")
    if np.isinf(np.asarray(screen["response"].values)).any():
        problems.append("infinite responses")
    if strict:
        return problems
    measured = np.isfinite(np.asarray(screen["response"].values)).any(axis=2)
    present = np.where(finite, conc > 0, False)
    n_present = present.sum(axis=2)
    for b, block in enumerate(blocks):
        if not (measured[b] & (n_present[b] == conc.shape[2])).any():
            problems.append(f"block {block!r}: no measured well with every drug present")
        for k in range(conc.shape[2]):
            single = measured[b] & present[b, :, k] & (n_present[b] == 1)
            if not single.any():
                name = screen["drug_name"].values[b, k]
                problems.append(f"block {block!r}: no single-drug well of drug {k + 1} ({name})")
    return problems


def multi_screen_from_long(
    table: pd.DataFrame,
    n_drugs: int,
    *,
    response_kind: str = "auto",
    conc_unit: str | None = None,
    provenance: dict | None = None,
    extra_coords: dict[str, str] | None = None,
) -> xr.Dataset:
    """Assemble an N-drug screen from a canonical long table (roles as column names).

    ``table`` has the pair roles for drugs 1 and 2 (``drug_row``, ``conc_row`` …) and
    ``drug_k``, ``conc_k``, ``conc_unit_k`` for k ≥ 3, plus ``block``, ``response`` and
    optionally ``sample``, ``replicate``, ``conc_unit``, ``response_kind``, ``_file``,
    ``_line``.  Used by :func:`synergy.io.reader.read_screen`.
    """
    table = table.rename(columns=_PAIR_TO_K).copy()
    table.attrs["columns"] = {
        _PAIR_TO_K.get(role, role): col for role, col in table.attrs.get("columns", {}).items()
    }
    provenance = dict(provenance or {})
    drugs = [f"drug_{k}" for k in range(1, n_drugs + 1)]
    concs = [f"conc_{k}" for k in range(1, n_drugs + 1)]
    for role in ("block", *drugs):
        table[role] = check_text(table, role, what=role.replace("_", " "))
    table["sample"] = (
        check_text(table, "sample", what="sample", allow_empty=True) if "sample" in table else ""
    )
    for role in concs:
        table[role] = check_doses(table, role)
    table["response"] = check_responses(table)
    for role in (*drugs, "sample"):
        check_consistent_per_block(table, role, what=role.replace("_", " "))
    units = {c: f"conc_unit_{k}" for k, c in enumerate(concs, start=1)}
    unit, unit_record = resolve_units(table, conc_unit, units)
    table["response"], kind_record = to_inhibition(table, response_kind)
    provenance.update(conc_unit=unit, units=unit_record, response=kind_record, n_drugs=n_drugs)

    # wells: distinct dose combinations per block, sorted by (conc_1, …, conc_N)
    block_code, block_ids = pd.factorize(table["block"], sort=False)
    keys = pd.DataFrame({"b": block_code, **{c: table[c].to_numpy(np.float64) for c in concs}})
    wells = keys.drop_duplicates().sort_values(["b", *concs], kind="stable")
    has_zero = np.zeros(len(block_ids), dtype=bool)
    is_zero = (wells[concs].to_numpy() == 0).all(axis=1)
    has_zero[wells["b"].to_numpy()[is_zero]] = True
    rank = wells.groupby("b").cumcount().to_numpy() + (~has_zero)[wells["b"].to_numpy()]
    n_wells = np.bincount(wells["b"].to_numpy(), minlength=len(block_ids)) + (~has_zero)
    conc = np.full((len(block_ids), int(n_wells.max()), n_drugs), np.nan)
    conc[wells["b"].to_numpy(), rank] = wells[concs].to_numpy()
    conc[~has_zero, 0] = 0.0  # every block gets its all-zero control well (NaN if not measured)
    lookup = pd.Series(rank, index=pd.MultiIndex.from_frame(wells))
    well_idx = lookup.reindex(pd.MultiIndex.from_frame(keys)).to_numpy(np.int64)

    well_code = block_code.astype(np.int64) * conc.shape[1] + well_idx
    rep_idx, n_rep, rep_record = replicate_index(table, well_code)
    control = control_mask(table[concs]).to_numpy()
    values = table["response"].to_numpy(np.float64)
    average, n_control, blocks_avg, means = average_controls(
        block_code, control, rep_idx, n_rep, values, len(block_ids)
    )
    response = np.full((len(block_ids), conc.shape[1], n_rep), np.nan)
    keep = ~average
    response[block_code[keep], well_idx[keep], rep_idx[keep]] = values[keep]
    if blocks_avg.size:
        response[blocks_avg, 0, :] = np.nan
        response[blocks_avg, 0, 0] = means
        provenance["controls_averaged_blocks"] = len(blocks_avg)
    provenance.update(replicates=rep_record, n_missing_response=int(table["response"].isna().sum()))

    first = np.unique(block_code, return_index=True)[1]
    per_block = table.iloc[first]
    coords = {
        name: ("block", per_block[col].to_numpy()) for name, col in (extra_coords or {}).items()
    }
    screen = build_multi_screen(
        np.asarray(block_ids, dtype=str),
        np.stack([per_block[d].astype(str).to_numpy() for d in drugs], axis=1),
        per_block["sample"].astype(str).to_numpy(),
        conc,
        response,
        conc_unit=unit,
        n_control=n_control,
        provenance=provenance,
        extra_coords=coords,
    )
    order = input_order(well_code[np.isfinite(values)], (len(block_ids), conc.shape[1]))
    screen["input_order"] = (("block", "well"), order, INPUT_ORDER_ATTRS)
    return screen
