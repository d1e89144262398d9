"""From normalised plates to the screen model (docs/design.md §1 and §9).

The sample wells become one long table (block = sample × drugs, one row per well) that
goes through the same builder as every long table the package reads
(:func:`synergy.io.reader.screen_from_long`, for pairs and N drugs alike), so a plate
screen satisfies the same invariants.  Each value keeps the plate and well it came from
(``source_plate``, ``source_well``), and each block the QC verdict of its plates
(``plate_qc_status``, ``plate_qc_reason``), which :func:`synergy.score` folds into
``status``/``status_reason``.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import xarray as xr

from synergy.errors import SynergyError
from synergy.io.layout import cell_dims, flat_doses
from synergy.io.plate_map import well_names
from synergy.plates.qc import QC_FLAGS

__all__ = ["PLATE_QC_ATTRS", "plates_to_screen"]

PLATE_QC_ATTRS = {
    "long_name": "QC verdict of the plates the block was read from",
    "flag_values": np.asarray([0, 1], dtype=np.int8),
    "flag_meanings": "ok plate_qc_flagged",
    "comment": "1: wells of the block were flagged by synergy.plates.qc: a row, column or "
    "edge effect on the block's wells, or a plate-wide flag (Z', drift) of one of its plates "
    "(plate_qc_reason says which and why); a warning in the scored status",
}


def _long_table(plates: xr.Dataset, values: np.ndarray) -> pd.DataFrame:
    role = np.asarray(plates["role"].values).ravel()
    flat = np.flatnonzero((role == "sample") & np.isfinite(values.ravel()))
    n_drug = plates.sizes["drug"]
    names = np.asarray(plates["drug_name"].values).reshape(-1, n_drug)[flat]
    conc = np.asarray(plates["conc"].values).reshape(-1, n_drug)[flat]
    missing = names == ""
    if missing.any():
        i = int(np.argwhere(missing)[0][0])
        p, r, c = np.unravel_index(flat[i], values.shape)
        raise SynergyError(
            f"plate {plates['plate'].values[p]} well {well_names(*values.shape[1:])[r, c]}: "
            f"a sample well names {n_drug - int(missing[i].sum())} of the map's {n_drug} drugs; "
            "name every drug of its block (dose 0 for an absent one)"
        )
    sample = np.asarray(plates["sample"].values).ravel()[flat]
    block = pd.Series(sample, dtype=object) + ":" + names[:, 0].astype(object)
    for k in range(1, n_drug):
        block = block + "+" + names[:, k].astype(object)
    table = pd.DataFrame({"block": block.to_numpy(), "sample": sample})
    for k in range(n_drug):  # the reader's roles: pair sides, then drug_3 … (N-drug)
        label = ("row", "col")[k] if k < 2 else str(k + 1)
        table[f"drug_{label}"] = names[:, k]
        table[f"conc_{label}"] = conc[:, k]
    table["response"] = values.ravel()[flat]
    labels = np.asarray(plates["replicate"].values).ravel()[flat].astype(str)
    table["replicate"], table.attrs["replicate_labels"] = _replicates(table, labels, plates, flat)
    table.attrs["replicate_labelled"] = bool((labels != "").any())
    table["_file"] = "plates"
    table["_line"] = flat
    table["_plate"], table["_well"] = np.unravel_index(flat, values.shape)[0], flat
    return table


def _label_key(label: str) -> tuple:
    """Sort key of a replicate label: parts split at "/", numbers by value, then text."""
    parts = []
    for part in label.split("/"):
        try:
            parts.append((0, float(part), ""))
        except ValueError:
            parts.append((1, 0.0, part))
    return tuple(parts)


def _replicates(
    table: pd.DataFrame, labels: np.ndarray, plates: xr.Dataset, flat: np.ndarray
) -> tuple[np.ndarray, list[str]]:
    """Replicate number (text "1" …) of each sample well and the label of each number.

    The map's or the plates table's labels when every sample well has one (sorted, numbers
    by value); without labels, wells of a block and dose combination in read order.
    """
    doses = [c for c in table.columns if c.startswith("conc_")]
    keys = ["block", *doses]
    given = labels != ""
    names = well_names(plates.sizes["well_row"], plates.sizes["well_col"]).ravel()
    barcodes = np.asarray(plates["plate"].values).astype(str)

    def where(i: int) -> str:
        p, w = divmod(int(flat[i]), names.size)
        return f"plate {barcodes[p]} well {names[w]}"

    if not given.any():
        number = table.groupby(keys, sort=False).cumcount().to_numpy() + 1
        return number.astype(str), [str(k) for k in range(1, int(number.max()) + 1)]
    if not given.all():
        i, j = int(np.flatnonzero(~given)[0]), int(np.flatnonzero(given)[0])
        raise SynergyError(
            f"{where(i)}: a sample well without a replicate label, where {where(j)} has "
            f"{str(labels[j])!r}; label every replicate (column replicate of the plates table or "
            "of the plate map) or none (numbered in read order)"
        )
    twice = table.assign(_label=labels).duplicated([*keys, "_label"], keep=False).to_numpy()
    if twice.any():
        same = np.flatnonzero(twice)
        first = table.iloc[same[0]][keys].to_numpy()
        j = next(k for k in same[1:] if (table.iloc[k][keys].to_numpy() == first).all())
        raise SynergyError(
            f"{where(same[0])} and {where(j)}: block {table['block'].iloc[same[0]]!r}, the same "
            f"doses and the same replicate label {str(labels[same[0]])!r}; give replicate plates "
            "distinct labels (plates table) and replicate wells on a plate distinct labels "
            "(plate map)"
        )
    control = (table[doses].to_numpy() == 0).all(axis=1)  # labels of treated wells first:
    ordered = sorted(pd.unique(labels[~control]), key=_label_key)  # numbered 1 … K densely
    ordered += sorted(set(labels[control]) - set(ordered), key=_label_key)
    number = pd.Index(ordered).get_indexer(labels) + 1
    return number.astype(str), ordered


def _block_qc(screen: xr.Dataset, table: pd.DataFrame, plates: xr.Dataset, verdict: xr.Dataset):
    """Each block's QC verdict from the flags on *its* wells (``well_flags``): a row fault
    flags the blocks with wells in that row, Z′ every block of the plate."""
    barcodes = np.asarray(plates["plate"].values).astype(str)
    plate_flags = np.asarray(verdict["qc_flags"].values)
    if "well_flags" in verdict:
        well_flags = np.asarray(verdict["well_flags"].values).ravel()[table["_well"].to_numpy()]
        words = np.asarray(verdict["qc_flag_reason"].values).astype(str)
    else:  # a verdict without well flags: every plate flag on every well
        well_flags = plate_flags[table["_plate"].to_numpy()]
        words = np.asarray(verdict["qc_reason"].values).astype(str)[:, None]
    keys = [table["block"].to_numpy(), table["_plate"].to_numpy()]
    per_bit = pd.DataFrame({bit: well_flags.astype(np.int64) & bit for bit in QC_FLAGS})
    pairs = per_bit.groupby(keys, sort=False).max().sum(axis=1).reset_index()  # OR per block
    pairs.columns = ["block", "_plate", "mask"]
    bad = pairs[pairs["mask"] != 0]
    bits = np.asarray(list(QC_FLAGS)) if words.shape[1] > 1 else np.asarray([-1])
    text = {}
    for plate, code in set(zip(bad["_plate"], bad["mask"], strict=True)):  # few distinct
        said = [w for w, bit in zip(words[plate], bits, strict=True) if code & bit and w]
        text[(plate, code)] = f"plate {barcodes[plate]}: " + "; ".join(said)
    reasons = pd.Series(
        [text[key] for key in zip(bad["_plate"], bad["mask"], strict=True)], index=bad.index
    )
    by_block = reasons.groupby(bad["block"].to_numpy()).agg("; ".join)
    used = pairs.groupby("block")["_plate"].agg(lambda p: ",".join(barcodes[np.sort(p.to_numpy())]))
    ids = pd.Index(np.asarray(screen["block"].values).astype(str))
    reason = by_block.reindex(ids).fillna("").to_numpy(dtype=str)
    screen["plate_qc_status"] = ("block", (reason != "").astype(np.int8), PLATE_QC_ATTRS)
    screen["plate_qc_reason"] = ("block", reason)
    screen["source_plates"] = ("block", used.reindex(ids).to_numpy(dtype=str))
    columns = ("z_prime", "ssmd", "cv_negative", "edge_effect", "row_effect_max", "qc_reason")
    rows = {name: np.asarray(verdict[name].values).tolist() for name in columns}
    rows["plate"] = barcodes.tolist()
    rows["qc_flags"] = np.asarray(plate_flags).astype(int).tolist()
    screen.attrs["plate_qc"] = json.dumps(rows, default=float)  # the report's QC section


def _trace(screen: xr.Dataset, table: pd.DataFrame, plates: xr.Dataset) -> None:
    """``source_plate``/``source_well`` of every response cell ('' where none)."""
    barcodes = np.asarray(plates["plate"].values).astype(str)
    names = well_names(plates.sizes["well_row"], plates.sizes["well_col"]).ravel()
    n_well = names.size
    plate_of = barcodes[table["_well"].to_numpy() // n_well]
    well_of = names[table["_well"].to_numpy() % n_well]
    block = pd.Index(np.asarray(screen["block"].values).astype(str)).get_indexer(table["block"])
    rep = table["replicate"].astype(int).to_numpy() - 1
    dims = ("block", *cell_dims(screen), "replicate")
    shape = screen["response"].transpose(*dims).shape
    conc = flat_doses(screen)  # (B, W, N): a pair grid's well row·C + col
    b, w = np.nonzero(np.isfinite(conc).all(axis=2))
    lookup = pd.Series(w, index=pd.MultiIndex.from_arrays([b, *conc[b, w].T]))
    cols = [c for c in table.columns if c.startswith("conc_")]  # drug order (_long_table)
    query = pd.MultiIndex.from_arrays([block, *[table[c].to_numpy() for c in cols]])
    index = (block, lookup.reindex(query).to_numpy(np.int64))
    shape = (shape[0], int(np.prod(shape[1:-1])), shape[-1])  # (B, W, K)
    rep = np.minimum(rep, shape[-1] - 1)  # controls averaged into replicate 0 (see n_control)
    cell = np.ravel_multi_index((*index, rep), shape)
    source_plate = np.full(int(np.prod(shape)), "", dtype=object)
    source_well = np.full(int(np.prod(shape)), "", dtype=object)
    if np.unique(cell).size == cell.size:
        source_plate[cell], source_well[cell] = plate_of, well_of
    else:  # averaged control cells: every well that went into them
        frame = pd.DataFrame({"cell": cell, "plate": plate_of, "well": well_of})
        joined = frame.groupby("cell", sort=False).agg(";".join)
        source_plate[joined.index] = joined["plate"].to_numpy()
        source_well[joined.index] = joined["well"].to_numpy()
    grid = screen["response"].transpose(*dims).shape
    screen["source_plate"] = (dims, source_plate.reshape(grid).astype(str))
    screen["source_well"] = (dims, source_well.reshape(grid).astype(str))


def plates_to_screen(
    plates: xr.Dataset,
    *,
    response: str = "response",
    qc: xr.Dataset | bool = True,
) -> xr.Dataset:
    """Turn the normalised sample wells of plates into a screen Dataset.

    Parameters
    ----------
    plates : xarray.Dataset
        From :func:`synergy.read_plates`, normalised by :func:`synergy.plates.normalize`
        (done here, to % inhibition, if ``response`` is absent).
    response : str
        The variable to use: ``"response"`` or ``"response_corrected"``
        (:func:`synergy.plates.correct_spatial`).
    qc : Dataset or bool
        Plate QC (:func:`synergy.plates.qc`) whose flags mark the blocks read from flagged
        plates; ``True`` computes it, ``False`` skips it.

    Returns
    -------
    xarray.Dataset
        A screen (docs/design.md §1; the N-drug layout for three drugs or more): one block
        per sample and drug combination; replicates from the ``replicate`` labels of the
        plates (plates table and/or plate map; sorted, numbers by value), kept as the
        coordinate ``replicate_label``, or, when no well has one, numbered in read order; with
        ``source_plate``/``source_well`` (same dims as ``response``), ``source_plates``,
        ``plate_qc_status`` and ``plate_qc_reason`` (block); ``attrs["plate_qc"]`` (JSON)
        the plates' Z′, SSMD, negative CV, edge and largest row effect, flags and reasons.

    Raises
    ------
    SynergyError
        Growth responses (the screen model holds % inhibition), no sample well, a
        sample well naming only some of the map's drugs.
    """
    if response not in plates:
        if response != "response":
            raise SynergyError(f"plates have no {response!r}; call synergy.plates.correct_spatial")
        from synergy.plates.normalise import normalize

        plates = normalize(plates)
    kind = plates[response].attrs.get("response_kind", "inhibition")
    values = np.asarray(plates[response].values, dtype=np.float64)
    if kind == "growth":
        raise SynergyError(
            "plates_to_screen: the responses are % growth from a time-zero plate; the screen "
            "model and its synergy models hold % inhibition, and growth is not inhibition "
            "(it can be negative). Normalise with response_kind='inhibition' to score"
        )
    if kind == "viability":
        values = 100.0 - values
    table = _long_table(plates, values)
    if table.empty:
        raise SynergyError("plates_to_screen: no sample well with a response")
    provenance = {
        "reader": "synergy.plates_to_screen",
        "plates": json.loads(plates.attrs.get("provenance", "{}")),
        "response": {"variable": response, "kind": kind, "stored_as": "percent inhibition"},
        "plate_replicates": {
            "from": "replicate labels of the plates table or plate map"
            if table.attrs["replicate_labelled"]
            else "read order within each block and dose combination",
            "labels": table.attrs["replicate_labels"][:50],
        },
    }
    n_drug = plates.sizes["drug"]
    unit = plates.attrs.get("conc_unit", "unspecified")
    unit = None if unit == "unspecified" else unit  # no unit: as a long table without one
    from synergy.io.reader import screen_from_long

    screen = screen_from_long(
        table, n_drugs=n_drug, response_kind="inhibition", conc_unit=unit, provenance=provenance
    )
    _trace(screen, table, plates)
    labels = table.attrs["replicate_labels"]
    screen.coords["replicate_label"] = ("replicate", labels[: screen.sizes["replicate"]])
    if qc is not False:
        from synergy.plates.qc import qc as plate_qc

        verdict = plate_qc(plates) if qc is True else qc
        _block_qc(screen, table, plates, verdict)
    return screen
