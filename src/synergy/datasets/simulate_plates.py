"""A combination screen on 384-well plates, with reader artefacts and a known truth.

Layout (one layout per four drug pairs): columns 1 and 23 hold negative controls
(DMSO), columns 2 and 24 positive (kill) controls, 16 wells each; columns 3-22 hold four
8 x 10 dose matrices (row drug: 0 + 7 doses down the plate rows, column drug: 0 + 9
doses across the columns), two above two.  Every plate carries one sample (cell line)
and one replicate of one layout.

Signal model (reader counts): ``s_p · (B + W · (cells + noise))``, with
``B`` = 1024 the background (kill controls), ``W`` = 65536 the untreated window, ``s_p`` a per-plate
scale (reader drift across the run: ``1 − run_drift · read_order / n_plates``) times a
within-plate luminescence decay along the read order (row by row), and the cell
signal ``v = 1 − I / 100`` (``I`` the true % inhibition, ``v`` rounded to a multiple of
2^-20 so that noise-free plates normalise bit for bit) scaled by the artefacts: edge
evaporation ``(1 − e r_i)(1 − e c_j)`` (``r, c`` 1 on the outer rows/columns, 1/3 on the
next, ``e = edge / 100``) on every well with cells, stronger (``strong_edge``) on one
plate; a dispenser fault on one plate that loses ``fault`` of the cells of one row.  The truth is a
Bliss surface with a synergy term (``true_inhibition``) on Hill single drugs.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from synergy.io.plate_map import well_names

__all__ = ["SimulatedPlates", "grid_export", "grid_map_export", "simulate_plates"]

N_ROWS, N_COLS = 16, 24
NEG_COLS, POS_COLS = (0, 22), (1, 23)  # 0-based: columns 1, 23 and 2, 24
BLOCK_ROWS, BLOCK_COLS = 8, 10
_ORIGINS = ((0, 2), (0, 12), (8, 2), (8, 12))  # top-left well of the four blocks


class SimulatedPlates(NamedTuple):
    """Inputs of :func:`synergy.read_plates` and the truth behind them.

    ``reads``: long table ``plate, well, signal``; ``layout``: the plate map keyed by
    ``layout``; ``plates``: ``plate, layout, sample, replicate, reader, read_time``;
    ``truth``: one row per sample well: ``block, drug1, conc1, drug2, conc2, conc_unit,
    sample, replicate, response`` (true % inhibition), ``plate``, ``well``;
    ``artefacts``: which plate has what.
    """

    reads: pd.DataFrame
    layout: pd.DataFrame
    plates: pd.DataFrame
    truth: pd.DataFrame
    artefacts: dict


def _layouts(n_layouts: int, rng: np.random.Generator) -> tuple[pd.DataFrame, dict]:
    names = well_names(N_ROWS, N_COLS)
    rows = []
    potency = {}
    for lay in range(n_layouts):
        layout = f"L{lay + 1}"
        for r in range(N_ROWS):
            for c in NEG_COLS:
                rows.append((layout, names[r, c], "negative", "", np.nan, "", np.nan))
            for c in POS_COLS:
                rows.append((layout, names[r, c], "positive", "", np.nan, "", np.nan))
        for b, (r0, c0) in enumerate(_ORIGINS):
            d1, d2 = f"drugA{lay * 4 + b + 1}", f"drugB{lay * 4 + b + 1}"
            ic1, ic2 = 10 ** rng.uniform(0.5, 2.0, 2)
            potency[d1], potency[d2] = ic1, ic2
            doses1 = np.r_[0.0, ic1 * 4.0 ** np.arange(-3, 4)]
            doses2 = np.r_[0.0, ic2 * 3.0 ** np.arange(-4, 5)]
            for i in range(BLOCK_ROWS):
                for j in range(BLOCK_COLS):
                    well = names[r0 + i, c0 + j]
                    rows.append((layout, well, "sample", d1, doses1[i], d2, doses2[j]))
    columns = ["layout", "well", "role", "drug1", "conc1", "drug2", "conc2"]
    table = pd.DataFrame(rows, columns=columns)
    table["conc_unit"] = "nM"
    return table, potency


def true_inhibition(
    conc1: np.ndarray, conc2: np.ndarray, ic1: np.ndarray, ic2: np.ndarray, synergy: np.ndarray
) -> np.ndarray:
    """% inhibition: Bliss on Hill single drugs (slope 1.2, max 95 %) with a synergy term."""
    f1 = 0.95 * conc1**1.2 / (conc1**1.2 + ic1**1.2)
    f2 = 0.95 * conc2**1.2 / (conc2**1.2 + ic2**1.2)
    bliss = 1.0 - (1.0 - f1) * (1.0 - f2)
    return 100.0 * np.clip(bliss + synergy * f1 * f2 * (1.0 - bliss), 0.0, 1.0)


def simulate_plates(
    n_layouts: int = 1,
    n_samples: int = 2,
    n_replicates: int = 3,
    *,
    noise: float = 2.0,
    edge: float = 1.0,
    strong_edge: float = 25.0,
    strong_edge_plate: int | None = 1,
    fault: float = 0.5,
    fault_plate: int | None = 2,
    fault_row: int = 5,
    fault_col: int | None = None,
    run_drift: float = 0.1,
    read_decay: float = 0.02,
    seed: int = 0,
) -> SimulatedPlates:
    """Simulate a combination screen read from 384-well plates.

    Parameters
    ----------
    n_layouts, n_samples, n_replicates : int
        Plates = layouts x samples x replicates (four drug pairs per layout).
    noise : float
        SD of the well noise, in % of the untreated-minus-background window (% points).
    edge : float
        Edge evaporation on every plate: % of the cell signal lost on the outer ring
        (a third of it on the next ring; corners hit by row and column).
    strong_edge, strong_edge_plate : float, int or None
        A plate (read order index) with strong edge evaporation (% of signal lost).
    fault, fault_plate, fault_row : float, int or None, int
        Dispenser fault: fraction of cells lost in one row (0-based) of one plate.
    fault_col : int, optional
        A column dispenser fault instead: the cells of this column (0-based) are lost.
    run_drift : float
        Relative loss of reader signal from the first to the last plate.
    read_decay : float
        Relative loss of signal from the first to the last well read on a plate.
    seed : int
        Random seed.

    Returns
    -------
    SimulatedPlates
        With ``noise=edge=strong_edge=fault=0`` the normalised responses equal ``truth``.
    """
    rng = np.random.default_rng(seed)
    layout, potency = _layouts(n_layouts, rng)
    pairs = layout.loc[layout["role"] == "sample", ["drug1", "drug2"]].drop_duplicates()
    synergy = dict(zip(pairs["drug1"], rng.uniform(-0.3, 0.6, len(pairs)), strict=True))
    plates = pd.DataFrame(
        [
            (f"L{lay + 1}", f"cell{s + 1}", str(k + 1))
            for lay in range(n_layouts)
            for s in range(n_samples)
            for k in range(n_replicates)
        ],
        columns=["layout", "sample", "replicate"],
    )
    n_plate = len(plates)
    plates.insert(0, "plate", [f"P{i + 1:04d}" for i in range(n_plate)])
    plates["reader"] = "EnVision-sim"
    start = pd.Timestamp("2026-01-05 09:00")
    plates["read_time"] = [str(start + pd.Timedelta(minutes=3 * i)) for i in range(n_plate)]
    wells = plates.merge(layout, on="layout")
    row, col = _parse(wells["well"])
    p = wells["plate"].str[1:].astype(int).to_numpy() - 1
    # sample-specific potency: each cell line shifts every IC50 by its own factor
    shift = 2.0 ** (wells["sample"].str[4:].astype(int).to_numpy() - 1)
    role = wells["role"].to_numpy()
    sample = role == "sample"
    c1 = wells["conc1"].fillna(0).to_numpy(np.float64)
    c2 = wells["conc2"].fillna(0).to_numpy(np.float64)
    ic1 = wells["drug1"].map(potency).fillna(1.0).to_numpy() * shift
    ic2 = wells["drug2"].map(potency).fillna(1.0).to_numpy() * shift
    syn = wells["drug1"].map(synergy).fillna(0.0).to_numpy()
    # viability on a 2^-20 grid: noise-free plates then normalise bit for bit
    viability = np.round((1.0 - true_inhibition(c1, c2, ic1, ic2, syn) / 100.0) * 2**20) / 2**20
    viability = np.where(sample, viability, np.where(role == "positive", 0.0, 1.0))
    truth = 100.0 * (1.0 - viability)
    ring = np.r_[1.0, 1.0 / 3.0, np.zeros(N_ROWS - 4), 1.0 / 3.0, 1.0]
    ring_c = np.r_[1.0, 1.0 / 3.0, np.zeros(N_COLS - 4), 1.0 / 3.0, 1.0]
    edge_p = np.full(n_plate, edge)
    if strong_edge_plate is not None:
        edge_p[strong_edge_plate] = strong_edge
    # evaporation scales the cell signal: (1 - e r_i)(1 - e c_j), corners hit twice
    factor = (1.0 - edge_p[p] / 100.0 * ring[row]) * (1.0 - edge_p[p] / 100.0 * ring_c[col])
    cells = viability * np.where(role == "positive", 1.0, factor)
    if fault_plate is not None:
        line = row == fault_row if fault_col is None else col == fault_col
        cells = np.where((p == fault_plate) & line, cells * (1 - fault), cells)
    window, background = 2.0**16, 1024.0  # powers of 2: exact arithmetic without noise
    signal = background + window * (cells + rng.normal(0.0, noise / 100.0, cells.size))
    read_index = (row * N_COLS + col) / (N_ROWS * N_COLS - 1)
    scale = (1.0 - run_drift * p / max(n_plate - 1, 1)) * (1.0 - read_decay * read_index)
    reads = pd.DataFrame({"plate": wells["plate"], "well": wells["well"], "signal": signal * scale})
    keep = sample
    truth_table = pd.DataFrame(
        {
            "block": wells["sample"] + ":" + wells["drug1"] + "+" + wells["drug2"],
            "drug1": wells["drug1"],
            "conc1": c1,
            "drug2": wells["drug2"],
            "conc2": c2,
            "conc_unit": "nM",
            "sample": wells["sample"],
            "replicate": wells["replicate"],
            "response": truth,
            "plate": wells["plate"],
            "well": wells["well"],
        }
    )[keep].reset_index(drop=True)
    barcode = plates["plate"].to_numpy()
    artefacts = {
        "strong_edge_plate": None if strong_edge_plate is None else barcode[strong_edge_plate],
        "fault_plate": None if fault_plate is None else barcode[fault_plate],
        "fault_row": "ABCDEFGHIJKLMNOP"[fault_row] if fault_col is None else None,
        "fault_col": None if fault_col is None else fault_col + 1,
        "edge": edge,
        "strong_edge": strong_edge,
        "noise": noise,
    }
    return SimulatedPlates(reads, layout, plates, truth_table, artefacts)


def _parse(wells: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    row = wells.str[0].map(ord).to_numpy() - ord("A")
    col = wells.str[1:].astype(int).to_numpy() - 1
    return row, col


def grid_export(reads: pd.DataFrame, sep: str = "\t") -> str:
    """Write long reads (``plate, well, signal``) as a reader's grid export text.

    One section per plate: ``Plate: BARCODE``, a header row ``1 … 24``, rows ``A … P``
    (the layout most plate readers write).
    """
    row, col = _parse(reads["well"])
    lines = []
    for barcode, idx in reads.groupby("plate", sort=False).indices.items():
        grid = np.full((N_ROWS, N_COLS), np.nan)
        grid[row[idx], col[idx]] = reads["signal"].to_numpy()[idx]
        lines.append(f"Plate: {barcode}")
        lines.append(sep + sep.join(str(c) for c in range(1, N_COLS + 1)))
        for r in range(N_ROWS):
            cells = ["" if np.isnan(v) else repr(float(v)) for v in grid[r]]
            lines.append("ABCDEFGHIJKLMNOP"[r] + sep + sep.join(cells))
        lines.append("")
    return "\n".join(lines) + "\n"


def grid_map_export(layout: pd.DataFrame, sep: str = "\t") -> str:
    """Write a long plate map (``layout`` or ``plate``, ``well``, ``role``, ``drug1``,
    ``conc1`` …) as grid sections: ``Layout: NAME``, then per variable ``Variable: role``
    (``drug1``, ``conc1 (UNIT)``, …, ``sample``, ``replicate`` when present), a header row
    ``1 … 24`` and rows ``A … P`` (blank cells where the map has no value).
    """
    key = "layout" if "layout" in layout else "plate"
    row, col = _parse(layout["well"])
    numbers = sorted(int(c[4:]) for c in layout if c.startswith("drug") and c[4:].isdigit())
    lines = []
    for name, idx in layout.groupby(key, sort=False).indices.items():
        lines.append(f"{key.title()}: {name}")
        unit = ""
        if "conc_unit" in layout:
            units = layout["conc_unit"].iloc[idx].dropna().unique()
            unit = f" ({units[0]})" if len(units) else ""
        variables = [("role", "role")]
        for k in numbers:
            variables += [(f"drug{k}", f"drug{k}"), (f"conc{k}", f"conc{k}{unit}")]
        variables += [(v, v) for v in ("sample", "replicate") if v in layout]
        for column, title in variables:
            grid = np.full((N_ROWS, N_COLS), "", dtype=object)
            values = layout[column].iloc[idx]
            text = [
                "" if pd.isna(v) else (repr(float(v)) if column.startswith("conc") else str(v))
                for v in values
            ]
            grid[row[idx], col[idx]] = text
            lines.append(f"Variable: {title}")
            lines.append(sep + sep.join(str(c) for c in range(1, N_COLS + 1)))
            for r in range(N_ROWS):
                lines.append("ABCDEFGHIJKLMNOP"[r] + sep + sep.join(grid[r]))
            lines.append("")
    return "\n".join(lines) + "\n"
