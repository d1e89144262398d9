"""MuSyC (γ = 1) on simulated screens whose truth is known.

The simulator's MuSyC surface (``synergy.datasets._surfaces.musyc_surface``, built from the
matrix-tree weights of the 4-state cycle) is independent of the kernel's closed form; the
kernel is checked against a linear solve in ``tests/_kernels/test_musyc_kernel.py``.
The 200-block recovery figures are ``python benchmarks/bench_musyc.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import synergy
from synergy.datasets import simulate
from synergy.hill import fit_screen
from synergy.io.screen import build_screen
from synergy.models.musyc import ALPHA_BOUNDS, MUSYC_PARAMS, default_draws, fit_musyc


def fitted(screen):
    return fit_musyc(fit_screen(screen, fitter="lsq"))


def synergistic_screen(n_block, seed, noise_sd=3.0):
    rng = np.random.default_rng(seed)
    log_a12 = rng.uniform(-1, 1, n_block)
    log_a21 = rng.uniform(-1, 1, n_block)
    beta = rng.uniform(-0.3, 0.5, n_block)
    screen = simulate(
        n_block, model="musyc", alpha12=10**log_a12, alpha21=10**log_a21, beta=beta,
        noise_sd=noise_sd, n_replicates=2, seed=seed,
    )  # fmt: skip
    return screen, {"log_alpha12": log_a12, "log_alpha21": log_a21, "beta": beta}


def test_noise_free_surfaces_give_the_true_parameters():
    screen, truth = synergistic_screen(6, seed=11, noise_sd=0.0)
    out = fitted(screen)
    assert np.all(out["musyc_status"].values == 0)
    params = out["musyc"].sel(musyc_param=list(MUSYC_PARAMS)).values
    hr, hc = screen["true_hill_row"].values, screen["true_hill_col"].values
    want = np.stack(
        [hr[:, 2], hr[:, 3], hc[:, 3], screen["true_e3"].values, hr[:, 1], hc[:, 1],
         hr[:, 0], hc[:, 0], screen["true_alpha12"].values, screen["true_alpha21"].values],
        axis=1,
    )  # fmt: skip
    np.testing.assert_allclose(params, want, rtol=1e-5, atol=1e-6)
    for name, values in truth.items():
        np.testing.assert_allclose(out[f"musyc_{name}"].values, values, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        out["musyc_fitted"].values, screen["true_response"].values, atol=1e-6
    )


def test_recovery_within_the_intervals():
    """Fast version of the benchmark: log alpha and beta inside their 95 % intervals."""
    screen, truth = synergistic_screen(60, seed=21)
    out = fitted(screen)
    assert np.mean(out["musyc_status"].values == 0) >= 0.9
    for name, values in truth.items():
        ci = out[f"musyc_{name}_ci"].values
        covered = (ci[:, 0] <= values) & (values <= ci[:, 1])
        assert covered.mean() >= 0.85, name


def test_additive_surfaces_are_not_called_synergistic():
    """alpha = 1, beta = 0: one-sided calls (interval above 0) near the nominal 2.5 %."""
    out = fitted(simulate(120, model="musyc", noise_sd=3.0, n_replicates=2, seed=31))
    for name in ("log_alpha12", "log_alpha21", "beta"):
        ci = out[f"musyc_{name}_ci"].values
        # 2.5 % nominal; 7.5 % is > 3 binomial sd above it for 120 blocks
        assert np.mean(ci[:, 0] > 0) <= 0.075, name


def swapped(screen):
    """The same screen with the two drugs exchanged (rows <-> columns)."""
    response = screen["response"].transpose("block", "col", "row", "replicate").values
    return build_screen(
        screen["block"].values, screen["drug_col"].values, screen["drug_row"].values,
        screen["sample"].values, screen["conc_col"].values, screen["conc_row"].values,
        response, conc_unit=screen.attrs["conc_unit"],
    )  # fmt: skip


def test_swapping_the_drugs_swaps_the_parameters():
    screen, _ = synergistic_screen(8, seed=41)
    screen = screen[["response"]]
    a = fitted(screen)
    b = fitted(swapped(screen))
    order = ["E0", "E2", "E1", "E3", "h2", "h1", "C2", "C1", "alpha21", "alpha12"]
    ok = (a["musyc_status"].values == 0) & (b["musyc_status"].values == 0)
    assert ok.sum() >= 6
    np.testing.assert_allclose(a["musyc_sse"].values[ok], b["musyc_sse"].values[ok], rtol=1e-6)
    np.testing.assert_allclose(
        a["musyc"].values[ok], b["musyc"].sel(musyc_param=order).values[ok], rtol=1e-4,
        atol=1e-6,
    )  # fmt: skip
    np.testing.assert_allclose(a["musyc_beta"].values[ok], b["musyc_beta"].values[ok], atol=1e-6)


def test_rescaling_the_doses_scales_only_c():
    screen, _ = synergistic_screen(5, seed=51)
    screen = screen[["response"]]
    scaled = screen.assign_coords(
        conc_row=screen["conc_row"] * 1000.0, conc_col=screen["conc_col"] * 1000.0
    )
    a, b = fitted(screen), fitted(scaled)
    ratio = b["musyc"].values / a["musyc"].values
    c_cols = [MUSYC_PARAMS.index("C1"), MUSYC_PARAMS.index("C2")]
    np.testing.assert_allclose(ratio[:, c_cols], 1000.0, rtol=1e-4)
    others = [j for j in range(10) if j not in c_cols]
    np.testing.assert_allclose(ratio[:, others], 1.0, rtol=1e-4)


def test_failed_blocks_get_a_status_and_nan():
    screen, _ = synergistic_screen(3, seed=61)
    response = screen["response"].values.copy()
    response[1, 1:, 0] = np.nan  # block 2: the row drug alone was never measured ...
    response[1, 3:] = np.nan  # ... and only two of its doses in combination
    response[2, 1:, 1:] = np.nan  # block 3: no combination well
    screen = screen.assign(response=(screen["response"].dims, response))
    out = fitted(screen)
    assert out["musyc_status"].values.tolist() == [0, 10, 12]
    assert np.all(np.isnan(out["musyc"].values[1:]))
    meanings = out["musyc_status"].attrs["flag_meanings"].split()
    codes = out["musyc_status"].attrs["flag_values"].tolist()
    assert meanings[codes.index(10)] == "no_monotherapy"


def test_a_missing_single_drug_edge_is_fitted_from_the_surface():
    """Without the row drug's single-drug wells the surface still determines its curve
    (tests/models/test_no_edges.py has the full grids without edges)."""
    screen, truth = synergistic_screen(3, seed=61, noise_sd=0.0)
    response = screen["response"].values.copy()
    response[1, 1:, 0] = np.nan
    out = fitted(screen.assign(response=(screen["response"].dims, response)))
    assert out["musyc_status"].values.tolist() == [0, 5, 0]
    meanings = out["musyc_status"].attrs["flag_meanings"].split()
    codes = out["musyc_status"].attrs["flag_values"].tolist()
    assert meanings[codes.index(5)] == "fitted_without_monotherapy"
    np.testing.assert_allclose(out["musyc_log_alpha12"].values, truth["log_alpha12"], atol=1e-4)


def test_missing_wells_and_replicates_are_used():
    screen = simulate(
        4, model="musyc", alpha12=3.0, alpha21=0.5, beta=0.3, noise_sd=2.0, n_replicates=3,
        missing_fraction=0.2, seed=71,
    )  # fmt: skip
    out = fitted(screen)
    n_measured = np.isfinite(screen["response"].values).reshape(4, -1).sum(axis=1)
    assert out["musyc_n_points"].values.tolist() == n_measured.tolist()
    assert np.all(out["musyc_status"].values == 0)


def test_score_registers_musyc():
    screen, _ = synergistic_screen(3, seed=81)
    scored = synergy.score(screen[["response"]], models=["bliss", "musyc"], fitter="lsq")
    assert {"musyc", "musyc_beta_ci", "musyc_status", "status"} <= set(scored.data_vars)
    assert np.all(scored["status"].values == 0)
    with pytest.raises(ValueError):
        fit_musyc(fit_screen(screen, fitter="lsq"), ci=1.5)


def test_wald_and_profile_intervals():
    screen, _ = synergistic_screen(6, seed=91)
    fits = fit_screen(screen, fitter="lsq")
    wald = fit_musyc(fits, intervals="wald")
    prof = fit_musyc(fits, intervals="profile")
    from scipy.stats import t

    n = wald["musyc_n_points"].values
    se = wald["musyc_stderr"].sel(musyc_param="alpha12").values
    alpha = wald["musyc"].sel(musyc_param="alpha12").values
    half = t.ppf(0.975, n - 10) * se / alpha / np.log(10)  # delta method back to log10
    centre = wald["musyc_log_alpha12"].values
    np.testing.assert_allclose(
        wald["musyc_log_alpha12_ci"].values, np.stack([centre - half, centre + half], 1)
    )
    # same fit; the profile interval holds the estimate
    np.testing.assert_allclose(prof["musyc"].values, wald["musyc"].values)
    ci = prof["musyc_log_alpha12_ci"].values
    assert np.all((ci[:, 0] < centre) & (centre < ci[:, 1]))
    with pytest.raises(ValueError, match="intervals"):
        fit_musyc(fits, intervals="bootstrap")


def test_results_round_trip_through_netcdf(tmp_path):
    from synergy.io.store import open_screen, save_screen

    screen, _ = synergistic_screen(3, seed=95)
    scored = synergy.score(screen[["response"]], models=["musyc"], fitter="lsq")
    back = open_screen(save_screen(scored, tmp_path / "scored.nc"))
    for name in ("musyc", "musyc_log_alpha12_ci", "musyc_beta_ci", "musyc_status"):
        np.testing.assert_array_equal(back[name].values, scored[name].values)
    assert (
        back["musyc_status"].attrs["flag_meanings"] == scored["musyc_status"].attrs["flag_meanings"]
    )


def test_a_drug_without_effect_leaves_its_alpha_unbounded():
    """Drug 2 has no effect (top = bottom): alpha12 (drug 1 on drug 2's potency) is not
    identified, so its profile interval is open on both sides and the status says so."""
    screen = simulate(
        3, model="musyc", hill_row={"ic50": 10.0, "top": 80.0},
        hill_col={"ic50": 10.0, "top": 0.0}, alpha12=[1.0, 3.0, 0.3], beta=0.0,
        noise_sd=2.0, seed=4,
    )  # fmt: skip
    out = fitted(screen)
    ci = out["musyc_log_alpha12_ci"].values
    assert np.all(ci[:, 0] == -np.inf)
    unbounded = np.all(np.isinf(ci), axis=1)
    assert unbounded.any()
    status = out["musyc_status"].values
    assert np.all((status[unbounded] == 9) | (status[unbounded] == 7) | (status[unbounded] == 8))


def test_calibrated_intervals_and_pvalues():
    """calibrate=: bootstrap critical values in the profile intervals, and p-values."""
    screen, _ = synergistic_screen(8, seed=93)
    fits = fit_screen(screen, fitter="lsq")
    plain = fit_musyc(fits, calibrate=0)
    cal = fit_musyc(fits, calibrate=39, seed=3)
    np.testing.assert_allclose(cal["musyc"].values, plain["musyc"].values)
    for name in ("alpha12", "alpha21"):
        ci, ci0 = cal[f"musyc_log_{name}_ci"].values, plain[f"musyc_log_{name}_ci"].values
        centre = cal[f"musyc_log_{name}"].values
        p = cal[f"musyc_log_{name}_pvalue"].values
        assert np.all((ci[:, 0] < centre) & (centre < ci[:, 1]))
        assert np.all((p > 0) & (p <= 1))
        assert not np.allclose(ci, ci0)  # other critical values, other ends
        # the interval excludes 0 exactly when the test rejects
        excludes = (ci[:, 0] > 0) | (ci[:, 1] < 0)
        # the interval excludes 0 only when the test rejects (it is the hull of the
        # confidence set; a bimodal likelihood can hold 0 in the hull while rejecting it)
        assert np.all(p[excludes] <= 0.05)
        assert np.sum(excludes != (p <= 0.05)) <= 1
        assert "bootstrap" in cal[f"musyc_log_{name}_ci"].attrs["long_name"]
    assert "musyc_log_alpha12_pvalue" not in plain
    again = fit_musyc(fits, calibrate=39, seed=3)
    np.testing.assert_array_equal(again["musyc_log_alpha12_ci"], cal["musyc_log_alpha12_ci"])
    # streams keyed by block id: a block's intervals do not depend on the other blocks
    part = fit_musyc(fits.isel(block=[5, 2]), calibrate=39, seed=3)
    np.testing.assert_array_equal(
        part["musyc_log_alpha21_ci"].values, cal["musyc_log_alpha21_ci"].values[[5, 2]]
    )
    with pytest.raises(ValueError, match="calibrate"):
        fit_musyc(fits, intervals="wald", calibrate=99)
    with pytest.raises(ValueError, match="calibrate"):
        fit_musyc(fits, calibrate=2.5)


def test_calibration_is_the_default():
    """calibrate=None: round(4/(1 - ci)) - 1 draws (79 at 95 %); off for Wald intervals."""
    screen, _ = synergistic_screen(4, seed=94)
    fits = fit_screen(screen, fitter="lsq")
    assert default_draws(0.95) == 79 and default_draws(0.9) == 39
    xr.testing.assert_identical(fit_musyc(fits), fit_musyc(fits, calibrate=79, seed=0))
    xr.testing.assert_identical(
        fit_musyc(fits, ci=0.9, seed=2), fit_musyc(fits, ci=0.9, calibrate=39, seed=2)
    )
    wald = fit_musyc(fits, intervals="wald")
    assert "musyc_log_alpha12_pvalue" not in wald


def test_an_alpha_on_its_bound_leaves_both_alphas_unidentified():
    """Additive block 107 of seed 31 ends with an alpha on its bound (1e-4 or 1e4): both
    log alpha intervals are (-inf, inf), p-values NaN, status alpha_on_bound; the other
    blocks and every estimate are as with alpha_on_bound="keep"."""
    screen = simulate(120, model="musyc", noise_sd=3.0, n_replicates=2, seed=31)
    fits = fit_screen(screen.sel(block=["105", "106", "107", "108"]), fitter="lsq")
    out = fit_musyc(fits, calibrate=39, seed=5)
    keep = fit_musyc(fits, calibrate=39, seed=5, alpha_on_bound="keep")
    alphas = out["musyc"].sel(musyc_param=["alpha12", "alpha21"]).values
    edge = np.isclose(alphas, ALPHA_BOUNDS[0], rtol=1e-6) | np.isclose(
        alphas, ALPHA_BOUNDS[1], rtol=1e-6
    )
    on_bound = edge.any(axis=1)
    assert on_bound.tolist() == [False, False, True, False]
    status = out["musyc_status"]
    codes = status.attrs["flag_values"].tolist()
    assert status.attrs["flag_meanings"].split()[codes.index(6)] == "alpha_on_bound"
    assert status.values.tolist() == [0, 0, 6, 0]
    assert keep["musyc_status"].values[2] == 7  # hit_bound
    for name in ("alpha12", "alpha21"):
        ci = out[f"musyc_log_{name}_ci"].values
        assert np.all(ci[2] == [-np.inf, np.inf])
        assert np.isnan(out[f"musyc_log_{name}_pvalue"].values[2])
        kept = keep[f"musyc_log_{name}_ci"].values[2]
        assert np.isfinite(kept).sum() >= 1  # "keep": the profile's ends (one may be open)
        np.testing.assert_array_equal(ci[~on_bound], keep[f"musyc_log_{name}_ci"].values[~on_bound])
    np.testing.assert_array_equal(out["musyc"].values, keep["musyc"].values)
    with pytest.raises(ValueError, match="alpha_on_bound"):
        fit_musyc(fits, alpha_on_bound="drop")


def test_score_passes_model_options():
    screen, _ = synergistic_screen(3, seed=95)
    out = synergy.score(screen, ["musyc"], model_options={"musyc": {"calibrate": 39}})
    assert "musyc_log_alpha12_pvalue" in out
    assert '"calibrate": 39' in out.attrs["scoring"]
    # score's seed reaches the calibration unless model_options sets one
    seeded = synergy.score(screen, ["musyc"], seed=7, model_options={"musyc": {"calibrate": 39}})
    direct = synergy.score(screen, ["musyc"], model_options={"musyc": {"calibrate": 39, "seed": 7}})
    np.testing.assert_array_equal(
        seeded["musyc_log_alpha12_ci"].values, direct["musyc_log_alpha12_ci"].values
    )
    with pytest.raises(ValueError, match="model_options"):
        synergy.score(screen, ["bliss"], model_options={"musyc": {"calibrate": 39}})
    with pytest.raises(ValueError, match="model_options"):
        synergy.score(screen, ["bliss"], model_options={"bliss": {}})


def test_a_disconnected_confidence_set_is_reported_as_its_hull():
    """Additive block 418 of seed 11: the likelihood of alpha12 has two modes, and
    r(θ) = sign · sqrt((S(θ) − S)/σ²) rises above t beyond the estimate, then falls below t
    again before θ = 0 (checked here with scipy).  The interval around the estimate then
    excludes 0 while the test keeps alpha12 = 1; the reported interval is the hull."""
    from scipy.optimize import least_squares
    from scipy.stats import t as student_t

    from synergy.models.musyc import kernel
    from synergy.models.surface_inputs import fit_points, start_and_bounds

    screen = simulate(["418"], model="musyc", noise_sd=3.0, n_replicates=2, seed=11)
    fits = fit_screen(screen, fitter="lsq")
    out = fit_musyc(fits, seed=11)
    plain = fit_musyc(fits, calibrate=0)
    ci, ci0 = out["musyc_log_alpha12_ci"].values[0], plain["musyc_log_alpha12_ci"].values[0]
    assert ci0[1] < 0 < ci[1]  # F-test interval excludes 0; the hull holds it
    assert out["musyc_log_alpha12_pvalue"].values[0] > 0.05
    # scipy: r at 0 is inside t, r just beyond the F-test end outside it
    d1, d2, y = fit_points(fits)
    init, bounds = start_and_bounds(fits, y)
    q, _, sse, n, _, _ = kernel.fit_musyc(d1, d2, y, init, bounds, 200)
    ok = np.isfinite(y[0])
    free = [j for j in range(10) if j != 8]

    def r(theta):
        def held(x):
            qq = np.empty(10)
            qq[free], qq[8] = x, theta
            return kernel.musyc_value(d1[0][ok], d2[0][ok], qq) - y[0][ok]

        best = min(
            2 * least_squares(held, s[free], bounds=tuple(bounds[0, free].T), xtol=1e-12,
                              ftol=1e-12).cost
            for s in (q[0], init[0])
        )  # fmt: skip
        return np.sqrt((best - sse[0]) / (sse[0] / (n[0] - 10)))

    t = student_t.ppf(0.975, n[0] - 10)
    assert r(0.0) < t < r((ci0[1] + 0.05) * np.log(10))
