"""Build the notebooks from this script (so their source is reviewable as code).

Run: ``.venv/bin/python notebooks/_build.py`` — writes the ``.ipynb`` files unexecuted;
``make test`` executes them with nbmake.
"""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).parent


def quickstart() -> nbformat.NotebookNode:
    cells = [
        new_markdown_cell(
            "# Quickstart: menin inhibitor × venetoclax\n\n"
            "The bundled screen is **simulated** from literature IC50s (see "
            "`synergy.datasets.menin`): four menin inhibitors × venetoclax in three AML lines "
            "and normal CD34+ cells, 8×8 doses, 3 replicates, with a known synergy strength. "
            "We read it, fit the single drugs, score Bliss/HSA/Loewe/ZIP as SynergyFinder 3 "
            "does, and check the scores against the truth."
        ),
        new_code_cell(
            "import numpy as np\nimport synergy\n\n"
            "screen = synergy.datasets.load('menin_venetoclax')\n"
            "synergy.describe(screen).head()"
        ),
        new_markdown_cell(
            "A screen is one `xarray.Dataset`: `response` (block, row, col, replicate) in % "
            "inhibition, dose grids `conc_row`/`conc_col` per block, in `attrs['conc_unit']`."
        ),
        new_code_cell("screen['response'].sel(block='1').mean('replicate').round(1).values"),
        new_markdown_cell(
            "## Single-drug fits\n"
            "`fit_screen` fits every block's monotherapy edges (the (0, 0) control included) in "
            "one batched numba call; IC50s in the screen's unit with Wald 95 % intervals."
        ),
        new_code_cell(
            "fits = synergy.hill.fit_screen(screen)\n"
            "ic50 = fits['hill_row'].sel(param='ic50')\n"
            "truth = fits['true_hill_row'].sel(param='ic50')\n"
            "np.c_[fits['drug_row'].values, fits['sample'].values, ic50.values.round(1), "
            "truth.values.round(1)][:8]"
        ),
        new_markdown_cell(
            "## Synergy scores\n"
            "`synergy.score` adds δ surfaces (`bliss`, `hsa`, `loewe`, `zip`: block × row × col, "
            "% points, positive = synergy), their references, block scores (mean δ over "
            "combination wells), the most synergistic 3×3 area, and a status per block."
        ),
        new_code_cell(
            "scored = synergy.score(screen)\n"
            "table = synergy.to_table(scored, level='block')\n"
            "table[['block_id', 'drug1', 'sample', 'ZIP_synergy', 'Bliss_synergy', "
            "'HSA_synergy', 'Loewe_synergy', 'true_synergy_strength', 'status']].round(2)"
        ),
        new_markdown_cell(
            "The simulated synergy is strong in MOLM-13 and MV4-11, weak in OCI-AML3 and absent "
            "in CD34+ cells: the ZIP and Bliss scores should rank the samples that way."
        ),
        new_code_cell(
            "by_sample = table.groupby('sample')[['ZIP_synergy', 'Bliss_synergy']].mean()\n"
            "assert by_sample.loc['MOLM-13', 'ZIP_synergy'] > by_sample.loc['CD34+', 'ZIP_synergy']\n"
            "by_sample.round(2)"
        ),
        new_markdown_cell("The δ surface of one block (ZIP), rows = menin inhibitor doses:"),
        new_code_cell("scored['zip'].sel(block='1').round(1).values"),
    ]
    return new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )


def _code(source: str) -> nbformat.NotebookNode:
    return new_code_cell(dedent(source).strip())


def screen() -> nbformat.NotebookNode:
    cells = [
        new_markdown_cell(
            "# A whole screen: rank, compare agents and cell lines, the therapeutic window\n\n"
            "The bundled menin inhibitor × venetoclax screen (simulated, see "
            "`synergy.datasets.menin`): 4 menin inhibitors × venetoclax in MOLM-13, MV4-11, "
            "OCI-AML3 and normal CD34+ cells. All numbers come from the library; the notebook "
            "only selects, groups and draws."
        ),
        _code(
            """
            %matplotlib inline
            import pandas as pd

            import synergy
            import synergy.plot
            from synergy.window import therapeutic_window

            screen = synergy.datasets.load("menin_venetoclax")
            scored = synergy.score(screen)  # Bliss, HSA, Loewe, ZIP as SynergyFinder 3 does
            blocks = synergy.to_table(scored, level="block")
            blocks["sample_kind"] = scored["sample_kind"].values
            scores = ["ZIP_synergy", "Bliss_synergy", "HSA_synergy", "Loewe_synergy"]
            ranked = blocks.sort_values("ZIP_synergy", ascending=False)
            ranked[["block_id", "drug1", "sample", *scores, "status"]].round(2).head(8)
            """
        ),
        new_markdown_cell(
            "Blocks ranked by their ZIP score (mean δ over the combination wells, % points), "
            "one panel per sample. Confidence intervals appear here once the screen is scored "
            "with bootstrap resamples (statistics issue)."
        ),
        _code('synergy.plot.screen_overview(scored, "zip", by="sample")'),
        new_markdown_cell(
            "## Agents and cell lines\n"
            "Plain pandas group-bys on the block table (the statistics module's "
            "`synergy.compare`, with CIs and multiple-testing correction, will replace these "
            "means when it lands)."
        ),
        _code(
            """
            leukemic = blocks[blocks["sample_kind"] == "leukemic"]
            by_agent = leukemic.groupby("drug1")[scores].mean().sort_values("ZIP_synergy", ascending=False)
            by_agent.round(2)
            """
        ),
        _code(
            """
            by_sample = blocks.groupby("sample")[scores].mean().sort_values("ZIP_synergy", ascending=False)
            assert by_sample.index[-1] == "CD34+"  # normal cells: the least synergy
            by_sample.round(2)
            """
        ),
        _code('blocks.pivot_table(index="drug1", columns="sample", values="ZIP_synergy").round(1)'),
        new_markdown_cell(
            "## Therapeutic window\n"
            "For each leukemic block, `synergy.window.therapeutic_window` subtracts the CD34+ "
            "block of the same pair (found through `sample_kind`) well by well: δ (ZIP) and "
            "mean inhibition. Positive = more synergy / more killing in leukemic cells."
        ),
        _code(
            """
            rows = []
            for block in leukemic["block_id"]:
                window = therapeutic_window(scored, block, model="zip")
                rows.append(
                    {
                        "block": block,
                        "normal_block": window.attrs["normal_block"],
                        "delta_difference": float(window["delta_difference_mean"]),
                        "inhibition_difference": float(window["inhibition_difference_mean"]),
                    }
                )
            windows = (
                pd.DataFrame(rows)
                .merge(blocks[["block_id", "drug1", "sample"]], left_on="block", right_on="block_id")
                .drop(columns="block_id")
            )
            windows.sort_values("inhibition_difference", ascending=False).round(1)
            """
        ),
        _code(
            """
            best = windows.sort_values("delta_difference", ascending=False)["block"].iloc[0]
            synergy.plot.therapeutic_window(scored, best, "zip")
            """
        ),
        new_markdown_cell("The best block's landscape and single-drug fits:"),
        _code('synergy.plot.landscape(scored, best, "zip")'),
        _code("synergy.plot.dose_response(scored, best)"),
    ]
    return new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )


def main() -> None:
    nbformat.write(quickstart(), HERE / "01_quickstart.ipynb")
    nbformat.write(screen(), HERE / "02_screen.ipynb")


if __name__ == "__main__":
    main()
