"""Build ``04_from_plates.ipynb`` from this script (its source reviewable as code).

Run: ``.venv/bin/python notebooks/_build_04.py`` — writes the notebook unexecuted;
``make test`` executes it with nbmake.  Same style as ``_build.py`` (notebook 01).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).parent


def from_plates() -> nbformat.NotebookNode:
    cells = [
        new_markdown_cell(
            "# From the plate reader to synergy scores\n\n"
            "A combination screen starts as plates: raw luminescence reads and a plate map "
            "saying which well holds which drug at which dose and which wells are controls. "
            "Here six **simulated** 384-well plates (`synergy.datasets.simulate_plates`: two "
            "cell lines × three replicate plates, four 8 × 10 dose matrices per plate, "
            "negative controls in columns 1 and 23, kill controls in 2 and 24) carry the "
            "usual accidents: edge evaporation, strong on plate P0002; a dispenser tip that "
            "missed half the cells of row F on plate P0003; reader drift across the run. "
            "We read them as a reader exports them, normalise, check the plates, and score."
        ),
        new_code_cell(
            "import tempfile\nfrom pathlib import Path\n\nimport numpy as np\n\n"
            "import synergy\n"
            "from synergy.datasets.simulate_plates import grid_export, simulate_plates\n\n"
            "sim = simulate_plates(seed=3)\n"
            "folder = Path(tempfile.mkdtemp())\n"
            "(folder / 'reads.txt').write_text(grid_export(sim.reads))\n"
            "sim.layout.to_csv(folder / 'plate_map.csv', index=False)\n"
            "sim.plates.to_csv(folder / 'plates.csv', index=False)\n"
            "print((folder / 'reads.txt').read_text()[:400])\n"
            "sim.layout.head()"
        ),
        new_markdown_cell(
            "## The plate model\n"
            "`synergy.read_plates` joins reads and map into one `xarray.Dataset` over "
            "(plate, well_row, well_col): the raw `signal`, each well's `role`, drugs and "
            "doses, sample and the plates' reader and read time. A well in the map but not in "
            "the reads, a plate without negative controls, a barcode read twice or a grid of "
            "the wrong shape stops here with an error naming the plate and well."
        ),
        new_code_cell(
            "plates = synergy.read_plates(folder / 'reads.txt', folder / 'plate_map.csv', "
            "plates=folder / 'plates.csv')\nplates"
        ),
        new_markdown_cell(
            "Plate maps are often drawn as the plate looks: one grid per variable, in the "
            "reads' rectangular style, after a line `Layout: NAME` and a line `Variable: "
            "role` (`drug1`, `conc1 (nM)`, …, `sample`, `replicate`). `read_plates` "
            "recognises such a map (CSV, TSV or Excel) and reads the same plates from it."
        ),
        new_code_cell(
            "from synergy.datasets.simulate_plates import grid_map_export\n\n"
            "(folder / 'plate_map_grids.txt').write_text(grid_map_export(sim.layout))\n"
            "print((folder / 'plate_map_grids.txt').read_text()[:300])\n"
            "drawn = synergy.read_plates(folder / 'reads.txt', folder / 'plate_map_grids.txt', "
            "plates=folder / 'plates.csv')\n"
            "all((drawn[v] == plates[v]).all() for v in ('role', 'drug_name', 'conc'))"
        ),
        new_markdown_cell(
            "## Normalisation\n"
            "Per plate, from its own controls with medians as centres: "
            "% inhibition = 100 · (neg − x) / (neg − pos). The reader's drift across the run "
            "scales every well of a plate alike, so each plate's controls take it out."
        ),
        new_code_cell(
            "plates = synergy.plates.normalize(plates)\n"
            "plates[['neg_center', 'pos_center', 'normalization']].to_dataframe()"
        ),
        new_markdown_cell(
            "## Plate QC\n"
            "Z′ and SSMD of the controls, control CVs, the signal window, row/column/edge "
            "effects from a median polish of each plate's deviations from the other plates, "
            "and drift along the read. P0002 (edge) and P0003 (row F) are flagged; the clean "
            "plates are not."
        ),
        new_code_cell(
            "qc = synergy.plates.qc(plates)\n"
            "qc[['z_prime', 'ssmd', 'cv_negative', 'row_effect_max', 'worst_row', "
            "'edge_effect', 'read_drift', 'qc_flags', 'qc_reason']].to_dataframe().round(2)"
        ),
        new_markdown_cell(
            "The spatial flags sit on the wells they concern (`well_flags`): P0003's row "
            "effect on row F only, P0002's edge effect on the outer ring; a low Z′ (P0002 "
            "sits at the 0.5 limit) or drift sits on every well of its plate."
        ),
        new_code_cell(
            "rows_flagged = (qc['well_flags'] != 0).any('well_col')\n"
            "for p in ('P0002', 'P0003'):\n"
            "    print(p, 'rows with flagged wells:', "
            "' '.join(rows_flagged['well_row'].values[rows_flagged.sel(plate=p).values]))"
        ),
        new_code_cell("synergy.plot.plate(plates, 'P0003', qc=qc)"),
        new_code_cell("synergy.plot.plate(plates, 'P0002', qc=qc)"),
        new_markdown_cell(
            "## Spatial correction\n"
            "`correct_spatial` divides out each plate's fitted row and column factors and "
            "keeps the raw `signal` and `response`. Against the simulation's truth, the edge "
            "wells of P0002 are back within the noise."
        ),
        new_code_cell(
            "from synergy.io.plate_map import parse_wells\n\n"
            "corrected = synergy.plates.correct_spatial(plates)\n"
            "truth = sim.truth[sim.truth['plate'] == 'P0002']\n"
            "row, col = parse_wells(truth['well'], truth['well'])\n"
            "edge = (row == 0) | (row == 15)\n"
            "for name in ('response', 'response_corrected'):\n"
            "    error = corrected[name].sel(plate='P0002').values[row, col] - truth['response']\n"
            "    print(f'{name:20s} edge rows minus inner rows: {error[edge].mean() - "
            "error[~edge].mean():+.1f} % points')"
        ),
        new_markdown_cell(
            "## To a screen, and scores\n"
            "`plates_to_screen` builds the screen model (blocks = cell line × drug pair, "
            "replicates = the replicate plates, labelled by the plates table's `replicate` "
            "column), with the plate and well of every value; blocks whose wells carry a QC "
            "flag carry it into `status` and `status_reason`. Here every block of cell1 "
            "touches P0002's dried edge; the row-F fault of P0003 reaches only the two "
            "blocks with wells in row F."
        ),
        new_code_cell(
            "screen = synergy.plates_to_screen(plates, qc=qc)\n"
            "scored = synergy.score(screen)\n"
            "table = synergy.to_table(scored, level='block')\n"
            "table[['block_id', 'sample', 'ZIP_synergy', 'Bliss_synergy', 'status']].round(2)"
        ),
        new_code_cell(
            "import re\n\n"
            "print('replicates:', screen['replicate_label'].values.tolist())\n"
            "for block, reason in zip(screen['block'].values, screen['plate_qc_reason'].values, "
            "strict=True):\n"
            "    print(f'{block:22s}', re.sub(r' \\([^)]*\\)', '', reason) or 'ok')"
        ),
        new_code_cell(
            "print(scored['status_reason'].values[0])\n"
            "block, row, col = 0, 3, 4\n"
            "list(zip(scored['source_plate'].values[block, row, col], "
            "scored['source_well'].values[block, row, col], "
            "scored['response'].values[block, row, col].round(1), strict=True))"
        ),
    ]
    return new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )


def main() -> None:
    nbformat.write(from_plates(), HERE / "04_from_plates.ipynb")


if __name__ == "__main__":
    main()
