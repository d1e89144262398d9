"""``make demo``: the bundled menin × venetoclax screen, end to end (a face: no numerics)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

__all__ = ["run_demo"]

_SCORES = ["zip_score", "bliss_score", "hsa_score", "loewe_score"]


def run_demo(out_dir: Path, *, echo: Callable[[str], None] = print) -> dict[str, Path]:
    """Load the bundled screen, score it (SynergyFinder 3 conventions), rank the blocks,
    and write the scored screen, its tables, figures and the HTML report to ``out_dir``.

    Returns the paths written: the scored screen (``.nc``), the per-block table (scores in
    SynergyFinder's column names), the per-well table and, when matplotlib is installed,
    PNG figures of the three best blocks (``figures/``) and ``report.html``.
    """
    from synergy.datasets import load
    from synergy.io.store import save_screen
    from synergy.io.table import to_table
    from synergy.io.validate import describe
    from synergy.scoring import score

    out_dir.mkdir(parents=True, exist_ok=True)
    screen = load("menin_venetoclax")
    echo(
        f"menin × venetoclax (simulated, known truth): {screen.sizes['block']} blocks, "
        f"{screen.sizes['row']}×{screen.sizes['col']} doses, {screen.sizes['replicate']} "
        f"replicates, unit {screen.attrs['conc_unit']}"
    )
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        echo(
            describe(screen)
            .drop(columns=["n_values", "n_missing_wells"])
            .round(2)
            .to_string(index=False)
        )
    scored = score(screen)
    blocks = to_table(scored, level="block")
    ranked = blocks.assign(
        ic50_row=scored["hill_row"].sel(param="ic50").values,
        ic50_col=scored["hill_col"].sel(param="ic50").values,
    ).sort_values("ZIP_synergy", ascending=False)
    columns = [
        "block_id",
        "drug1",
        "drug2",
        "sample",
        "ZIP_synergy",
        "Bliss_synergy",
        "HSA_synergy",
        "Loewe_synergy",
        "zip_msa",
        "ic50_row",
        "ic50_col",
    ]
    if "true_synergy_strength" in ranked:
        columns.append("true_synergy_strength")
    echo(
        "\nblocks ranked by ZIP synergy (mean δ over combination wells, % points; "
        "IC50s in nM, fitted as SynergyFinder 3 does):"
    )
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        echo(ranked[columns].round(2).to_string(index=False))
    flagged = blocks[blocks["status"] > 0]
    echo(f"\n{len(blocks) - len(flagged)} blocks scored cleanly, {len(flagged)} with a warning:")
    for _, row in flagged.iterrows():
        echo(f"  block {row['block_id']}: {row['status_reason']}")
    paths = {
        "scored screen": save_screen(scored, out_dir / "menin_venetoclax_scored.nc"),
        "block table": out_dir / "menin_venetoclax_blocks.csv",
        "well table": out_dir / "menin_venetoclax_wells.csv",
    }
    ranked.to_csv(paths["block table"], index=False)
    to_table(scored, level="well").to_csv(paths["well table"], index=False)
    paths.update(_figures_and_report(scored, ranked["block_id"].astype(str).tolist(), out_dir))
    for kind, path in paths.items():
        echo(f"wrote {kind}: {path}")
    return paths


def _figures_and_report(scored, ranked_ids: list[str], out_dir: Path) -> dict[str, Path]:
    """PNG figures of the three best blocks (by ZIP), the screen overview, and report.html."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:  # the plot extra is not installed: tables only
        return {}
    from synergy import plot
    from synergy.report import write_interactive_report

    folder = out_dir / "figures"
    folder.mkdir(exist_ok=True)
    written: dict[str, Path] = {}

    def save(kind: str, fig, name: str) -> None:
        path = folder / name
        fig.savefig(path, dpi=110)
        written[kind] = path

    save("overview figure", plot.screen_overview(scored, "zip", by="sample"), "overview_zip.png")
    for rank, block in enumerate(ranked_ids[:3], start=1):
        stem = f"top{rank}_block{block}"
        save(f"ZIP landscape #{rank}", plot.landscape(scored, block, "zip"), f"{stem}_zip.png")
        save(f"curves #{rank}", plot.dose_response(scored, block), f"{stem}_curves.png")
        save(f"matrix #{rank}", plot.response_matrix(scored, block), f"{stem}_matrix.png")
    save(
        "therapeutic window #1",
        plot.therapeutic_window(scored, ranked_ids[0], "zip"),
        f"top1_block{ranked_ids[0]}_window.png",
    )
    written["report"] = write_interactive_report(scored, out_dir / "report.html", overwrite=True)
    return written
