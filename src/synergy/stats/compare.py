"""Differences of synergy between groups of blocks: :func:`compare`.

Each group's synergy is a **random-effects mean** of its blocks' scores (DerSimonian &
Laird 1986): block ``b`` contributes its score ``s_b`` with weight ``1 / (se_b² + τ²)``,
where ``se_b`` is the block's bootstrap standard error (``<model>_score_se`` from
:func:`synergy.score` with ``n_boot``) and ``τ²`` the between-block variance of the group
(moment estimator, ≥ 0).  The difference of two groups is ``μ_A − μ_B`` with variance
``var_A + var_B``; the interval is normal, the p-value two-sided (z-test), and p-values are
Benjamini–Hochberg adjusted over every row of the table.

Why: a plain t-test over blocks ignores how precisely each block is measured and cannot
compare one block with one block (revumenib vs ziftomenib in one cell line); a fixed-effect
(inverse-variance) mean ignores that blocks of a group differ biologically and is
over-confident when they do.  The random-effects mean reduces to the fixed-effect one when
the blocks agree (τ² = 0) and to the one-block comparison ``s_A − s_B ± z·√(se_A² + se_B²)``.
Without bootstrap standard errors the blocks get ``se_b = 0``: the group mean is then the
plain mean with standard error ``sd/√n`` (needs ≥ 2 blocks per group).

Reference: DerSimonian R, Laird N (1986) Control Clin Trials 7:177-188; Benjamini Y,
Hochberg Y (1995) J R Stat Soc B 57:289-300.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd
import xarray as xr
from scipy import special

from synergy.errors import SynergyError

__all__ = ["benjamini_hochberg", "compare", "random_effects_mean"]


def benjamini_hochberg(pvalues: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (NaN kept as NaN, not counted)."""
    p = np.asarray(pvalues, dtype=np.float64)
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    if ok.size == 0:
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    m = ok.size
    ranked = p[order] * m / np.arange(1, m + 1)
    out[order] = np.minimum(np.minimum.accumulate(ranked[::-1])[::-1], 1.0)
    return out


def random_effects_mean(score: np.ndarray, se: np.ndarray) -> tuple[float, float, float]:
    """DerSimonian–Laird random-effects mean of block scores.

    Parameters
    ----------
    score : (n,) block scores (% points); se : (n,) their standard errors (0 = unknown)

    Returns
    -------
    mean, standard error, τ² (% points, % points, % points²); NaN standard error when it
    cannot be estimated (one block without a standard error).
    """
    score = np.asarray(score, dtype=np.float64)
    var = np.asarray(se, dtype=np.float64) ** 2
    n = score.size
    if n == 0:
        return np.nan, np.nan, np.nan
    if n == 1:
        return float(score[0]), float(np.sqrt(var[0])) if var[0] > 0 else np.nan, 0.0
    if np.all(var > 0):
        w = 1.0 / var
        fixed = np.sum(w * score) / np.sum(w)
        q = np.sum(w * (score - fixed) ** 2)
        tau2 = max(0.0, (q - (n - 1)) / (np.sum(w) - np.sum(w * w) / np.sum(w)))
    else:  # no per-block errors: between-block variance only
        var = np.zeros(n)
        tau2 = float(np.var(score, ddof=1))
    if tau2 == 0.0 and not np.all(var > 0):
        return float(np.mean(score)), 0.0, 0.0
    w = 1.0 / (var + tau2)
    return float(np.sum(w * score) / np.sum(w)), float(np.sqrt(1.0 / np.sum(w))), float(tau2)


def _labels(scored: xr.Dataset, names: Sequence[str]) -> pd.DataFrame:
    table = {}
    for name in names:
        if name not in scored.coords and name not in scored:
            raise SynergyError(f"the screen has no coordinate {name!r} to group blocks by")
        values = scored[name]
        if values.dims != ("block",):
            raise SynergyError(f"{name!r} must be a per-block coordinate, has dims {values.dims}")
        table[name] = values.values.astype(str)
    return pd.DataFrame(table)


def compare(
    scored: xr.Dataset,
    score: str = "zip",
    by: str = "drug_row",
    reference: str | None = None,
    within: str | Sequence[str] | None = None,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Compare synergy between groups of blocks (see the module docstring for the method).

    Parameters
    ----------
    scored : xarray.Dataset
        A scored screen (:func:`synergy.score`), ideally with ``n_boot`` so that each block
        has ``<score>_score_se``.
    score : str
        Model whose block score is compared (``"zip"``, ``"bliss"``, ``"hsa"``, ``"loewe"``).
    by : str
        Per-block coordinate whose values form the groups (``"drug_row"``, ``"sample"``...).
    reference : str, optional
        Group every other group is compared with; default: every pair of groups.
    within : str or sequence of str, optional
        Coordinates to stratify by: groups are compared only inside each stratum (e.g.
        ``by="drug_row", within="sample"``: menin inhibitors compared within each cell line).
    ci : float
        Level of the intervals.

    Returns
    -------
    pandas.DataFrame
        One row per comparison: the ``within`` columns, ``group``, ``reference``,
        ``n_blocks``, ``n_blocks_reference``, ``score``, ``score_reference`` (random-effects
        means, % points), ``difference`` (group − reference), ``se``, ``low``, ``high``,
        ``pvalue``, ``p_adjusted`` (Benjamini–Hochberg over all rows), ``tau2``,
        ``tau2_reference``, ``also_differ`` (other per-block labels, e.g. ``sample``,
        whose values differ between the two groups: the difference is not ``by``'s
        alone; "" when none) and ``note`` (why a p-value is missing or weak: no
        bootstrap, one block per group, confounding; "" when nothing to say);
        ``attrs["method"]`` says how, ``attrs["notes"]`` (list of str) what holds for
        the whole table.
    """
    name = f"{score}_score"
    if name not in scored:
        raise SynergyError(f"the screen has no {name!r}: score it with {score!r} first")
    if not 0 < ci < 1:
        raise SynergyError(f"ci must be in (0, 1), got {ci!r}")
    strata = [] if within is None else [within] if isinstance(within, str) else list(within)
    labels = _labels(scored, [by, *strata])
    factors = _other_factors(scored, [by, *strata])
    for factor in factors:
        labels[factor] = scored[factor].values.astype(str)
    values = np.asarray(scored[name].values, dtype=np.float64)
    has_se = f"{name}_se" in scored
    se = np.asarray(scored[f"{name}_se"].values, dtype=np.float64) if has_se else None
    labels["_score"] = values
    labels["_se"] = se if has_se else 0.0
    usable = np.isfinite(values) & (np.isfinite(labels["_se"].to_numpy()))
    left_out = int(np.sum(~usable))
    labels = labels[usable]
    z = special.ndtri(0.5 + ci / 2)
    rows = []
    groups = labels.groupby(strata, sort=True) if strata else [((), labels)]
    for key, part in groups:
        key = key if isinstance(key, tuple) else (key,)
        stats = {
            g: (len(sub), *random_effects_mean(sub["_score"].to_numpy(), sub["_se"].to_numpy()))
            for g, sub in part.groupby(by, sort=True)
        }
        members = {g: sub for g, sub in part.groupby(by, sort=True)}
        if reference is not None:
            if reference not in stats:
                continue
            pairs = [(g, reference) for g in stats if g != reference]
        else:
            pairs = list(itertools.combinations(sorted(stats), 2))
        for g, r in pairs:
            n_g, mu_g, se_g, tau_g = stats[g]
            n_r, mu_r, se_r, tau_r = stats[r]
            diff = mu_g - mu_r
            err = float(np.hypot(se_g, se_r))
            p = float(2.0 * special.ndtr(-abs(diff) / err)) if err > 0 else np.nan
            differs = _differing(members[g], members[r], factors)
            row = dict(zip(strata, key, strict=True))
            row.update(
                group=g, reference=r, n_blocks=n_g, n_blocks_reference=n_r, score=mu_g,
                score_reference=mu_r, difference=diff, se=err, low=diff - z * err,
                high=diff + z * err, pvalue=p, tau2=tau_g, tau2_reference=tau_r,
                also_differ=", ".join(differs),
                note=_row_note(by, g, r, n_g, n_r, err, has_se, differs),
            )  # fmt: skip
            rows.append(row)
    columns = [*strata, "group", "reference", "n_blocks", "n_blocks_reference", "score",
               "score_reference", "difference", "se", "low", "high", "pvalue", "p_adjusted",
               "tau2", "tau2_reference", "also_differ", "note"]  # fmt: skip
    table = pd.DataFrame(rows, columns=columns)
    table["p_adjusted"] = benjamini_hochberg(table["pvalue"].to_numpy(dtype=np.float64))
    table.attrs["method"] = (
        f"random-effects (DerSimonian-Laird) mean of {name} per group, weights "
        f"1/(se_b^2 + tau^2) with se_b = "
        + ("the bootstrap standard error" if has_se else "0 (no bootstrap: between-block only)")
        + f"; difference z-test, {100 * ci:g} % normal interval; Benjamini-Hochberg over rows"
    )
    table.attrs["by"] = by
    table.attrs["notes"] = _table_notes(table, name, has_se, left_out)
    return table


#: block standard errors are missing: what to call (the stated default of the bootstrap)
NO_BOOTSTRAP = "no bootstrap: score with n_boot=200 for each block's standard error"


def _other_factors(scored: xr.Dataset, used: Sequence[str]) -> list[str]:
    """Per-block labels besides the compared and stratifying ones, with > 1 value."""
    return [
        str(name)
        for name, coord in scored.coords.items()
        if name != "block"
        and name not in used
        and coord.dims == ("block",)
        and len(np.unique(coord.values.astype(str))) > 1
    ]


def _differing(a: pd.DataFrame, b: pd.DataFrame, factors: Sequence[str]) -> list[str]:
    """Factors whose values in group ``a`` and group ``b`` are not the same set."""
    return [f for f in factors if set(a[f]) != set(b[f])]


def _row_note(
    by: str, g: str, r: str, n_g: int, n_r: int, err: float, has_se: bool, differs: list[str]
) -> str:
    """Why a row's p-value is missing or weak, in words ("" when nothing to say)."""
    notes = []
    single = [x for x, n in ((g, n_g), (r, n_r)) if n == 1]
    if len(single) == 2:
        notes.append("one block per group: no between-block variance")
    elif single:
        notes.append(f"one block in {by} {single[0]!r}: no between-block variance for it")
    if not has_se:
        notes.append(NO_BOOTSTRAP)
    if not np.isfinite(err):
        notes.append("no standard error of the difference, so no p-value")
    elif err == 0:
        notes.append("every block scores the same and has no standard error: no p-value")
    elif single and has_se:
        notes.append("the p-value reflects measurement noise only, not replication")
    if differs:
        notes.append(f"the groups also differ in {', '.join(differs)}: not only {by}")
    return "; ".join(notes)


def _table_notes(table: pd.DataFrame, name: str, has_se: bool, left_out: int) -> list[str]:
    notes = []
    if not has_se:
        notes.append(f"{NO_BOOTSTRAP} ({name}_se is missing); groups of one block get no p-value")
    if left_out:
        notes.append(f"{left_out} block(s) without a finite {name} (or its se) left out")
    n_missing = int(table["pvalue"].isna().sum())
    if n_missing:
        notes.append(f"{n_missing} comparison(s) without a p-value: see the note column")
    n_confounded = int((table["also_differ"] != "").sum())
    if n_confounded:
        notes.append(
            f"{n_confounded} comparison(s) between groups that differ in more than the "
            "compared factor (also_differ): stratify with within=..."
        )
    return notes
