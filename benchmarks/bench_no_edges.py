"""BRAID on the peer package's own synthetic surfaces, which have no single-drug wells.

    .venv/bin/python benchmarks/bench_no_edges.py --peer-data DIR [--peer-venv PATH | --no-peer]

``DIR`` holds ``synthetic_BRAID_{reference_1,kappa_synergy_1,kappa_antagonism_1,
delta_synergy_1,delta_antagonism_1}.csv`` from ``tests/combination/data`` of
github:djwooten/synergy (GPL: kept out of this repository; copy them from a clone).  Each is a
10 × 10 full-factorial grid, doses 0.02–50 (every dose > 0, no controls), one value per well,
``E`` the fraction remaining (E0 = 1, E1 = 0.5, E2 = 0.1, E3 = 0, h = 1, C = 1, noise sd 0.05);
the files differ in BRAID's κ (the truth: 0, 1, −1) and δ (2 and 0.5 in the ``delta_*``
files, κ = 0 there).  We read them with ``response_kind="viability"`` (a fraction, converted
to % inhibition), fit the Hill curves (all ``too_few_points``: no single-drug wells) and
BRAID in its three variants, started from the surface: ``kappa`` (δ = 1, E3 = the stronger
drug's maximum), ``free_e3`` (δ = 1, E3 fitted) and ``full`` (κ, δ and E3 fitted).  The
peer's own fit (``BRAID(mode="kappa")``: E3 free) runs in a SEPARATE venv through
``benchmarks/peer/run_peer_bz.py`` (``--peer-venv``, default ``$SYNERGY_PEER_VENV`` or
``benchmarks/peer/.venv``, created with ``pip install synergy==1.0.0 pandas`` if missing).

Printed: per file and variant the true κ (and δ), ours with its 95 % profile interval and
status, the peer's, and whether ours is within 0.6 of the truth or no farther from it than
the peer's.  Then the
same design simulated inside our BRAID variant (``simulate_interaction``: E3 = E2 = 90 %,
κ = −1, 0, 1, noise sd 5 points, ``--seeds`` seeds, single-drug wells dropped): how far κ
lands from the truth and how often the interval holds it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_peer import ensure_peer_venv  # noqa: E402

RUN_PEER_BZ = HERE / "peer" / "run_peer_bz.py"
TRUE_KAPPA = {
    "reference_1": 0.0,
    "kappa_synergy_1": 1.0,
    "kappa_antagonism_1": -1.0,
    "delta_synergy_1": 0.0,
    "delta_antagonism_1": 0.0,
}
TRUE_DELTA = {"delta_synergy_1": 2.0, "delta_antagonism_1": 0.5}
TOLERANCE = 0.6
VARIANTS = ("kappa", "free_e3", "full")


def read_peer_files(folder: Path) -> pd.DataFrame:
    """The five files as one long table (block = the file's name after ``synthetic_BRAID_``)."""
    parts = []
    for name in TRUE_KAPPA:
        file = folder / f"synthetic_BRAID_{name}.csv"
        if not file.exists():
            raise SystemExit(f"{file} is missing: copy it from djwooten/synergy's "
                             "tests/combination/data")  # fmt: skip
        part = pd.read_csv(file)
        parts.append(part.assign(block=name))
    return pd.concat(parts, ignore_index=True)


def fit_ours(data: pd.DataFrame, workdir: Path):
    """Our BRAID fit of every file (a screen read like a user's file, E a fraction)."""
    from synergy.hill import fit_screen
    from synergy.io.reader import read_screen
    from synergy.models.braid import fit_braid

    table = pd.DataFrame({
        "block_id": data["block"], "drug_row": "drug1", "drug_col": "drug2",
        "conc_row": data["d1"], "conc_col": data["d2"], "response": data["E"],
        "conc_unit": "uM",
    })  # fmt: skip
    path = workdir / "ours.csv"
    table.to_csv(path, index=False, float_format="%.17g")
    screen = fit_screen(read_screen(path, response_kind="viability"), fitter="lsq")
    hill = screen["hill_row_status"]
    meanings = dict(zip(hill.attrs["flag_values"], hill.attrs["flag_meanings"].split(),
                        strict=True))  # fmt: skip
    print("our Hill fits:", sorted({meanings[int(c)] for c in hill.values}))
    return screen, {variant: fit_braid(screen, variant=variant) for variant in VARIANTS}


def fit_peer(python: Path, data: pd.DataFrame, workdir: Path) -> dict[str, float]:
    """The peer's κ per file (its venv, its fit, its fraction-remaining E)."""
    names = list(TRUE_KAPPA)
    code = data["block"].map({n: k for k, n in enumerate(names)})
    table = pd.DataFrame({"model": 1, "block": code, "d1": data["d1"], "d2": data["d2"],
                          "e": data["E"]})  # fmt: skip
    source, out = workdir / "peer_in.csv", workdir / "peer_out.csv"
    table.to_csv(source, index=False, float_format="%.17g")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    command = [str(python), "-I", str(RUN_PEER_BZ), str(source), str(out)]
    print("$ " + " ".join(command), flush=True)
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode:
        raise SystemExit(f"run_peer_bz.py failed:\n{done.stderr}")
    result = pd.read_csv(out)
    return {names[int(r.block)]: float(r.kappa) for r in result.itertuples()}


def in_family(n_seeds: int) -> None:
    """κ recovered on the peer files' design simulated inside our BRAID variant, without the
    single-drug wells and (for comparison) with them."""
    from synergy.datasets.simulate_interaction import simulate_interaction
    from synergy.hill import fit_screen
    from synergy.models.braid import fit_braid

    grid = np.concatenate([[0.0], np.geomspace(0.02, 50.0, 10)])
    kappas = np.tile([-1.0, 0.0, 1.0], n_seeds)
    screen = simulate_interaction(
        len(kappas), model="braid", kappa=kappas, noise_sd=5.0, seed=1, conc_row=grid,
        conc_col=grid, hill_row={"ic50": 1.0, "top": 50.0}, hill_col={"ic50": 1.0, "top": 90.0},
    )  # fmt: skip
    print(f"\nthe same design inside our variant (E3 = E2), noise sd 5, {n_seeds} seeds per κ:")
    print("| single-drug wells | true κ | median abs error | 90th pct abs error | within 0.6 | "
          "interval holds κ | status 0 / 5 / 8 / 11 |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for edges in (False, True):
        data = screen.copy()
        if not edges:
            response = data["response"].values.copy()
            response[:, 0] = np.nan
            response[:, :, 0] = np.nan
            data["response"] = (data["response"].dims, response)
        out = fit_braid(fit_screen(data, fitter="lsq"))
        kappa = out["braid_kappa"].values
        low, high = out["braid_kappa_ci"].values.T
        status = out["braid_status"].values
        for truth in (-1.0, 0.0, 1.0):
            sel = kappas == truth
            err = np.abs(kappa[sel] - truth)
            held = np.mean((low[sel] <= truth) & (truth <= high[sel]))
            counts = " / ".join(str(int(np.sum(status[sel] == c))) for c in (0, 5, 8, 11))
            print(f"| {'yes' if edges else 'no'} | {truth:g} | {np.nanmedian(err):.3f} | "
                  f"{np.nanpercentile(err, 90):.3f} | {np.mean(err <= TOLERANCE):.0%} | "
                  f"{held:.0%} | {counts} |")  # fmt: skip


def paper_braid(d1, d2, e0, e1, e2, e3, kappa, delta):
    """The full BRAID surface as printed (Twarog et al. 2016), h = C = 1, % inhibition."""
    span = e3 - e0
    r1, r2 = (e1 - e0) / span, (e2 - e0) / span
    big1, big2 = r1 * d1 / (1 + (1 - r1) * d1), r2 * d2 / (1 + (1 - r2) * d2)
    p1, p2 = big1 ** (1 / delta), big2 ** (1 / delta)
    with np.errstate(divide="ignore"):  # the zero-dose corner (dropped)
        return e0 + span / (1 + (p1 + p2 + kappa * np.sqrt(p1 * p2)) ** (-delta))


def in_family_full(n_seeds: int) -> None:
    """κ and δ recovered by ``variant="full"`` on the peer files' design (their E's: 0, 50,
    90, E3 100 %), simulated from the paper's formula, without and with single-drug wells."""
    from synergy.datasets.simulate_interaction import simulate_interaction
    from synergy.hill import fit_screen
    from synergy.models.braid import fit_braid

    truths = [(0.0, 1.0), (1.0, 1.0), (-1.0, 1.0), (0.0, 2.0), (0.0, 0.5)]
    kappas = np.tile([k for k, _ in truths], n_seeds)
    deltas = np.tile([d for _, d in truths], n_seeds)
    grid = np.concatenate([[0.0], np.geomspace(0.02, 50.0, 10)])
    screen = simulate_interaction(len(kappas), model="braid", seed=2, conc_row=grid,
                                  conc_col=grid)  # fmt: skip
    d1, d2 = np.meshgrid(grid, grid, indexing="ij")
    rng = np.random.default_rng(2)
    response = screen["response"].values.copy()  # (block, row, col, replicate)
    for k in range(len(kappas)):
        true = paper_braid(d1, d2, 0.0, 50.0, 90.0, 100.0, kappas[k], deltas[k])
        response[k] = true[..., None] + 5.0 * rng.standard_normal((*true.shape, 1))
    print(
        f"\nvariant='full' on the same design from the paper's formula (E3 100 %), noise "
        f"sd 5, {n_seeds} seeds per truth:"
    )
    print(
        "| single-drug wells | true κ, δ | median abs error κ | within 0.6 | within 0.6 of κ "
        "or its alias | interval holds κ | median abs error ln δ | interval holds δ | "
        "status 0 / 5 / 7-9 / ≥ 10 |"
    )
    print("|---|---|---|---|---|---|---|---|---|")  # fmt: skip
    for edges in (False, True):
        data = screen.copy()
        values = response.copy()
        if not edges:
            values[:, 0] = np.nan
            values[:, :, 0] = np.nan
        data["response"] = (screen["response"].dims, values)
        out = fit_braid(fit_screen(data, fitter="lsq"), variant="full")
        kappa, delta = out["braid_kappa"].values, out["braid_delta"].values
        k_lo, k_hi = out["braid_kappa_ci"].values.T
        d_lo, d_hi = out["braid_delta_ci"].values.T
        for truth_k, truth_d in truths:
            sel = (kappas == truth_k) & (deltas == truth_d)
            err = np.abs(kappa[sel] - truth_k)
            # κ = 0, δ and κ = 2, δ / 2 are one surface (the sum is a square)
            alias = np.minimum(err, np.abs(kappa[sel] - 2.0)) if truth_k == 0 else err
            status = out["braid_status"].values[sel]
            counts = [np.sum(status == 0), np.sum(status == 5), np.sum((status >= 7) &
                      (status <= 9)), np.sum(status >= 10)]  # fmt: skip
            counts = " / ".join(str(int(c)) for c in counts)
            print(f"| {'yes' if edges else 'no'} | {truth_k:g}, {truth_d:g} | "
                  f"{np.nanmedian(err):.3f} | {np.mean(err <= TOLERANCE):.0%} | "
                  f"{np.mean(alias <= TOLERANCE):.0%} | "
                  f"{np.mean((k_lo[sel] <= truth_k) & (truth_k <= k_hi[sel])):.0%} | "
                  f"{np.nanmedian(np.abs(np.log(delta[sel] / truth_d))):.3f} | "
                  f"{np.mean((d_lo[sel] <= truth_d) & (truth_d <= d_hi[sel])):.0%} | "
                  f"{counts} |")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peer-data", type=Path, required=True)
    default_venv = Path(os.environ.get("SYNERGY_PEER_VENV", HERE / "peer" / ".venv"))
    parser.add_argument("--peer-venv", type=Path, default=default_venv)
    parser.add_argument("--no-peer", action="store_true", help="skip the peer's own fit")
    parser.add_argument("--seeds", type=int, default=20)
    args = parser.parse_args()
    data = read_peer_files(args.peer_data)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        screen, ours = fit_ours(data, workdir)
        peer = {} if args.no_peer else fit_peer(ensure_peer_venv(args.peer_venv), data, workdir)
    print(
        "\n| file | true κ, δ | variant | ours κ (95 % interval) | ours δ (95 % interval) | "
        "our E3 % | our status | peer κ | ours within 0.6 or no farther than the peer |"
    )
    print("|---|---|---|---|---|---|---|---|---|")  # fmt: skip
    blocks = list(screen["block"].values)
    for name, truth in TRUE_KAPPA.items():
        k = blocks.index(name)
        theirs = peer.get(name, np.nan)
        for variant, out in ours.items():
            status = out["braid_status"]
            meanings = dict(zip(status.attrs["flag_values"], status.attrs["flag_meanings"].split(),
                                strict=True))  # fmt: skip
            kappa = float(out["braid_kappa"].values[k])
            low, high = out["braid_kappa_ci"].values[k]
            ok = abs(kappa - truth) <= TOLERANCE or (
                np.isfinite(theirs) and abs(kappa - truth) <= abs(theirs - truth) + 5e-4
            )
            delta = "1 (held)"
            if variant == "full":
                d_low, d_high = out["braid_delta_ci"].values[k]
                delta = f"{float(out['braid_delta'].values[k]):.3f} ({d_low:.3f}, {d_high:.3f})"
            e3 = float(out["braid"].sel(braid_param="E3").values[k])
            word = meanings[int(status.values[k])]
            print(f"| {name} | {truth:g}, {TRUE_DELTA.get(name, 1.0):g} | {variant} | "
                  f"{kappa:.3f} ({low:.3f}, {high:.3f}) | {delta} | {e3:.1f} | {word} | "
                  f"{theirs:.3f} | {'yes' if ok else 'NO'} |")  # fmt: skip
    in_family(args.seeds)
    in_family_full(args.seeds)


if __name__ == "__main__":
    main()
