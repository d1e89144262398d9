"""Published example screens shipped as package data, and SynergyFinder's outputs on them.

Each data set is a folder of ``synergy/datasets/data/`` holding ``data.csv`` (long format,
read by :func:`synergy.io.reader.read_screen`), a ``README.md`` with its provenance, and the
reference outputs of other tools (``synergyfinder3_*.csv``, ``published_*.csv``).
Licences: ``data/LICENSE-MPL-2.0`` (SynergyFinder / TidyComb sets) and
``data/LICENSE-NCATS-10023`` (no stated licence; presumed public domain, unverified).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd
import xarray as xr

from synergy.errors import SynergyError

__all__ = ["BUNDLED", "BundledDataset", "list_bundled", "load_bundled", "path", "reference"]


@dataclass(frozen=True)
class BundledDataset:
    """What is known about one bundled data set."""

    folder: str
    response_kind: str
    description: str
    license: str
    source: str
    n_drugs: int = 2


_SF_REPO = "github.com/shuyuzheng/synergyfinder @ ea2d246e4e14c79767df90eec67b9a2b75162b92"
BUNDLED: dict[str, BundledDataset] = {
    "sf_mathews": BundledDataset(
        "sf_mathews",
        "viability",
        "Mathews Griner et al. 2014: ibrutinib combinations in TMD8 cells, 2 blocks 6x6, nM",
        "MPL-2.0",
        f"{_SF_REPO}, data/mathews_screening_data.rda",
    ),
    "sf_oneil": BundledDataset(
        "sf_oneil",
        "inhibition",
        "O'Neil et al. 2016: 2 blocks 5x5 with 4 replicates (OCUBM, NCIH2122), uM",
        "MPL-2.0",
        f"{_SF_REPO}, data/ONEIL_screening_data.rda",
    ),
    "drugcomb_examples": BundledDataset(
        "drugcomb_examples",
        "inhibition",
        "TidyComb/DrugComb template: 5-FU x ABT-888 / AZD1775 in A2058, 2 blocks 5x5, uM",
        "MPL-2.0",
        "github.com/shuyuzheng/TidyComb @ 5843be38622c64db424e008833d00eff4c89bc25, "
        "inst/template.csv",
    ),
    "ncats_10023_malaria": BundledDataset(
        "ncats_10023_malaria",
        "inhibition",
        "NCATS Matrix assay 10023: pyronaridine x artesunate in P. falciparum, 12 blocks "
        "10x10, uM (dose-index mapping unverified; a noise/robustness set)",
        "none stated (NCATS, US government; presumed public domain, unverified)",
        f"{_SF_REPO}, data-raw/NCATS_10023/",
    ),
    "sf_ncats_3drug": BundledDataset(
        "sf_ncats_3drug",
        "viability",
        "NCATS Malaria TACT: 2 three-drug blocks (piperaquine x pyronaridine x darunavir | "
        "lopinavir), uM",
        "MPL-2.0",
        f"{_SF_REPO}, data/NCATS_screening_data.rda",
        n_drugs=3,
    ),
}


def _info(name: str) -> BundledDataset:
    try:
        return BUNDLED[name]
    except KeyError:
        raise SynergyError(
            f"unknown bundled data set {name!r}; available: {sorted(BUNDLED)}"
        ) from None


def path(name: str) -> Path:
    """Folder of a bundled data set (``data.csv``, ``README.md``, reference outputs).

    Parameters
    ----------
    name : str
        One of :data:`BUNDLED` (e.g. ``"sf_oneil"``).
    """
    folder = resources.files("synergy.datasets").joinpath("data", _info(name).folder)
    return Path(str(folder))


def list_bundled() -> list[str]:
    """Names of the bundled two-drug data sets (:func:`load_bundled` also reads the N-drug ones
    of :data:`BUNDLED`, e.g. ``"sf_ncats_3drug"``)."""
    return [name for name, info in BUNDLED.items() if info.n_drugs == 2]


def load_bundled(name: str) -> xr.Dataset:
    """Read a bundled data set as a screen (responses converted to % inhibition).

    Parameters
    ----------
    name : str
        One of :func:`list_bundled`.

    Returns
    -------
    xarray.Dataset
        The screen read by :func:`synergy.io.reader.read_screen` with the data set's
        ``response_kind``; ``attrs["provenance"]`` gains ``dataset``, ``source``,
        ``license`` and ``description``.

    Raises
    ------
    SynergyError
        For an unknown name.  ``"sf_ncats_3drug"`` reads into the N-drug layout
        (docs/design.md §1).
    """
    info = _info(name)
    from synergy.io.reader import read_screen

    screen = read_screen(path(name) / "data.csv", response_kind=info.response_kind)
    provenance = json.loads(screen.attrs.get("provenance") or "{}")
    provenance.update(
        dataset=name, source=info.source, license=info.license, description=info.description
    )
    screen.attrs["provenance"] = json.dumps(provenance, sort_keys=True, default=str)
    return screen


def reference(name: str, kind: str = "summary") -> pd.DataFrame:
    """A reference output table of a bundled data set, as shipped.

    Parameters
    ----------
    name : str
        A bundled data set (:data:`BUNDLED`, the three-drug set included).
    kind : str
        ``"summary"`` (one row per block), ``"surface"`` (one row per well) or ``"drc"``
        (single-drug fits) read ``synergyfinder3_<kind>.csv``: SynergyFinder 3's outputs on
        ``data.csv`` (see the folder's README for how they were produced).  Any other file
        stem of the folder also works (``"replicates_summary"``, ``"published_scores"``,
        ``"published_well_scores_block1"``, ``"published_scores_ncats"`` …).

    Returns
    -------
    pandas.DataFrame
        The table; ``block_id`` is read as str, to match the screen's ``block`` coordinate.
    """
    folder = path(name)
    for stem in (f"synergyfinder3_{kind}", kind):
        candidate = folder / f"{stem}.csv"
        if stem != "data" and candidate.is_file():
            return pd.read_csv(candidate, dtype={"block_id": str})
    available = sorted(
        p.stem.removeprefix("synergyfinder3_") for p in folder.glob("*.csv") if p.stem != "data"
    )
    raise SynergyError(f"no reference table {kind!r} for {name!r}; available: {available}")
