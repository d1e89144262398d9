"""Bundled screens and the simulator.

- :func:`load` — a screen by name: ``"menin_venetoclax"`` (simulated at load time, with its
  ground truth) or a bundled published set (``"sf_mathews"``, ``"sf_oneil"``,
  ``"drugcomb_examples"``, ``"ncats_10023_malaria"``); :func:`list_datasets` lists them.
- :func:`reference` — SynergyFinder 3's (or DrugComb's, NCATS') outputs on a bundled set.
- :func:`path` — the folder of a bundled set.
- :func:`simulate` — simulated screens with a known truth (Bliss, Loewe, MuSyC surfaces),
  pairs or N-drug dose cubes (``n_drugs=``).
- :func:`simulate_interaction` — the same on Zimmer's effective-dose or BRAID's κ surface.
- :func:`simulate_multi` — ``simulate(..., layout="multi")``: N-drug dose cubes (Bliss with a
  potency shift, Loewe sham).
- :func:`simulate_plates` — raw 384-well plate reads, plate map and truth (reader artefacts).
"""

from __future__ import annotations

import xarray as xr

from synergy.datasets.bundled import BUNDLED, list_bundled, load_bundled, path, reference
from synergy.datasets.menin import menin_venetoclax
from synergy.datasets.simulate import block_rng, simulate, simulate_multi
from synergy.datasets.simulate_interaction import simulate_interaction
from synergy.datasets.simulate_plates import simulate_plates
from synergy.errors import SynergyError

__all__ = [
    "BUNDLED",
    "block_rng",
    "list_datasets",
    "load",
    "path",
    "reference",
    "simulate",
    "simulate_interaction",
    "simulate_multi",
    "simulate_plates",
]

_GENERATED = {"menin_venetoclax": menin_venetoclax}


def list_datasets() -> list[str]:
    """Names :func:`load` accepts: the generated screens first, then the bundled ones."""
    return [*_GENERATED, *list_bundled()]


def load(name: str) -> xr.Dataset:
    """Load a data set by name as a screen (docs/design.md §1).

    Parameters
    ----------
    name : str
        One of :func:`list_datasets`.

    Returns
    -------
    xarray.Dataset
        The screen, % inhibition, provenance in ``attrs["provenance"]``.

    Raises
    ------
    SynergyError
        Unknown names, and ``"sf_ncats_3drug"`` (three-drug screens are not supported yet).
    """
    if name in _GENERATED:
        return _GENERATED[name]()
    if name in BUNDLED:
        return load_bundled(name)
    raise SynergyError(f"unknown data set {name!r}; available: {list_datasets()}")
