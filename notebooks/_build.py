"""Build the notebooks from this script (so their source is reviewable as code).

Run: ``.venv/bin/python notebooks/_build.py`` — writes the ``.ipynb`` files unexecuted;
``make test`` executes them with nbmake.
"""

from __future__ import annotations

from pathlib import Path

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


def main() -> None:
    nbformat.write(quickstart(), HERE / "01_quickstart.ipynb")


if __name__ == "__main__":
    main()
