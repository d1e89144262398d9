"""Report tables of the parametric models: MuSyC (β, log α) and Chou–Talalay's CI."""

from __future__ import annotations

import numpy as np
import xarray as xr

from synergy import status as status_codes
from synergy.report._data import block_drugs
from synergy.report._html import esc, number, table


def flag_word(screen: xr.Dataset, name: str, index: tuple[int, ...] | int) -> str:
    """The CF flag meaning of ``screen[name][index]`` (``–`` when the variable is absent)."""
    if name not in screen:
        return "–"
    code = int(screen[name].values[index])
    return status_codes.decode(screen[name].attrs).get(code, str(code))


def _interval(screen: xr.Dataset, name: str, i: int, digits: int = 2) -> str:
    if name not in screen:
        return "–"
    low, high = np.asarray(screen[name].values[i], dtype=np.float64)
    if not (np.isfinite(low) or np.isfinite(high)):
        return "–"
    return f"[{number(low, digits)}, {number(high, digits)}]"


def _pvalue(screen: xr.Dataset, name: str, i: int) -> str:
    """The p-value ``screen[name][i]`` (MuSyC's test of alpha = 1), "–" when absent or NaN."""
    if name not in screen or not np.isfinite(screen[name].values[i]):
        return "–"
    return number(screen[name].values[i], 3)


def _level(screen: xr.Dataset, name: str) -> str:
    text = str(screen[name].attrs.get("long_name", "")) if name in screen else ""
    return text.split(", ", 1)[1] if ", " in text else ""


def has_parametric(screen: xr.Dataset) -> bool:
    """Whether the screen holds MuSyC or combination-index results."""
    return any(n in screen for n in ("musyc_beta", "ci_log_mean", "zimmer_a12", "braid_kappa"))


def parametric_table(screen: xr.Dataset, i: int) -> str:
    """Small table of block ``i``'s MuSyC and CI results ("" when neither was scored).

    MuSyC: β (efficacy synergy), log10 α12 / α21 (potency synergy, drug 1 = row drug) and,
    when fitted, log10 γ12 / γ21 (cooperativity) with their intervals and the fit status.
    Chou–Talalay: the mean ln CI over the combination wells and the CI of the constant-ratio
    series at fa = 0.5 / 0.75 / 0.9.
    """
    if not has_parametric(screen):
        return ""
    row_drug, col_drug = block_drugs(screen.isel(block=[i]))[0][:2]
    rows = []
    if "musyc_beta" in screen:
        status = esc(flag_word(screen, "musyc_status", i))
        quantities = (
            ("musyc_beta", "β, efficacy synergy (> 0 synergy)", "musyc_beta_ci"),
            (
                "musyc_log_alpha12",
                f"log10 α12, {row_drug} → {col_drug} potency (> 0 synergy)",
                "musyc_log_alpha12_ci",
            ),
            (
                "musyc_log_alpha21",
                f"log10 α21, {col_drug} → {row_drug} potency (> 0 synergy)",
                "musyc_log_alpha21_ci",
            ),
            (
                "musyc_log_gamma12",
                f"log10 γ12, {row_drug} → {col_drug} cooperativity (> 0 synergy)",
                "musyc_log_gamma12_ci",
            ),
            (
                "musyc_log_gamma21",
                f"log10 γ21, {col_drug} → {row_drug} cooperativity (> 0 synergy)",
                "musyc_log_gamma21_ci",
            ),
        )
        for name, label, ci in quantities:
            if name not in screen:
                continue
            rows.append(
                [
                    "MuSyC",
                    esc(label),
                    number(screen[name].values[i], 3),
                    _interval(screen, ci, i, 3),
                    esc(_level(screen, ci)),
                    _pvalue(screen, f"{name}_pvalue", i),
                    status,
                ]
            )
    if "ci_log_mean" in screen:
        status = esc(flag_word(screen, "ci_status", i))
        wells = int(screen["ci_n_wells"].values[i]) if "ci_n_wells" in screen else 0
        rows.append(
            [
                "Chou–Talalay",
                esc(f"mean ln CI over {wells} combination wells (< 0 synergy)"),
                number(screen["ci_log_mean"].values[i], 3),
                "–",
                "",
                "–",
                status,
            ]
        )
        if "ci_at_fa" in screen:
            levels = [f"{float(f):g}" for f in np.asarray(screen["fa"].values)]
            values = " / ".join(number(v, 2) for v in screen["ci_at_fa"].values[i])
            ratio = (
                number(screen["ci_series_ratio"].values[i], 3)
                if "ci_series_ratio" in screen
                else "–"
            )
            rows.append(
                [
                    "Chou–Talalay",
                    esc(
                        f"CI at fa {' / '.join(levels)} (series d_row/d_col = {ratio}; < 1 synergy)"
                    ),
                    values,
                    "–",
                    "",
                    "–",
                    status,
                ]
            )
    rows += _interaction_rows(screen, i, row_drug, col_drug)
    header = ["model", "quantity", "estimate", "interval", "interval kind", "p (no interaction)",
              "status"]  # fmt: skip
    return table(header, rows, text_columns=(0, 1, 4, 6))


def _interaction_rows(screen: xr.Dataset, i: int, row_drug: str, col_drug: str) -> list[list]:
    """Zimmer's a12 / a21 and BRAID's κ of block ``i`` with intervals and status."""
    quantities = (
        ("Zimmer", "zimmer", "a12", f"a12, {col_drug} → {row_drug} effective dose (< 0 synergy)"),
        ("Zimmer", "zimmer", "a21", f"a21, {row_drug} → {col_drug} effective dose (< 0 synergy)"),
        ("BRAID", "braid", "kappa", "κ, interaction (> 0 synergy)"),
    )
    rows = []
    for label, model, param, text in quantities:
        name = f"{model}_{param}"
        if name not in screen:
            continue
        rows.append(
            [
                label,
                esc(text),
                number(screen[name].values[i], 3),
                _interval(screen, f"{name}_ci", i, 3),
                esc(_level(screen, f"{name}_ci")),
                "–",
                esc(flag_word(screen, f"{model}_status", i)),
            ]
        )
    return rows
