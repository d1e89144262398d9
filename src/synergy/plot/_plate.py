"""Plate heatmaps: raw signal, normalised response and spatial residual, roles outlined."""

from __future__ import annotations

import numpy as np
import xarray as xr

from synergy.errors import SynergyError
from synergy.plot._common import new_figure

__all__ = ["plate"]

_ROLE_STYLE = {  # edge colour and line style of each control role
    "negative": ("#1f77b4", "-"),
    "positive": ("#d62728", "-"),
    "blank": ("#7f7f7f", "--"),
}
_PANELS = {
    "signal": ("raw signal", "viridis", "signal (reader units)"),
    "response": ("normalised", "YlOrRd", "response (%)"),
    "response_corrected": ("spatially corrected", "YlOrRd", "response (%)"),
    "deviation": ("against the condition's median", "RdBu", "cell signal vs expected (%)"),
    "residual": ("residual after the spatial fit", "RdBu", "cell signal vs expected (%)"),
}


def _select(plates: xr.Dataset, plate: str | int) -> int:
    barcodes = [str(b) for b in np.asarray(plates["plate"].values)]
    if isinstance(plate, (int, np.integer)) and not isinstance(plate, bool):
        if not -len(barcodes) <= int(plate) < len(barcodes):
            raise SynergyError(f"plate position {plate} is out of range ({len(barcodes)} plates)")
        return int(plate) % len(barcodes)
    if str(plate) not in barcodes:
        shown = ", ".join(barcodes[:8]) + (" …" if len(barcodes) > 8 else "")
        raise SynergyError(f"no plate {plate!r} (plates: {shown})")
    return barcodes.index(str(plate))


def _outline(ax, role: np.ndarray) -> None:
    from matplotlib.patches import Rectangle

    for name, (colour, style) in _ROLE_STYLE.items():
        for r, c in np.argwhere(role == name):  # control wells: a few dozen boxes
            ax.add_patch(
                Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, ec=colour, ls=style, lw=1.0)
            )
    empty = np.ma.masked_where(role != "empty", np.ones(role.shape))
    ax.imshow(empty, cmap="Greys", vmin=0, vmax=4, alpha=0.6, aspect="equal")


def plate(
    plates: xr.Dataset,
    plate: str | int = 0,
    *,
    panels: tuple[str, ...] = ("signal", "response", "deviation", "residual"),
    qc: xr.Dataset | None = None,
):
    """Heatmaps of one plate: raw signal, normalised response, spatial deviation and residual.

    Control wells are outlined (negative blue, positive red, blank grey dashed), empty
    wells greyed; every well is drawn whatever the plate's QC verdict, which the title
    states (Z′ and flags from :func:`synergy.plates.qc`).

    Parameters
    ----------
    plates : xarray.Dataset
        From :func:`synergy.read_plates`; normalised (:func:`synergy.plates.normalize`)
        for the ``response`` and ``residual`` panels.
    plate : str or int
        Barcode or position.
    panels : tuple of str
        Any of ``"signal"``, ``"response"``, ``"response_corrected"``, ``"deviation"`` (the
        well's cell signal against its condition's median, in %) and ``"residual"`` (the
        same after the fitted row and column factors), both from
        :func:`synergy.plates.spatial_effects`.
    qc : xarray.Dataset, optional
        The plates' QC (computed when absent and the plates are normalised).

    Returns
    -------
    matplotlib.figure.Figure
    """
    unknown = [p for p in panels if p not in _PANELS]
    if unknown:
        raise SynergyError(f"unknown panel {unknown[0]!r}; choose from {list(_PANELS)}")
    normalised = "response" in plates
    derived = ("signal", "residual", "deviation")
    missing = [p for p in panels if p not in derived and p not in plates]
    missing += [p for p in panels if p in derived[1:] and not normalised]
    if missing:
        raise SynergyError(
            f"panel {missing[0]!r} needs normalised plates: call "
            "synergy.plates.normalize (and correct_spatial for 'response_corrected')"
        )
    i = _select(plates, plate)
    one = plates.isel(plate=i)
    role = np.asarray(one["role"].values).astype(str)
    grids = {}
    for name in panels:
        if name in ("residual", "deviation"):
            from synergy.plates.spatial import spatial_effects

            effects = spatial_effects(plates)
            source = "remainder_percent" if name == "residual" else "residual_percent"
            grids[name] = np.asarray(effects[source].values[i])
        else:
            grids[name] = np.asarray(one[name].values, dtype=np.float64)
    if qc is None and normalised:
        from synergy.plates.qc import qc as plate_qc

        qc = plate_qc(plates)
    n_rows, n_cols = role.shape
    fig = new_figure(max(4.0, n_cols * 0.3) * len(panels) + 0.5, n_rows * 0.3 + 1.6)
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    rows = np.asarray(one["well_row"].values).astype(str)
    cols = np.asarray(one["well_col"].values)
    for ax, name in zip(axes, panels, strict=True):
        title, cmap, label = _PANELS[name]
        values = grids[name]
        if name in ("residual", "deviation"):
            finite = np.abs(values[np.isfinite(values)])
            top = max(10.0, float(np.ceil(finite.max() / 10) * 10)) if finite.size else 10.0
            image = ax.imshow(values, cmap=cmap, vmin=-top, vmax=top, aspect="equal")
        elif name == "signal":
            image = ax.imshow(values, cmap=cmap, aspect="equal")
        else:
            image = ax.imshow(values, cmap=cmap, vmin=-10, vmax=110, aspect="equal")
        _outline(ax, role)
        step = 1 if n_cols <= 24 else 4
        ax.set_xticks(np.arange(0, n_cols, step), [str(c) for c in cols[::step]], fontsize=6)
        ax.set_yticks(np.arange(0, n_rows, step), list(rows[::step]), fontsize=6)
        ax.set_title(title, fontsize=9)
        fig.colorbar(image, ax=ax, label=label, shrink=0.7)
    barcode = str(one["plate"].values)
    head = f"plate {barcode}"
    if qc is not None:
        verdict = qc.sel(plate=barcode)
        reason = str(verdict["qc_reason"].values) or "no QC flag"
        head += f" · Z′ = {float(verdict['z_prime']):.2f} · {reason}"
    fig.suptitle(head, fontsize=9, wrap=True)
    return fig
