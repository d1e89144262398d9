"""End to end against SynergyFinder 3: single drugs and ZIP slices fitted by drc's procedure
(the numba replica in synergy._kernels.drc), nothing injected from SynergyFinder."""

from __future__ import annotations

import numpy as np
import pytest
from model_cases import SFCase, drc_slice_fitter, inject_drc_fits

from synergy.models import score_loewe, score_zip


@pytest.mark.parametrize("folder", ["sf_mathews", "sf_oneil"])
def test_refitted_scores_match_synergyfinder(folder):
    case = SFCase(folder)
    screen = inject_drc_fits(case.raw)
    # drc's replica reaches SynergyFinder's own fits (even sf_mathews' collapsed ispinesib)
    np.testing.assert_allclose(screen.hill_row.values, case.screen.hill_row.values, rtol=1e-6)
    np.testing.assert_allclose(screen.hill_col.values, case.screen.hill_col.values, rtol=1e-6)
    report = []
    for model, scored in (
        ("loewe", score_loewe(screen)),
        ("zip", score_zip(screen, fitter=drc_slice_fitter)),
    ):
        sf = "ZIP" if model == "zip" else "Loewe"
        block = np.abs(scored[f"{model}_score"].values - case.block(f"{sf}_synergy")).max()
        well = np.nanmax(np.abs(scored[model].values - case.well(f"{sf}_synergy")))
        report.append(f"{model}: block {block:.2e}, well {well:.2e}")
        assert block < 0.5 and well < 1.0
    print(folder, "; ".join(report))


@pytest.mark.parametrize("folder", ["sf_mathews", "sf_oneil"])
def test_default_scores_reproduce_synergyfinder_exactly(folder):
    """synergy.score on SynergyFinder's own input file: every score and well to 1e-8.

    The slices are fitted in the file's row order and replicate means summed as the
    reference table was made (see synergy.io.wells.replicate_mean), so nothing is left to
    the last bits drc is sensitive to.
    """
    import synergy
    from synergy.datasets import load_bundled

    case = SFCase(folder)
    scored = synergy.score(load_bundled(folder))
    for model, sf in (("zip", "ZIP"), ("loewe", "Loewe"), ("bliss", "Bliss"), ("hsa", "HSA")):
        np.testing.assert_allclose(
            scored[f"{model}_score"].values, case.block(f"{sf}_synergy"), atol=1e-8
        )
        np.testing.assert_allclose(
            scored[model].values, case.well(f"{sf}_synergy"), atol=1e-8, equal_nan=True
        )
