"""``fit_drc`` against SynergyFinder 3's own fits (drc 3.0-1 in R) on the bundled examples.

Single-drug data of drug k: the wells where every other dose is 0, including the control
well; sf_oneil uses the replicate-mean table (as SynergyFinder's reference run did);
sf_mathews and sf_ncats_3drug are viability (inhibition = 100 - response).  ZIP's fitted
surface: for every combination of the other doses, LL.4 along drug k over all its doses with
c fixed to the observed response at dose 0 of that slice; the surface is the mean of the
slice predictions at each combination well.

Order matters in the last bits (see ``fit_drc``): SynergyFinder fitted the ZIP slices in its
table's row order, which is the order of ``data.csv`` (sf_mathews and sf_ncats_3drug list
doses descending), and the single-drug fits of ``synergyfinder3_drc.csv`` in ascending dose
order.  The tests pass the points in those orders.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import optimize

from synergy.errors import SynergyError
from synergy.hill.drc import DrcFit, fit_drc

SETS = {  # folder: (response is viability, dose columns)
    "sf_mathews": (True, ["conc_row", "conc_col"]),
    "sf_oneil": (False, ["conc_row", "conc_col"]),
    "sf_ncats_3drug": (True, ["conc1", "conc2", "conc3"]),
}


def _mean_table(data_dir, name):
    viability, doses = SETS[name]
    data = pd.read_csv(data_dir / name / "data.csv")
    if viability:
        data["response"] = 100 - data["response"]
    # one row per well, in order of first appearance (SynergyFinder's table order)
    table = data.groupby(["block_id", *doses], as_index=False, sort=False)["response"].mean()
    return table, doses


def _pad(rows):
    width = max(len(x) for x, _ in rows)
    conc = np.full((len(rows), width), np.nan)
    resp = np.full((len(rows), width), np.nan)
    for i, (x, y) in enumerate(rows):
        conc[i, : len(x)] = x
        resp[i, : len(y)] = y
    return conc, resp


def _single_drug(table, doses, block, k):
    block_rows = table[table.block_id == block]
    alone = np.all([block_rows[c] == 0 for j, c in enumerate(doses) if j != k], axis=0)
    rows = block_rows[alone].sort_values(doses[k], kind="stable")
    return rows[doses[k]].to_numpy(), rows["response"].to_numpy()


@pytest.fixture(scope="module", params=list(SETS))
def single_fits(request, data_dir):
    name = request.param
    table, doses = _mean_table(data_dir, name)
    ref = pd.read_csv(data_dir / name / "synergyfinder3_drc.csv")
    rows = [_single_drug(table, doses, r.block_id, int(r.drug[-1]) - 1) for r in ref.itertuples()]
    return name, ref, rows, fit_drc(*_pad(rows))


def test_single_drug_fits_match_synergyfinder(single_fits):
    name, ref, _rows, fit = single_fits
    expected = ref[["b", "c", "d", "e"]].to_numpy(dtype=float)
    rel = np.abs(fit.params - expected) / np.abs(expected)
    # R's outputs were written with 15 significant digits: agreement is to the last digit
    assert rel.max() < 1e-12, (name, rel.max(axis=1))
    np.testing.assert_array_equal(fit.l4, ref["model"].to_numpy() == "L.4")
    assert (fit.status == 0).all()


def test_ispinesib_collapses_like_drc(data_dir):
    table, doses = _mean_table(data_dir, "sf_mathews")
    x, y = _single_drug(table, doses, 1, 0)
    fit = fit_drc(x, y)
    assert fit.b[0] == pytest.approx(0.459910438921545, rel=1e-12)
    assert fit.e[0] == pytest.approx(2.1561156455067152e17, rel=1e-12)
    assert fit.sse[0] == pytest.approx(5630, rel=1e-3)

    # drc's point is not the least-squares optimum: a 4-parameter log-logistic does far better
    def sse(q):
        b, c, d, log_e = q
        with np.errstate(over="ignore", divide="ignore"):
            pred = c + (d - c) / (1 + np.exp(b * (np.log(x) - log_e)))
        return float(np.sum((y - pred) ** 2))

    best = optimize.minimize(
        sse,
        [-3.0, -23.0, 60.0, 0.0],
        method="Nelder-Mead",
        options={"maxiter": 4000, "xatol": 1e-8, "fatol": 1e-10},
    )
    assert best.fun < 100 < fit.sse[0]


@pytest.mark.parametrize(
    ("b", "c", "d", "e"),
    [(-1.5, 5.0, 95.0, 3.0), (-0.8, -2.0, 60.0, 10.0), (2.0, 90.0, 10.0, 1.0), (-3, 0.0, 100, 20)],
)
def test_noise_free_curves_are_recovered(b, c, d, e):
    """On exact LL.4 data the SSE minimum is 0: drc stops within its tolerance of it."""
    x = np.array([0, 0.1, 0.3, 1, 3, 10, 30, 100.0])
    with np.errstate(divide="ignore"):
        y = c + (d - c) / (1 + np.exp(b * (np.log(x) - np.log(e))))
    truth = DrcFit(
        *(np.array([v]) for v in (b, c, d, e)),
        l4=np.array([False]),
        sse=np.zeros(1),
        n_iter=np.zeros(1, dtype=int),
        status=np.zeros(1, dtype=int),
    )
    for fixed_c in (None, c if b < 0 else None):
        fit = fit_drc(x, y, fixed_c=fixed_c)
        assert fit.status[0] == 0 and fit.sse[0] < 1e-7
        got, want = fit.to_hill(), truth.to_hill()
        for key in want:
            np.testing.assert_allclose(got[key], want[key], rtol=1e-4, atol=1e-4)


def _zip_surface(table, doses, block, ascending=False):
    """(wells, fitted ZIP surface at the combination wells, fits) for one block."""
    block_rows = table[table.block_id == block]
    rows, keys, fixed = [], [], []
    for dose_col in doses:
        others = [c for c in doses if c != dose_col]
        for _, line in block_rows.groupby(others, sort=False):  # slices in table order
            if ascending:
                line = line.sort_values(dose_col, kind="stable")
            rows.append((line[dose_col].to_numpy(), line["response"].to_numpy()))
            keys.append([tuple(w) for w in line[doses].to_numpy()])
            fixed.append(line["response"][line[dose_col] == 0].iloc[0])
    conc, resp = _pad(rows)
    fit = fit_drc(conc, resp, fixed_c=np.array(fixed))
    pred = fit.predict(conc)
    acc: dict[tuple, list[float]] = {}
    for i, wells in enumerate(keys):
        for j, well in enumerate(wells):
            acc.setdefault(well, []).append(pred[i, j])
    combos = [w for w in acc if sum(v > 0 for v in w) >= 2]
    assert all(len(acc[w]) == len(doses) for w in combos)
    return combos, np.array([np.mean(acc[w]) for w in combos]), fit


def _zip_differences(data_dir, name, ascending=False):
    table, doses = _mean_table(data_dir, name)
    surf = pd.read_csv(data_dir / name / "synergyfinder3_surface.csv")
    surf_doses = ["conc1", "conc2"] if len(doses) == 2 else doses
    expected = surf.set_index(["block_id", *surf_doses])["ZIP_fit"]
    for block in sorted(set(surf.block_id)):
        wells, fitted, fit = _zip_surface(table, doses, block, ascending)
        yield block, fitted - expected.loc[[(block, *w) for w in wells]].to_numpy(), fit


@pytest.mark.parametrize("name", list(SETS))
def test_zip_fitted_surface_matches_synergyfinder(data_dir, name):
    for block, diff, fit in _zip_differences(data_dir, name):
        # to the digits SynergyFinder's table holds, on every well (1,170 in sf_ncats_3drug)
        assert np.abs(diff).max() < 1e-9, (name, block, np.abs(diff).max())
        assert set(np.unique(fit.status)) <= {0, 1}
        if name == "sf_ncats_3drug":  # 340 slices: fallbacks, b > 0, maxit all reproduced
            assert fit.l4.sum() == 14 and (fit.b > 0).sum() == 85
            assert (fit.n_iter >= 500).sum() > 20  # long crawls agree too


def test_zip_slices_in_another_order_move_where_drc_crawls(data_dir):
    """sf_mathews block 2 in ascending dose order: one slice runs into maxit elsewhere."""
    diffs = dict((block, diff) for block, diff, _ in _zip_differences(data_dir, "sf_mathews", True))
    assert 0.05 < np.abs(diffs[2]).max() < 0.2
    assert abs(diffs[2].mean()) < 0.01  # the block's ZIP score moves by < 0.01 points
    assert np.abs(diffs[1]).max() < 1e-3


def test_to_hill_gives_the_same_curve():
    x = np.array([0.5, 1.0, 3.0, 10.0, 40.0])
    fit = DrcFit(
        b=np.array([-1.3, 0.7, -2.0]),
        c=np.array([3.0, 80.0, 1.0]),
        d=np.array([95.0, 10.0, 60.0]),
        e=np.array([4.0, 2.0, np.log(2.5)]),
        l4=np.array([False, False, True]),
        sse=np.zeros(3),
        n_iter=np.zeros(3, dtype=np.int64),
        status=np.array([0, 0, 1]),
    )
    h = fit.to_hill()
    assert (h["hill_slope"] > 0).all()
    hill = h["bottom"][:, None] + (h["top"] - h["bottom"])[:, None] / (
        1 + (h["ic50"][:, None] / x) ** h["hill_slope"][:, None]
    )
    np.testing.assert_allclose(fit.predict(x), hill, rtol=1e-12)
    np.testing.assert_allclose(h["ic50"], [4.0, 2.0, 2.5])
    assert fit.predict(np.array([0.0]))[0, 0] == 3.0  # bottom = E(0) for b < 0


def test_api_shapes_and_errors():
    x = np.array([0.0, 1, 3, 10, 30])
    y = np.array([[2.0, 10, 40, 75, 90], [1.0, 5, 20, 50, 70]])
    both = fit_drc(x, y, fixed_c=0.0)
    assert both.b.shape == (2,) and (both.c == 0.0).all()
    one = fit_drc(x, y[1], fixed_c=[0.0])
    np.testing.assert_array_equal(one.params[0], both.params[1])
    assert fit_drc(x, y, fixed_d=np.array([np.nan, 70.0])).d[1] == 70.0
    with pytest.raises(SynergyError):
        fit_drc(x[:4], y)
    with pytest.raises(SynergyError):
        fit_drc(x, y, fixed_c=[1.0, 2.0, 3.0])
    with pytest.raises(SynergyError):
        fit_drc(x, y, zero_dose=0.0)
    bad = fit_drc(np.array([[0.0, 1.0, np.nan]]), np.array([[np.inf, 2.0, 3.0]]))
    assert bad.status[0] == 4 and np.isnan(bad.params).all() and np.isnan(bad.predict(x)).all()
