""":class:`BenchmarkResult`: what :func:`synergy.benchmark.compare` returns, and its text."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

__all__ = ["BenchmarkResult"]


@dataclass
class BenchmarkResult:
    """Agreement of our scores with a published table.

    Attributes
    ----------
    blocks : pandas.DataFrame
        One row per matched block and model: ``block``, ``published_block``, ``drug_row``,
        ``drug_col``, ``sample``, ``swapped``, ``matched_by``, ``model``, ``ours``,
        ``theirs``, ``diff`` (ours − theirs, % points), ``abs_diff``, ``within`` (|diff| ≤
        tolerance), ``fit_status`` (our single-drug fits, e.g. ``"row: converged; col:
        flat"``), ``status`` (our block status: 0 ok, 1 warning, 2 failed) and
        ``status_reason``; blocks beyond tolerance also carry ``explanation``.
    summary : pandas.DataFrame
        One row per model (index): ``n``, ``n_missing``, ``pearson_r`` (+ ``_lower``/
        ``_upper``, 95 % Fisher z), ``spearman_rho`` (+ bounds), ``mean_abs_diff``,
        ``median_abs_diff``, ``max_abs_diff``, ``within_tolerance``, ``within_1``,
        ``n_outside``, ``bias``, ``loa_lower``, ``loa_upper`` (Bland–Altman).
    evidence : pandas.DataFrame
        One row per (block, model) beyond tolerance: our status, single-drug SSEs (ours,
        the published fit's on the same points, the other fitter's), the score under the
        other fitter and the other convention, wells the other tool had that we lack, and
        ``explanation`` in words.
    wells, well_summary : pandas.DataFrame or None
        Per-well δ comparison (combination wells) and its per-model agreement, when the
        published tables include surfaces.
    unmatched_screen, unmatched_published : list of str
        Blocks without a partner on either side.
    conventions : pandas.DataFrame or None
        ``convention="auto"``: the per-model summary under each convention (columns
        ``convention``, ``model`` + the summary columns) and ``best`` per model.
    block_conventions : pandas.DataFrame or None
        ``convention="auto"``: per block and model, |diff| under each convention and which
        is closer (``"tie"`` within :data:`~synergy.benchmark.convention.TIE_POINTS`).
    best : dict
        ``convention="auto"``: model → best convention or ``"tie"``; ``"overall"`` too.
    baselines, block_baselines : pandas.DataFrame or None
        ``convention="auto"``: as ``conventions`` / ``block_conventions`` for SynergyFinder's
        baseline corrections (``correct_baseline`` = ``non``, ``part``, ``all``) under the
        chosen convention.
    best_baseline : dict
        ``convention="auto"``: model → best ``correct_baseline`` or ``"tie"``; ``"overall"``.
    ties : dict
        For every ``"tie"`` of ``best`` / ``best_baseline``: the settings tied, under keys
        ``"convention:<model>"`` and ``"baseline:<model>"``.
    settings : dict
        ``convention``, ``fitter``, ``tolerance``, ``models``, ``published_fits`` (blocks
        scored with the published fits), ``tables`` (formats and columns read).
    scored : xarray.Dataset
        The scored screen behind ``blocks`` (under ``settings["convention"]``).
    fit_checks : pandas.DataFrame or None
        docs/design.md §6.23's check on every matched block: SSE of the single-drug fits used
        and of the other fitter's, ``improved`` (by > 1 %), and the fitted models' scores with
        the other fitter where improved (``check_<model>``); mirrored in ``blocks`` as
        ``fit_check`` (words) and ``check_score``.
    """

    blocks: pd.DataFrame
    summary: pd.DataFrame
    evidence: pd.DataFrame
    wells: pd.DataFrame | None = None
    well_summary: pd.DataFrame | None = None
    unmatched_screen: list[str] = field(default_factory=list)
    unmatched_published: list[str] = field(default_factory=list)
    conventions: pd.DataFrame | None = None
    block_conventions: pd.DataFrame | None = None
    best: dict[str, str] = field(default_factory=dict)
    baselines: pd.DataFrame | None = None
    block_baselines: pd.DataFrame | None = None
    best_baseline: dict[str, str] = field(default_factory=dict)
    ties: dict[str, list[str]] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    scored: xr.Dataset | None = None
    fit_checks: pd.DataFrame | None = None

    @property
    def tolerance(self) -> float:
        return float(self.settings["tolerance"])

    def outside(self) -> pd.DataFrame:
        """Rows of :attr:`blocks` beyond tolerance (or not comparable), worst first."""
        bad = self.blocks[~self.blocks["within"]]
        return bad.sort_values("abs_diff", ascending=False, na_position="first")

    def passed(self, max_outside: int = 0) -> bool:
        """True when every model is within tolerance on all but ``max_outside`` blocks."""
        counts = self.outside().groupby("model").size()
        return bool((counts <= max_outside).all()) if len(counts) else True

    def worst(self, n: int = 5) -> pd.DataFrame:
        """The ``n`` rows of :attr:`blocks` with the largest |diff|."""
        return self.outside().head(n)

    def to_table(self) -> pd.DataFrame:
        """:attr:`blocks` with the evidence columns joined (NaN for blocks within tolerance)."""
        if self.evidence.empty:
            return self.blocks.copy()
        extra = [c for c in self.evidence.columns if c not in self.blocks.columns]
        return self.blocks.merge(
            self.evidence[["block", "model", *extra]], on=["block", "model"], how="left"
        )

    def verdict(self, max_outside: int = 0, n_worst: int = 5) -> str:
        """One line: PASS, or FAIL naming the worst blocks."""
        if self.passed(max_outside):
            allowed = f" (all but {max_outside} per model)" if max_outside else ""
            return (
                f"PASS: every model within {self.tolerance:g} points of the published scores "
                f"on all matched blocks{allowed}"
            )
        counts = self.outside().groupby("model", sort=False).size()
        over = ", ".join(f"{m} {n}" for m, n in counts.items() if n > max_outside)
        worst = "; ".join(
            f"block {r.block!r} {r.model} {r.diff:+.3f}" for r in self.worst(n_worst).itertuples()
        )
        return (
            f"FAIL: blocks beyond {self.tolerance:g} points (allowed {max_outside} per model): "
            f"{over}; worst: {worst}"
        )

    def lines(self, max_blocks: int = 10) -> list[str]:
        """The result as printable lines (what ``synergy benchmark`` prints)."""
        s = self.settings
        out = [
            f"convention {s['convention']}, fitter {s['fitter']}, tolerance "
            f"{self.tolerance:g} points"
            + (
                f"; published fits used for {len(s['published_fits'])} block(s)"
                if s.get("published_fits")
                else ""
            )
        ]
        for table in s.get("tables", []):
            out.append(f"read {table}")
        n_pairs = self.blocks["block"].nunique()
        out.append(
            f"matched {n_pairs} block(s); {len(self.unmatched_screen)} of ours and "
            f"{len(self.unmatched_published)} published without a partner"
        )
        for block in self.unmatched_screen[:max_blocks]:
            out.append(f"  only in the screen: block {block!r}")
        for text in self.unmatched_published[:max_blocks]:
            out.append(f"  only in the published table: {text}")
        swapped = self.blocks.loc[self.blocks["swapped"], "block"].unique()
        if len(swapped):
            out.append(f"  drug order swapped in the published table: {list(swapped)[:10]}")
        out += ["", _summary_text(self.summary, self.tolerance)]
        if "fit_check" in self.blocks:
            flagged = self.blocks[self.blocks["fit_check"] != ""]
            if len(flagged):
                other = self.fit_checks["other_fitter"].iloc[0]
                out += [
                    "",
                    f"fit check: {flagged['block'].nunique()} block(s) rest on a single-drug "
                    f"fit that fitter='{other}' improves by > 1 % in SSE:",
                ]
                for row in flagged.head(max_blocks).itertuples():
                    out.append(f"  block {row.block!r} {row.model}: {row.fit_check}")
        if self.well_summary is not None and len(self.well_summary):
            out += ["", "per-well δ (combination wells):", _well_text(self.well_summary)]
            doses = [c for c in self.wells.columns if c.startswith("conc_")]
            off_grid = self.wells.loc[~self.wells["placed"], ["block", *doses]]
            off_grid = off_grid.drop_duplicates()
            if len(off_grid):
                unit = self.scored.attrs.get("conc_unit", "?") if self.scored is not None else "?"
                out.append(
                    f"  {len(off_grid)} published combination well(s) are not on our dose grid "
                    f"(doses must be in the screen's unit, {unit})"
                )
        if self.conventions is not None:
            out += ["", "which convention reproduces the table (mean |diff|, within tolerance):"]
            out += _convention_text(self.conventions, self.best, "convention", self.ties)
        if self.baselines is not None:
            out += [
                "",
                f"which baseline correction reproduces the table (under {s['convention']}; "
                "mean |diff|, within tolerance):",
            ]
            out += _convention_text(
                self.baselines, self.best_baseline, "correct_baseline", self.ties, "baseline"
            )
        bad = self.outside()
        if len(bad):
            out += ["", f"beyond tolerance ({len(bad)} block × model), worst first:"]
            for row in bad.head(max_blocks).itertuples():
                out.append(
                    f"  block {row.block!r} {row.model}: ours {row.ours:.3f}, published "
                    f"{row.theirs:.3f}, diff {row.diff:+.3f}"
                )
                if isinstance(getattr(row, "explanation", None), str) and row.explanation:
                    out.append(f"    why: {row.explanation}")
            if len(bad) > max_blocks:
                out.append(f"  … {len(bad) - max_blocks} more (write them with --table)")
        return out

    def __repr__(self) -> str:
        return "\n".join(self.lines())


def _fmt(value: float, digits: int = 3) -> str:
    return "nan" if not np.isfinite(value) else f"{value:.{digits}f}"


def _summary_text(summary: pd.DataFrame, tolerance: float) -> str:
    head = (
        f"{'model':<6} {'n':>3}  {'pearson r [95% CI]':<22} {'spearman ρ [95% CI]':<22} "
        f"{'mean|d|':>8} {'max|d|':>8} {'≤tol':>5} {'≤1':>5}  {'bias [LoA]':<24}"
    )
    rows = [head]
    for model, r in summary.iterrows():
        pear = f"{_fmt(r.pearson_r)} [{_fmt(r.pearson_lower, 2)}, {_fmt(r.pearson_upper, 2)}]"
        spear = f"{_fmt(r.spearman_rho)} [{_fmt(r.spearman_lower, 2)}, {_fmt(r.spearman_upper, 2)}]"
        ba = f"{_fmt(r.bias)} [{_fmt(r.loa_lower, 2)}, {_fmt(r.loa_upper, 2)}]"
        rows.append(
            f"{model:<6} {int(r.n):>3}  {pear:<22} {spear:<22} {_fmt(r.mean_abs_diff):>8} "
            f"{_fmt(r.max_abs_diff):>8} {r.within_tolerance:>5.0%} {r.within_1:>5.0%}  {ba:<24}"
        )
    return "\n".join(rows)


def _well_text(summary: pd.DataFrame) -> str:
    rows = [f"{'model':<6} {'wells':>5} {'mean|d|':>8} {'max|d|':>8} {'≤tol':>5}"]
    for model, r in summary.iterrows():
        rows.append(
            f"{model:<6} {int(r.n):>5} {_fmt(r.mean_abs_diff):>8} {_fmt(r.max_abs_diff):>8} "
            f"{r.within_tolerance:>5.0%}"
        )
    return "\n".join(rows)


def _convention_text(
    frame: pd.DataFrame,
    best: dict[str, str],
    key: str,
    ties: dict[str, list[str]],
    kind: str = "convention",
) -> list[str]:
    def verdict(model: str) -> str:
        value = best.get(model, "?")
        tied = ties.get(f"{kind}:{model}")
        return f"tie ({' = '.join(tied)})" if value == "tie" and tied else value

    out = []
    for model, part in frame.groupby("model", sort=False):
        cells = [
            f"{getattr(r, key)} {_fmt(r.mean_abs_diff)} ({r.within_tolerance:.0%})"
            for r in part.itertuples()
        ]
        out.append(f"  {model:<6} " + "; ".join(cells) + f" → {verdict(model)}")
    out.append(f"  overall → {verdict('overall')}")
    return out
