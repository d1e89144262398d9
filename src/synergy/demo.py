"""``make demo``: the bundled menin × venetoclax screen, end to end (a face: no numerics)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

__all__ = ["run_demo"]


def run_demo(out_dir: Path, *, echo: Callable[[str], None] = print) -> dict[str, Path]:
    """Load the bundled screen, summarise it per block, and write it to ``out_dir``.

    Returns the paths written: the screen (``.nc``), the per-well and per-block tables.
    """
    from synergy.datasets import load
    from synergy.io.store import save_screen
    from synergy.io.table import to_table
    from synergy.io.validate import describe

    out_dir.mkdir(parents=True, exist_ok=True)
    screen = load("menin_venetoclax")
    echo(
        f"menin × venetoclax (simulated): {screen.sizes['block']} blocks, "
        f"{screen.sizes['row']}×{screen.sizes['col']} doses, {screen.sizes['replicate']} replicates, "
        f"unit {screen.attrs['conc_unit']}"
    )
    summary = describe(screen)
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        echo(summary.drop(columns=["n_values"]).round(2).to_string(index=False))
    paths = {
        "screen": save_screen(screen, out_dir / "menin_venetoclax.nc"),
        "wells": out_dir / "menin_venetoclax_wells.csv",
        "blocks": out_dir / "menin_venetoclax_blocks.csv",
    }
    to_table(screen, level="well").to_csv(paths["wells"], index=False)
    to_table(screen, level="block").to_csv(paths["blocks"], index=False)
    for kind, path in paths.items():
        echo(f"wrote {kind}: {path}")
    return paths
