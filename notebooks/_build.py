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
            "import numpy as np\n\nimport synergy\n\n"
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
            "only selects and draws."
        ),
        _code(
            """
            %matplotlib inline
            import synergy
            import synergy.plot

            screen = synergy.datasets.load("menin_venetoclax")
            # SynergyFinder 3's scores, with 95 % bootstrap intervals and p-values per block
            scored = synergy.score(screen, n_boot=30, seed=1)
            blocks = synergy.to_table(scored, level="block")
            columns = ["block_id", "drug1", "sample", "ZIP_synergy", "zip_score_low",
                       "zip_score_high", "zip_pvalue", "status"]
            blocks.sort_values("ZIP_synergy", ascending=False)[columns].round(3).head(8)
            """
        ),
        new_markdown_cell(
            "Blocks ranked by their ZIP score (mean δ over the combination wells, % points) "
            "with their 95 % intervals, one panel per sample:"
        ),
        _code('synergy.plot.screen_overview(scored, "zip", by="sample")'),
        new_markdown_cell(
            "## Agents and cell lines\n"
            "`synergy.compare` pools the blocks of each group (a random-effects mean weighted "
            "by each block's bootstrap error) and tests the differences, Benjamini–Hochberg "
            "corrected. Menin inhibitors against revumenib, within each cell line:"
        ),
        _code(
            """
            agents = synergy.compare(scored, score="zip", by="drug_row", reference="revumenib",
                                     within="sample")
            agents[["sample", "group", "difference", "low", "high", "p_adjusted"]].round(3)
            """
        ),
        new_markdown_cell("Cell lines against the normal CD34+ cells, over all agents:"),
        _code(
            """
            samples = synergy.compare(scored, score="zip", by="sample", reference="CD34+")
            assert (samples["difference"] > 0).all()  # more synergy in every leukemic line
            samples[["group", "score", "score_reference", "difference", "low", "high",
                     "p_adjusted"]].round(3)
            """
        ),
        new_markdown_cell(
            "## Therapeutic window\n"
            "`synergy.stats.therapeutic_window` pairs every leukemic block with the CD34+ block "
            "of the same drugs (`sample_kind`) and compares them well by well: the inhibition "
            "difference, the dose region where leukemic cells are hit harder by more than a "
            "margin (20 points), and the mean difference (selectivity) with its interval."
        ),
        _code(
            """
            window = synergy.stats.therapeutic_window(scored, margin=20)
            table = window[["selectivity", "selectivity_low", "selectivity_high",
                            "window_fraction", "zip_score_difference"]].to_dataframe()
            table.sort_values("selectivity", ascending=False).round(2)
            """
        ),
        _code(
            """
            best = str(window["block"].values[int(window["selectivity"].argmax())])
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
