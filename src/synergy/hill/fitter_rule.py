"""The fitter rule (docs/design.md, "One fitter rule"): which single-drug fits a score uses.

One default fitter everywhere (``"drc"``: :func:`synergy.hill.fit_screen`,
:func:`synergy.score`, the batch path, the command line).  Fits record their fitter (the
``fitter`` attribute); :func:`fits_for` drops fits that another fitter made, with a logged
notice naming both, so that scoring refits them, and keeps fits that were *given* (a
published fit table injected, or fits without a ``fitter`` attribute) as they are.
"""

from __future__ import annotations

import logging

import xarray as xr

from synergy.io.layout import fit_variables

__all__ = ["fit_names", "fits_for"]

logger = logging.getLogger(__name__)


def fit_names(screen: xr.Dataset) -> tuple[str, ...]:
    """Names of the single-drug fit variables of the screen's layout (`hill`, or
    `hill_row`/`hill_col`)."""
    return tuple(fit_variables(screen))


def fits_for(screen: xr.Dataset, fitter: str, refit: bool | None) -> xr.Dataset:
    """The screen with its single-drug fits kept only when ``fitter`` may use them.

    Fits made by another fitter than ``fitter`` (their ``fitter`` attribute), or fitted on
    every replicate well of a screen with replicates (their ``replicates`` attribute;
    ``score`` fits the replicate means, as SynergyFinder does), are dropped, with a logged
    notice naming both, so that :func:`synergy.score` refits them with ``fitter``; fits
    that were *given* — no ``fitter`` attribute, or a published fit table injected
    (:func:`synergy.benchmark.fits.inject_published_fits`: a ``source`` attribute) — are
    kept as they are.  ``refit=False`` keeps another fitter's fits too,
    with a notice.

    Parameters
    ----------
    screen : xarray.Dataset
        A screen, with or without ``hill_row``/``hill_col`` (or ``hill`` for N drugs).
    fitter : {"drc", "lsq"}
        The fitter :func:`synergy.score` was asked for.
    refit : bool or None
        As in :func:`synergy.score`: ``None`` applies the rule, ``True`` refits anyway
        (nothing to check), ``False`` keeps the fits whatever made them (a notice when
        another fitter made them).

    Returns
    -------
    xarray.Dataset
        ``screen`` itself, or ``screen`` without the fit variables.
    """
    names = fit_names(screen)
    if refit is True or not all(name in screen for name in names):
        return screen
    attrs = [screen[name].attrs for name in names]
    if any("fitter" not in a or "source" in a for a in attrs):
        return screen  # given fits: used as they are
    made_by = "/".join(sorted({str(a["fitter"]) for a in attrs}))
    # score fits the replicate means (as SynergyFinder); fits of every replicate well differ
    per_well = screen.sizes.get("replicate", 1) > 1 and any(
        str(a.get("replicates", "mean")) != "mean" for a in attrs
    )
    if made_by == fitter and not per_well:
        return screen
    made = f"fitter={made_by!r}" + (" on every replicate well" if per_well else "")
    if refit is False:
        logger.warning(
            "refit=False: scoring with the screen's single-drug fits (made with %s) as they "
            "are, while fitter=%r fits the rest (ZIP's slices) on the replicate means",
            made,
            fitter,
        )
        return screen
    if per_well and made_by == fitter:
        logger.warning(
            "the screen's single-drug fits were made with %s; scoring fits the replicate "
            "means, as SynergyFinder does, so it refits them (refit=False scores the fits "
            "as they are)",
            made,
        )
    else:
        logger.warning(
            "the screen's single-drug fits were made with %s; scoring with fitter=%r "
            "refits them on the replicate means (fitter=%r, or --fitter %s on the command "
            "line, scores the fits as they are)",
            made,
            fitter,
            made_by,
            made_by,
        )
    return screen.drop_vars([v for v in screen.data_vars if str(v).startswith(names)])
