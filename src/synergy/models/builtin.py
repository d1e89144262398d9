"""The models shipped with synergy, registered in :data:`synergy.models.registry.REGISTRY`.

Imported by :mod:`synergy.models`, so the registry is full whenever a model can be scored.
The fitted models' functions are imported when first called (their numba kernels load then).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from synergy.models.registry import (
    FITTED_SUFFIXES,
    SCORE_SUFFIXES,
    ModelContext,
    ModelSpec,
    register,
)

if TYPE_CHECKING:
    import xarray as xr

__all__: list[str] = []


def _scores(prefix: str, *extra: str) -> tuple[str, ...]:
    return tuple(f"{prefix}{s}" for s in SCORE_SUFFIXES) + extra


def _fitted(prefix: str, *extra: str) -> tuple[str, ...]:
    return tuple(f"{prefix}{s}" for s in FITTED_SUFFIXES) + extra


def _bliss(screen: xr.Dataset, ctx: ModelContext) -> xr.Dataset:
    from synergy.models.bliss import score_bliss
    from synergy.models.well_view import well_view

    return score_bliss(screen, convention=ctx.convention, view=well_view(screen, ctx.shared))


def _hsa(screen: xr.Dataset, ctx: ModelContext) -> xr.Dataset:
    from synergy.models.hsa import score_hsa
    from synergy.models.well_view import well_view

    return score_hsa(screen, view=well_view(screen, ctx.shared))


def _loewe(screen: xr.Dataset, ctx: ModelContext) -> xr.Dataset:
    from synergy.models.loewe import score_loewe
    from synergy.models.well_view import well_view

    return score_loewe(screen, solver=ctx.loewe_solver, view=well_view(screen, ctx.shared))


def _zip(screen: xr.Dataset, ctx: ModelContext) -> xr.Dataset:
    if ctx.convention == "synergyfinder2":
        from synergy.models.zip_sf2 import score_zip_sf2

        return score_zip_sf2(screen, fitter=ctx.fitter)
    from synergy.models.well_view import well_view
    from synergy.models.zip import score_zip

    return score_zip(screen, fitter=ctx.fitter, view=well_view(screen, ctx.shared))


def _musyc(screen: xr.Dataset, ctx: ModelContext) -> xr.Dataset:
    from synergy.models.musyc import fit_musyc

    return fit_musyc(screen, ci=ctx.ci, fit_gamma=False, **ctx.options)


def _musyc_gamma(screen: xr.Dataset, ctx: ModelContext) -> xr.Dataset:
    from synergy.models.musyc import fit_musyc

    return fit_musyc(screen, ci=ctx.ci, fit_gamma=True, **ctx.options)


def _ci(screen: xr.Dataset, ctx: ModelContext) -> xr.Dataset:
    from synergy.models.combination_index import combination_index

    return combination_index(screen)


def _zimmer(screen: xr.Dataset, ctx: ModelContext) -> xr.Dataset:
    from synergy.models.zimmer import fit_zimmer

    return fit_zimmer(screen, ci=ctx.ci, **ctx.options)


def _braid(screen: xr.Dataset, ctx: ModelContext) -> xr.Dataset:
    from synergy.models.braid import fit_braid

    return fit_braid(screen, ci=ctx.ci, **ctx.options)


_MUSYC_OPTIONS = {
    "intervals": str,
    "calibrate": int,
    "alpha_on_bound": str,
    "seed": int,
    "max_iter": int,
}
_MUSYC_VARIABLES = _fitted(
    "musyc",
    "musyc_log_alpha12",
    "musyc_log_alpha12_ci",
    "musyc_log_alpha21",
    "musyc_log_alpha21_ci",
    "musyc_beta",
    "musyc_beta_ci",
    "musyc_beta_stderr",
)
_INTERACTION_OPTIONS = {"intervals": str, "max_iter": int}

for _spec in (
    ModelSpec(
        "bliss",
        "Bliss",
        _bliss,
        _scores("bliss"),
        surface=True,
        score_wells=_bliss,  # one implementation, any N (§16.1)
        bootstrap=True,
        default=True,
        description="Bliss independence (observed single-drug wells)",
    ),
    ModelSpec(
        "hsa",
        "HSA",
        _hsa,
        _scores("hsa"),
        surface=True,
        score_wells=_hsa,  # one implementation, any N (§16.1)
        bootstrap=True,
        default=True,
        description="highest single agent",
    ),
    ModelSpec(
        "loewe",
        "Loewe",
        _loewe,
        _scores("loewe", "loewe_fallback", "loewe_n_fallback"),
        needs_fits=True,
        surface=True,
        score_wells=_loewe,  # one implementation, any N (§16.1)
        bootstrap=True,
        check_fits=True,
        default=True,
        description="Loewe additivity (from the Hill fits)",
    ),
    ModelSpec(
        "zip",
        "ZIP",
        _zip,
        _scores("zip", "zip_fit"),
        needs_fits=True,
        surface=True,
        score_wells=_zip,  # one implementation, any N (§16.1)
        bootstrap=True,
        check_fits=True,
        default=True,
        description="zero interaction potency (Hill fits + slice fits)",
    ),
    ModelSpec(
        "musyc",
        "MuSyC",
        _musyc,
        _MUSYC_VARIABLES,
        needs_fits=True,
        options=_MUSYC_OPTIONS,
        description="MuSyC surface, gamma = 1 (alpha: potency, beta: efficacy)",
    ),
    ModelSpec(
        "musyc_gamma",
        "MuSyC (γ fitted)",
        _musyc_gamma,
        (*_MUSYC_VARIABLES, *(f"musyc_log_gamma{k}{s}" for k in (12, 21) for s in ("", "_ci"))),
        prefix="musyc",
        needs_fits=True,
        options=_MUSYC_OPTIONS,
        description="MuSyC surface with the cooperativities gamma12, gamma21 fitted",
    ),
    ModelSpec(
        "ci",
        "CI",
        _ci,
        (
            "ci",
            "ci_at_fa",
            "ci_dri_row",
            "ci_dri_col",
            "ci_dri_row_at_fa",
            "ci_dri_col_at_fa",
            "ci_log_mean",
            "ci_median_effect",
            "ci_n_wells",
            "ci_series_n_wells",
            "ci_series_ratio",
            "ci_status",
        ),
        description="Chou-Talalay combination index and dose reduction index",
    ),
    ModelSpec(
        "zimmer",
        "Zimmer",
        _zimmer,
        _fitted("zimmer", *(f"zimmer_a{k}{s}" for k in (12, 21) for s in ("", "_ci", "_stderr"))),
        needs_fits=True,
        options=_INTERACTION_OPTIONS,
        description="Zimmer's effective-dose model (a12, a21 < 0: synergy)",
    ),
    ModelSpec(
        "braid",
        "BRAID",
        _braid,
        _fitted("braid", "braid_kappa", "braid_kappa_ci", "braid_kappa_stderr"),
        needs_fits=True,
        options={**_INTERACTION_OPTIONS, "variant": str},  # "kappa", "free_e3", "full"
        description="BRAID's interaction kappa (> 0: synergy)",
    ),
):
    register(_spec)
