"""The model registry: a model registered here, in the test, is scored, bootstrapped, tabled
and reported without any other module knowing it; the built-in models declare what they write."""

from __future__ import annotations

import numpy as np
import pytest

import synergy
from synergy.datasets import load
from synergy.errors import SynergyError
from synergy.io.table import to_table
from synergy.models import registry
from synergy.models.bliss import score_from_edges
from synergy.models.registry import SCORE_SUFFIXES, ModelContext, ModelSpec


def _mean_agent(screen, context: ModelContext):
    """Toy reference: the mean of the two drugs' observed effects alone at the well's doses."""
    return score_from_edges(screen, "mean_agent", lambda r, c: (r + c) / 2, "(y1 + y2) / 2")


@pytest.fixture
def toy():
    spec = ModelSpec(
        "mean_agent",
        "Mean agent",
        _mean_agent,
        tuple(f"mean_agent{s}" for s in SCORE_SUFFIXES),
        surface=True,
        bootstrap=True,
        description="mean of the two single-drug effects (test model)",
    )
    registry.register(spec)
    yield spec
    registry.unregister("mean_agent")


def _expected_scores(screen) -> dict[str, float]:
    """Block scores of the toy model from the long table, with pandas only."""
    wells = to_table(screen).groupby(["block_id", "conc1", "conc2"])["response"].mean()
    out = {}
    for block, part in wells.groupby(level="block_id"):
        part = part.droplevel("block_id")
        row = part.xs(0.0, level="conc2")  # drug 1 alone
        col = part.xs(0.0, level="conc1")  # drug 2 alone
        deltas = [
            y - (row[c1] + col[c2]) / 2
            for (c1, c2), y in part.items()
            if c1 > 0 and c2 > 0 and np.isfinite(y)
        ]
        out[str(block)] = float(np.mean(deltas))
    return out


def test_toy_model_scored_bootstrapped_tabled_reported(toy):
    screen = load("sf_oneil")
    out = synergy.score(screen, models=("bliss", "mean_agent"), n_boot=20, seed=4)

    # scored: the block score is the mean of observed - (y1 + y2)/2 over combination wells
    expected = _expected_scores(screen)
    got = dict(zip(out["block"].values.astype(str), out["mean_agent_score"].values, strict=True))
    assert got.keys() == expected.keys()
    for block, value in expected.items():
        assert got[block] == pytest.approx(value, rel=1e-12, abs=1e-12)
    assert set(toy.variables) <= set(out.data_vars)
    assert (out["mean_agent_status"].values == 0).all()

    # bootstrapped through the registry's rescoring: an interval around a finite score
    low, high = out["mean_agent_score_low"].values, out["mean_agent_score_high"].values
    assert np.isfinite(low).all() and np.isfinite(high).all()
    assert (low <= high).all() and (out["mean_agent_score_se"].values > 0).all()
    assert np.isfinite(out["mean_agent_pvalue"].values).all()
    # the resamples scatter around the score by the replicate noise (4 replicates per well)
    assert (np.abs(out["mean_agent_score"].values - (low + high) / 2) < 3 * (high - low)).all()

    # tabled: one column per block variable
    table = to_table(out, level="block")
    np.testing.assert_array_equal(table["mean_agent_score"], out["mean_agent_score"].values)
    assert "mean_agent_score_low" in table

    # reported, under its label, next to Bliss
    from synergy.report import render_report, scored_models

    assert scored_models(out) == ["bliss", "mean_agent"]
    html = render_report(out, max_blocks=1)
    assert "Mean agent score" in html
    assert f"{out['mean_agent_score'].values[0]:.2f}" in html


def test_toy_model_accepted_by_options_and_refused_for_n_drugs(toy):
    screen = load("sf_oneil")
    with pytest.raises(SynergyError, match="options are for"):
        synergy.score(screen, models=("mean_agent",), model_options={"mean_agent": {"x": 1}})
    with pytest.raises(SynergyError, match="drug pairs only"):
        synergy.score(load("sf_ncats_3drug"), models=("bliss", "mean_agent"))


def test_registry_refuses_duplicates_and_incomplete_specs(toy):
    with pytest.raises(SynergyError, match="already registered"):
        registry.register(toy)
    with pytest.raises(SynergyError, match="must write"):
        ModelSpec("bad", "Bad", _mean_agent, ("bad",))
    with pytest.raises(SynergyError, match="bootstrap needs"):
        ModelSpec("bad", "Bad", _mean_agent, ("bad_status",), bootstrap=True)


def test_builtin_models_write_what_they_declare():
    screen = load("sf_oneil")
    models = ("bliss", "hsa", "loewe", "zip", "ci")
    out = synergy.score(screen, models=models)
    fitted = {str(v) for v in out.data_vars if str(v).startswith("hill_")}
    written = set(out.data_vars) - set(screen.data_vars) - fitted - {"status", "status_reason"}
    declared = {v for m in models for v in registry.get(m).variables}
    assert written == declared


def test_model_options_are_typed():
    spec = registry.get("musyc")
    assert spec.check_options({"calibrate": 0}) == {"calibrate": 0}
    with pytest.raises(SynergyError, match="calibrate must be int"):
        spec.check_options({"calibrate": "many"})
    with pytest.raises(SynergyError, match="unknown option"):
        spec.check_options({"calibration": 9})


def test_labels_follow_the_registry(toy):
    assert registry.LABELS["zip"] == "ZIP"
    assert registry.LABELS["musyc"] == "MuSyC"
    assert registry.LABELS.get("mean_agent") == "Mean agent"
    assert registry.LABELS.get("nothing", "nothing") == "nothing"


def test_n_drug_screens_dispatch_through_score_wells():
    """A model registered with ``score_wells`` is scored on N-drug screens by it (and its pair
    ``score`` is not called); the well layout's index is shared between models."""
    calls = []

    def pair_score(screen, context):
        raise AssertionError("the pair scorer must not see an N-drug screen")

    def wells_score(screen, context):
        calls.append(context.shared.get("multi_block") is not None)
        n_alone = np.isfinite(screen["response"].values).sum(axis=(1, 2)).astype(float)
        return screen[[]].assign(
            count_score=("block", n_alone), count_status=("block", np.zeros(len(n_alone), "i1"))
        )

    registry.register(
        ModelSpec(
            "count", "Count", pair_score, ("count_score", "count_status"), score_wells=wells_score
        )
    )
    try:
        assert registry.get("count").n_drugs
        screen = load("sf_ncats_3drug")
        out = synergy.score(screen, models=("bliss", "count"))
        measured = np.isfinite(screen["response"].values).sum(axis=(1, 2))
        np.testing.assert_array_equal(out["count_score"].values, measured)
        assert calls == [True]  # Bliss computed the well index first; the toy model reused it
    finally:
        registry.unregister("count")
    with pytest.raises(SynergyError, match="needs score_wells"):
        ModelSpec("x", "X", pair_score, ("x_status",), n_drugs=True)
