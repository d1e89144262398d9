"""N-drug figures (slice_landscapes, drug_curves) render and put each well where it belongs."""

from __future__ import annotations

import numpy as np
import pytest

import synergy
import synergy.plot as splot
from synergy.errors import SynergyError

pytestmark = pytest.mark.filterwarnings("error")


@pytest.fixture(scope="module")
def ncats_scored():
    """SynergyFinder's NCATS triplets: 2 blocks, 10×10×12 doses, one replicate."""
    return synergy.score(synergy.datasets.load_bundled("sf_ncats_3drug"))


@pytest.fixture(scope="module")
def sim_scored():
    """Simulated 4×4×4 cubes, two replicates; block "2" lost drug 1's single-drug wells and
    four more wells (its fit and every score fail)."""
    screen = synergy.datasets.simulate_multi(2, n_doses=4, noise_sd=3, n_replicates=2, seed=1)
    conc = screen["conc"].transpose("block", "well", "drug").values
    alone_1 = (conc[1, :, 0] > 0) & (conc[1, :, 1] == 0) & (conc[1, :, 2] == 0)
    response = screen["response"].values.copy()
    response[1, alone_1] = np.nan
    response[1, 5:9] = np.nan
    screen["response"].values = response
    return synergy.score(screen)


@pytest.fixture(scope="module")
def four_drug_scored():
    return synergy.score(synergy.datasets.simulate_multi(1, n_drugs=4, n_doses=3, noise_sd=2))


FIGURES = {
    "slice_landscapes": lambda s, b: splot.slice_landscapes(s, b, "zip"),
    "slice_landscapes_loewe_cb": lambda s, b: splot.slice_landscapes(s, b, "loewe", cmap="RdBu_r"),
    "drug_curves": lambda s, b: splot.drug_curves(s, b),
}
CASES = [("ncats_scored", "1"), ("ncats_scored", "2"), ("sim_scored", "1"), ("sim_scored", "2")]


@pytest.mark.parametrize("figure", sorted(FIGURES))
@pytest.mark.parametrize(("screen_name", "block"), CASES)
def test_multi_figure_renders(figure, screen_name, block, request, nontrivial):
    screen = request.getfixturevalue(screen_name)
    nontrivial(FIGURES[figure](screen, block))


def test_degenerate_block_is_failed(sim_scored):
    """The degenerate fixture is what the renders above claim to cover."""
    assert int(sim_scored["status"].sel(block="2")) == 2
    assert not np.isfinite(sim_scored["hill"].sel(block="2").values[0]).any()
    assert np.isnan(float(sim_scored["zip_score"].sel(block="2")))


def _panels(fig):
    return [ax for ax in fig.axes if ax.get_visible() and ax.images]


def test_slices_place_each_well_on_its_doses(ncats_scored):
    fig = splot.slice_landscapes(ncats_scored, "1", "bliss")
    panels = _panels(fig)
    conc = ncats_scored["conc"].sel(block="1").transpose("well", "drug").values
    delta = ncats_scored["bliss"].sel(block="1").values
    doses = [np.unique(conc[:, k][np.isfinite(conc[:, k])]) for k in range(3)]
    assert len(panels) == doses[2].size == 12
    limits = {panel.images[0].get_clim() for panel in panels}
    assert len(limits) == 1 and limits.pop()[0] == -panels[0].images[0].get_clim()[1]
    rng = np.random.default_rng(0)
    for well in rng.choice(np.flatnonzero(np.isfinite(delta)), 25, replace=False):
        y, x, p = (int(np.flatnonzero(doses[k] == conc[well, k])[0]) for k in range(3))
        shown = panels[p].images[0].get_array()
        assert shown[y, x] == pytest.approx(delta[well])
    assert panels[0].get_title().endswith("(pair only)")
    assert panels[0].get_yticklabels()[0].get_text() == "0"
    assert f"{float(ncats_scored['bliss_score'].sel(block='1')):.2f}" in fig._suptitle.get_text()


def test_largest_delta_is_outlined(ncats_scored):
    fig = splot.slice_landscapes(ncats_scored, "1", "zip")
    where = ncats_scored["zip_max_conc"].sel(block="1").values
    conc = ncats_scored["conc"].sel(block="1").transpose("well", "drug").values
    doses = [np.unique(conc[:, k][np.isfinite(conc[:, k])]) for k in range(3)]
    panels = _panels(fig)
    boxed = [(i, p) for i, ax in enumerate(panels) for p in ax.patches]
    assert len(boxed) == 1
    panel, box = boxed[0]
    assert doses[2][panel] == where[2]
    assert doses[1][int(box.get_x() + 0.5)] == where[1]
    assert doses[0][int(box.get_y() + 0.5)] == where[0]


def test_drug_order_and_names(ncats_scored):
    names = [str(v) for v in ncats_scored["drug_name"].sel(block="2").values]
    fig = splot.slice_landscapes(ncats_scored, "2", "hsa", drugs=(3, names[0], 2))
    panels = _panels(fig)
    assert len(panels) == 10  # one per dose of drug 2 (10 doses)
    assert panels[0].get_title().startswith(names[1])
    assert panels[0].get_ylabel().startswith(names[2])


def test_more_than_three_drugs_need_at(four_drug_scored, nontrivial):
    with pytest.raises(SynergyError, match=r"at=\{drug: dose\}"):
        splot.slice_landscapes(four_drug_scored, "1")
    conc = four_drug_scored["conc"].sel(block="1").transpose("well", "drug").values
    top = float(np.nanmax(conc[:, 3]))
    fig = splot.slice_landscapes(four_drug_scored, "1", "bliss", at={4: top})
    nontrivial(fig)
    assert len(_panels(fig)) == 3 and "slices at" in fig._suptitle.get_text()
    assert "pair only" not in _panels(fig)[0].get_title()  # drug 4 is present
    at_zero = splot.slice_landscapes(four_drug_scored, "1", "bliss", at={"drug_d": 0})
    assert _panels(at_zero)[0].get_title().endswith("(pair only)")
    with pytest.raises(SynergyError, match="has no dose"):
        splot.slice_landscapes(four_drug_scored, "1", at={4: top * 1.7})
    with pytest.raises(SynergyError, match="draws on an axis"):
        splot.slice_landscapes(four_drug_scored, "1", at={4: top, 3: 0.0})
    with pytest.raises(SynergyError, match="not a drug"):
        splot.slice_landscapes(four_drug_scored, "1", at={7: 0.0})
    nontrivial(splot.drug_curves(four_drug_scored, "1"))


def test_drug_curves_show_each_drug_and_its_ic50(ncats_scored):
    fig = splot.drug_curves(ncats_scored, "1")
    axes = [ax for ax in fig.axes if ax.get_visible()]
    names = [str(v) for v in ncats_scored["drug_name"].sel(block="1").values]
    assert [ax.get_title() for ax in axes] == [f"{n} alone" for n in names]
    conc = ncats_scored["conc"].sel(block="1").transpose("well", "drug").values
    response = ncats_scored["response"].sel(block="1").values
    for k, ax in enumerate(axes):
        others = np.delete(conc, k, axis=1)
        alone = (others == 0).all(axis=1) & np.isfinite(response).any(axis=1)
        points = ax.collections[0].get_offsets()
        assert len(points) == int(np.isfinite(response[alone]).sum())
        ic50 = float(ncats_scored["hill"].sel(block="1").values[k, 0])
        labels = " ".join(ax.get_legend_handles_labels()[1])
        assert f"IC50 {synergy.plot._common.format_dose(ic50)}" in labels
    assert axes[0].get_xticklabels()[0].get_text() == "0"


def test_pair_and_multi_figures_refuse_the_other_layout(ncats_scored, sim_scored):
    pair_figures = (
        "landscape",
        "landscapes",
        "landscape_3d",
        "dose_response",
        "response_matrix",
        "plate_qc",
        "isobologram",
        "therapeutic_window",
    )
    for figure in pair_figures:
        with pytest.raises(SynergyError, match="slice_landscapes"):
            getattr(splot, figure)(ncats_scored, "1")
    pair = synergy.score(synergy.datasets.simulate(1, n_doses=3))
    with pytest.raises(SynergyError, match="drug-pair screen"):
        splot.slice_landscapes(pair, 0)
    with pytest.raises(SynergyError, match="drug-pair screen"):
        splot.drug_curves(pair, 0)
    with pytest.raises(SynergyError, match="no δ 'musyc'"):
        splot.slice_landscapes(sim_scored, "1", "musyc")


def test_overview_names_every_drug(ncats_scored, nontrivial):
    fig = splot.screen_overview(ncats_scored, "zip")
    nontrivial(fig)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    names = ncats_scored["drug_name"].sel(block="2").values
    assert " × ".join(str(n) for n in names) + " (2)" in labels


def test_drug_curves_band_does_not_hide_the_wells(ncats_scored):
    """Block 2's steep Piperaquine fit has a band of ±1000 %: it is clipped to the data."""
    fig = splot.drug_curves(ncats_scored, "2")
    axes = [ax for ax in fig.axes if ax.get_visible()]
    response = ncats_scored["response"].sel(block="2").values
    low, high = axes[0].get_ylim()
    assert low <= np.nanmin(response) and high >= np.nanmax(response)
    assert high - low < 200
    for ax in axes:
        labels = ax.get_legend_handles_labels()[1]
        assert "95 % confidence band" in labels
