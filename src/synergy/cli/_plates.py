"""``synergy score READS --layout MAP``: plate reads in, through normalisation and QC."""

from __future__ import annotations

import click

__all__ = ["open_plates", "plates_options"]


def plates_options(command):
    """Add ``--layout``, ``--plate-table`` and ``--spatial-correction`` to a command."""
    command = click.option(
        "--spatial-correction",
        is_flag=True,
        help="With --layout: divide out each plate's row/column factors before scoring.",
    )(command)
    command = click.option(
        "--plate-table",
        type=click.Path(),
        default=None,
        help="With --layout: CSV of plate, layout[, sample, replicate, reader, read_time].",
    )(command)
    return click.option(
        "--layout",
        type=click.Path(),
        default=None,
        help="Plate map (CSV/Excel; a long table or grids after 'Layout:'/'Variable:' lines): "
        "INPUTS are then raw plate reads (grid exports or plate, well, signal tables), "
        "normalised per plate and QC'd before scoring.",
    )(command)


def open_plates(
    ctx: click.Context,
    reads: tuple[str, ...],
    layout: str,
    plate_table: str | None,
    spatial_correction: bool,
    conc_unit: str | None,
    quiet: bool,
):
    """Read, normalise and QC the plates; return the screen (QC verdict on its blocks)."""
    import synergy
    from synergy.cli._common import fail
    from synergy.errors import SynergyError

    try:
        plates = synergy.read_plates(list(reads), layout, plates=plate_table, conc_unit=conc_unit)
        plates = synergy.plates.normalize(plates)
        verdict = synergy.plates.qc(plates)
        response = "response"
        if spatial_correction:
            plates = synergy.plates.correct_spatial(plates)
            response = "response_corrected"
        screen = synergy.plates_to_screen(plates, response=response, qc=verdict)
    except SynergyError as exc:
        if ctx.obj.get("debug"):
            raise
        fail(str(exc))
    if not quiet:
        flagged = [
            (str(p), str(r))
            for p, r in zip(verdict["plate"].values, verdict["qc_reason"].values, strict=True)
            if r
        ]
        click.echo(f"plates: {verdict.sizes['plate']} read, {len(flagged)} flagged by QC", err=True)
        for plate, reason in flagged[:10]:
            click.echo(f"warning: plate {plate}: {reason}", err=True)
    return screen
