"""The gallery's code: one example per figure of :mod:`synergy.plot` (``docs/gallery.md``).

``SETUP`` runs once; each example starts from its names and leaves the figure in ``fig``.
"""

SETUP = """
import synergy
import synergy.plot as splot

# the simulated menin-inhibitor x venetoclax screen: blocks 1 (MOLM-13, revumenib),
# 2 (MOLM-13, ziftomenib) and 13 (normal CD34+ cells, revumenib)
menin = synergy.score(synergy.datasets.load("menin_venetoclax"))
# SynergyFinder's Mathews example scored with the least-squares fitter, compared with
# SynergyFinder 3's published scores (the default fitter="drc" reproduces them exactly)
published = synergy.benchmark.read_published(
    [synergy.datasets.path("sf_mathews") / "synergyfinder3_summary.csv",
     synergy.datasets.path("sf_mathews") / "synergyfinder3_surface.csv"]
)
comparison = synergy.benchmark.compare(
    synergy.datasets.load("sf_mathews"), published, fitter="lsq", check_fits=False
)
# a simulated three-drug screen (4 x 4 x 4 doses, two replicates)
cubes = synergy.score(
    synergy.datasets.simulate_multi(1, n_doses=4, noise_sd=3, n_replicates=2, seed=1)
)
"""

EXAMPLES = {
    "landscape": 'fig = splot.landscape(menin, "1", "zip")',
    "landscapes": 'fig = splot.landscapes(menin, "1")',
    "landscape_3d": 'fig = splot.landscape_3d(menin, "1", "bliss")',
    "dose_response": 'fig = splot.dose_response(menin, "1")',
    "response_matrix": 'fig = splot.response_matrix(menin, "1")',
    "plate_qc": 'fig = splot.plate_qc(menin, "1")',
    "screen_overview": 'fig = splot.screen_overview(menin, "zip")',
    "isobologram": 'fig = splot.isobologram(menin, "1", effects=(30.0, 50.0, 70.0))',
    "therapeutic_window": 'fig = splot.therapeutic_window(menin, "1", "zip")',
    "benchmark_scatter": "fig = splot.benchmark_scatter(comparison)",
    "plate": (
        "import tempfile\n"
        "from pathlib import Path\n"
        "from synergy.datasets.simulate_plates import grid_export, simulate_plates\n"
        "sim = simulate_plates(seed=3)  # six 384-well plates; P0002 edge, P0003 row F\n"
        "folder = Path(tempfile.mkdtemp())\n"
        "(folder / 'reads.txt').write_text(grid_export(sim.reads))\n"
        "sim.layout.to_csv(folder / 'plate_map.csv', index=False)\n"
        "sim.plates.to_csv(folder / 'plates.csv', index=False)\n"
        "plates = synergy.read_plates(\n"
        "    folder / 'reads.txt', folder / 'plate_map.csv', plates=folder / 'plates.csv'\n"
        ")\n"
        "fig = splot.plate(synergy.plates.normalize(plates), 'P0003')"
    ),
    "benchmark_bland_altman": "fig = splot.benchmark_bland_altman(comparison)",
    "benchmark_well_differences": 'fig = splot.benchmark_well_differences(comparison, "zip")',
    "slice_landscapes": 'fig = splot.slice_landscapes(cubes, 0, "zip")',
    "drug_curves": "fig = splot.drug_curves(cubes, 0)",
}
