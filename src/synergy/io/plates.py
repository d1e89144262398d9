"""Plate reads and the plate model (data layer; docs/design.md §15).

The plate model is one :class:`xarray.Dataset`::

    dims    plate, well_row, well_col, drug
    coords  plate (barcode), well_row ("A" …), well_col (1 …), drug (1 … N),
            layout, sample_plate, reader, read_time, read_order (plate)
    data    signal (plate, well_row, well_col)        raw reader counts, float64
            role (plate, well_row, well_col)          sample / negative / positive / blank / empty
            drug_name (plate, well_row, well_col, drug), conc (…, drug)   in attrs conc_unit
            sample, replicate (plate, well_row, well_col)   replicate: the plates table's
                                                      label, the map's, or both as "plate/well"
    attrs   plate_format (96, 384, 1536 …), conc_unit, n_drugs, provenance (JSON)

Reads come as grid exports (a line ``Plate: BARCODE``, a header row ``1 … 24``, rows
``A … P``; one section per plate) or as a long table ``plate, well, signal``
(:mod:`synergy.io.plate_reads`); the plate map from :mod:`synergy.io.plate_map`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import xarray as xr

from synergy.errors import SynergyError
from synergy.io.plate_map import (
    PLATE_FORMATS,
    ROLES,
    read_plate_map,
    row_labels,
    well_name,
    well_names,
)
from synergy.io.plate_reads import read_plate_reads

__all__ = ["read_plates"]

Source = str | os.PathLike | pd.DataFrame
_PLATE_META = ("layout", "sample", "reader", "read_time", "replicate")


def _plate_table(
    barcodes: list[str], plates: Source | Mapping | None, layouts: list[str], keyed_by: str
) -> pd.DataFrame:
    """Per-plate metadata: layout, sample, reader, read_time, replicate."""
    meta = pd.DataFrame({"plate": barcodes})
    if plates is not None:
        if isinstance(plates, Mapping):
            given = pd.DataFrame({"plate": list(plates), "layout": list(plates.values())})
        elif isinstance(plates, pd.DataFrame):
            given = plates.rename(columns=lambda c: str(c).strip().lower())
        else:
            given = pd.read_csv(plates, sep=None, engine="python", dtype=object)
            given.columns = [str(c).strip().lower() for c in given.columns]
        given = given.astype({"plate": str})
        unknown = sorted(set(given["plate"]) - set(barcodes))
        if unknown:
            raise SynergyError(
                f"plates table: plate {unknown[0]} has no reads ({len(unknown)} such)"
            )
        meta = meta.merge(given, on="plate", how="left")
    if "layout" not in meta or meta["layout"].isna().all():
        if keyed_by == "plate":
            meta["layout"] = meta["plate"]
        elif len(layouts) == 1:
            meta["layout"] = layouts[0]
        else:
            raise SynergyError(
                f"the plate map holds {len(layouts)} layouts ({layouts[:5]}); say which plate "
                "uses which: plates={barcode: layout} or a plates table with plate, layout"
            )
    missing = meta["layout"].isna() | ~meta["layout"].astype(str).isin(layouts)
    if missing.any():
        i = np.flatnonzero(missing.to_numpy())[0]
        raise SynergyError(
            f"plate {meta['plate'].iloc[i]}: no plate map (layout "
            f"{meta['layout'].iloc[i]!r} is not in the map; the map has {layouts[:5]})"
        )
    for col in _PLATE_META:
        meta[col] = meta[col].fillna("").astype(str) if col in meta else ""
    return meta


def read_plates(
    reads: Source | Sequence[Source],
    layout: Source,
    *,
    plates: Source | Mapping[str, str] | None = None,
    plate_format: int | None = None,
    conc_unit: str | None = None,
    sheet: str | int | None = None,
) -> xr.Dataset:
    """Read plate reads and their plate map into the plate Dataset.

    Parameters
    ----------
    reads : path, DataFrame, or a list of them
        Grid exports (``Plate: BARCODE`` sections: header ``1 … 24``, rows ``A … P``) or
        long tables ``plate, well, signal``; CSV/TSV/Excel.  Raw reader counts (any unit).
    layout : path or DataFrame
        The plate map (:func:`synergy.io.plate_map.read_plate_map`): rows keyed by
        ``plate`` (barcodes) or by ``layout`` (a layout shared by several plates).
    plates : mapping or table, optional
        Per-plate metadata: ``{barcode: layout}`` or a table with columns ``plate`` and any
        of ``layout, sample, reader, read_time, replicate``.  Needed when the map holds
        several layouts; a map with one layout applies to every plate read.
    plate_format : int, optional
        96, 384, 1536 … (default: from the grids; for long reads the smallest of 96, 384
        and 1536 holding every well).
    conc_unit : str, optional
        Unit of the doses (default: the map's most common unit).
    sheet : str or int, optional
        Excel sheet of the reads.

    Returns
    -------
    xarray.Dataset
        The plate model (module docstring); ``read_order`` numbers the plates in the order
        they were read (file order).

    Raises
    ------
    SynergyError
        A mapped well missing from the reads, a plate without negative controls, a
        duplicated barcode, a grid of the wrong shape, a plate without a map, a map plate
        without reads — each naming the plate and well.
    """
    table = read_plate_reads(reads, sheet=sheet)
    plate_map = read_plate_map(layout, conc_unit=conc_unit)
    barcodes = list(pd.unique(table["plate"]))
    layouts = list(pd.unique(plate_map["layout"]))
    if plate_map.attrs["keyed_by"] == "plate" and plates is None:
        orphan = [name for name in layouts if name not in set(barcodes)]
        if orphan:
            raise SynergyError(
                f"plate map: plate {orphan[0]} has no reads ({len(orphan)} such plates); "
                "check the barcodes or pass plates={barcode: layout}"
            )
    meta = _plate_table(barcodes, plates, layouts, plate_map.attrs["keyed_by"])
    drawn = plate_map.attrs.get("grid_shape")
    if drawn and plate_format is None and not table.attrs.get("shapes"):
        plate_format = drawn[0] * drawn[1]  # long reads: the map's grids tell the format
    n_rows, n_cols = _shape(table, plate_map, plate_format)
    if drawn and tuple(drawn) != (n_rows, n_cols):
        raise SynergyError(
            f"plate map {layout}: its grids are {drawn[0]} rows x {drawn[1]} columns "
            f"({drawn[0] * drawn[1]} wells) but the plates read are {n_rows} x {n_cols} "
            f"({n_rows * n_cols} wells); draw the map in the plates' format"
        )
    n_plate = len(barcodes)
    code = pd.Index(barcodes).get_indexer(table["plate"])
    signal = np.full((n_plate, n_rows, n_cols), np.nan)
    signal[code, table["well_row"].to_numpy(), table["well_col"].to_numpy()] = table["signal"]
    wells = meta[["plate", "layout"]].reset_index().merge(plate_map, on="layout", how="inner")
    p = wells["index"].to_numpy()
    r, c = wells["well_row"].to_numpy(), wells["well_col"].to_numpy()
    names = well_names(n_rows, n_cols)
    outside = (r >= n_rows) | (c >= n_cols)
    if outside.any():
        i = np.flatnonzero(outside)[0]
        raise SynergyError(
            f"plate {wells['plate'].iloc[i]} well {wells['well'].iloc[i]}: outside a "
            f"{n_rows * n_cols}-well plate ({n_rows} rows x {n_cols} columns)"
        )
    used = wells["role"].to_numpy() != "empty"
    missing = used & np.isnan(signal[p, r, c])
    if missing.any():
        i = np.flatnonzero(missing)
        raise SynergyError(
            f"plate {wells['plate'].iloc[i[0]]} well {names[r[i[0]], c[i[0]]]}: in the plate "
            f"map as {wells['role'].iloc[i[0]]!r} but missing from the reads ({i.size} such "
            "wells); re-export the plate or mark the well 'empty'"
        )
    role = np.full((n_plate, n_rows, n_cols), "empty", dtype="<U8")
    role[p, r, c] = wells["role"].to_numpy(dtype=str)
    n_neg = (role == "negative").sum(axis=(1, 2))
    if (n_neg == 0).any():
        i = int(np.flatnonzero(n_neg == 0)[0])
        raise SynergyError(
            f"plate {barcodes[i]}: no negative-control well (role 'negative': DMSO/vehicle) "
            f"in its plate map layout {meta['layout'].iloc[i]!r}; normalisation needs them"
        )
    n_drug = int(plate_map.attrs["n_drugs"])
    drug_name = np.full((n_plate, n_rows, n_cols, n_drug), "", dtype=object)
    conc = np.full((n_plate, n_rows, n_cols, n_drug), np.nan)
    for k in range(n_drug):  # N drugs: a few vectorised assignments
        drug_name[p, r, c, k] = wells[f"drug_{k + 1}"].to_numpy()
        conc[p, r, c, k] = wells[f"conc_{k + 1}"].to_numpy()
    sample = np.full((n_plate, n_rows, n_cols), "", dtype=object)
    plate_sample = meta["sample"].to_numpy(dtype=object)
    sample[p, r, c] = np.where(wells["sample"] != "", wells["sample"], plate_sample[p])
    replicate = np.full((n_plate, n_rows, n_cols), "", dtype=object)
    on_plate, in_map = meta["replicate"].to_numpy(dtype=object)[p], wells["replicate"].to_numpy()
    both = (on_plate != "") & (in_map != "")  # replicate plates holding replicate wells
    replicate[p, r, c] = np.where(both, on_plate + "/" + in_map.astype(object), on_plate + in_map)
    dims = ("plate", "well_row", "well_col")
    unit = plate_map.attrs["conc_unit"]
    provenance = {
        "reader": "synergy.read_plates",
        "reads": sorted(set(table["_source"])),
        "layout": layout if not isinstance(layout, pd.DataFrame) else "DataFrame",
        "n_plates": n_plate,
    }
    return xr.Dataset(
        {
            "signal": (dims, signal, {"long_name": "raw reader signal"}),
            "role": (dims, role, {"long_name": "well role", "values": " ".join(ROLES)}),
            "drug_name": ((*dims, "drug"), drug_name.astype(str)),
            "conc": ((*dims, "drug"), conc, {"units": unit}),
            "sample": (dims, sample.astype(str)),
            "replicate": (dims, replicate.astype(str)),
        },
        coords={
            "plate": ("plate", np.asarray(barcodes, dtype=str)),
            "well_row": ("well_row", np.asarray(row_labels(n_rows))),
            "well_col": ("well_col", np.arange(1, n_cols + 1)),
            "drug": ("drug", np.arange(1, n_drug + 1)),
            "layout": ("plate", meta["layout"].to_numpy(dtype=str)),
            "sample_plate": ("plate", meta["sample"].to_numpy(dtype=str)),
            "reader": ("plate", meta["reader"].to_numpy(dtype=str)),
            "read_time": ("plate", meta["read_time"].to_numpy(dtype=str)),
            "read_order": ("plate", np.arange(n_plate)),
        },
        attrs={
            "plate_format": n_rows * n_cols,
            "conc_unit": unit,
            "n_drugs": n_drug,
            "provenance": json.dumps(provenance, default=str),
        },
    )


def _shape(
    table: pd.DataFrame, plate_map: pd.DataFrame, plate_format: int | None
) -> tuple[int, int]:
    shapes = table.attrs.get("shapes")
    if plate_format is not None:
        if plate_format not in PLATE_FORMATS:
            raise SynergyError(
                f"plate_format {plate_format} is no SBS format {list(PLATE_FORMATS)}"
            )
        n_rows, n_cols = PLATE_FORMATS[plate_format]
        too_big = (table["well_row"] >= n_rows) | (table["well_col"] >= n_cols)
        if too_big.any():
            i = np.flatnonzero(too_big.to_numpy())[0]
            well = well_name(table["well_row"].iloc[i], table["well_col"].iloc[i])
            raise SynergyError(
                f"plate {table['plate'].iloc[i]} well {well}: outside a {plate_format}-well plate"
            )
        return n_rows, n_cols
    if shapes:
        distinct = set(shapes.values())
        if len(distinct) > 1:
            first = next(iter(shapes.values()))
            odd = next(b for b, s in shapes.items() if s != first)
            raise SynergyError(
                f"plate {odd}: grid of {shapes[odd][0]} x {shapes[odd][1]} wells where the other "
                f"plates have {first[0]} x {first[1]}; read one plate format at a time"
            )
        return next(iter(distinct))
    need_r = int(table["well_row"].max()) + 1  # the reads decide; map wells beyond: errors
    need_c = int(table["well_col"].max()) + 1
    for n in (96, 384, 1536):  # smaller formats only when asked for (plate_format)
        rows, cols = PLATE_FORMATS[n]
        if rows >= need_r and cols >= need_c:
            return rows, cols
    raise SynergyError(f"wells up to row {need_r}, column {need_c}: larger than any SBS plate")
