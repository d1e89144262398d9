"""``synergy score READS --layout MAP``: plate reads through normalisation and QC to scores."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from synergy.datasets.simulate_plates import grid_export, simulate_plates
from synergy.io.store import open_screen


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "synergy.cli", *args], capture_output=True, text=True, timeout=300
    )


def test_score_from_plates(tmp_path):
    sim = simulate_plates(seed=3)
    reads, layout, table = tmp_path / "reads.txt", tmp_path / "map.csv", tmp_path / "plates.csv"
    reads.write_text(grid_export(sim.reads))
    sim.layout.to_csv(layout, index=False)
    sim.plates.to_csv(table, index=False)
    out = tmp_path / "scored.nc"
    args = [str(reads), "--layout", str(layout), "--plate-table", str(table)]
    done = _cli("score", *args, "-o", str(out), "--models", "bliss,hsa")
    assert done.returncode == 0, done.stderr
    assert "plates: 6 read, 2 flagged by QC" in done.stderr
    assert "warning: plate P0003: row_effect (row F" in done.stderr
    scored = open_screen(out)
    from_bad = np.char.startswith(scored["block"].values.astype(str), "cell1:")
    assert (scored["status"].values[from_bad] == 1).all()
    assert all("plate_qc: plate P0002" in r for r in scored["status_reason"].values[from_bad])
    assert (scored["source_plate"].values != "").any()
    assert "P0003" in scored.attrs["plate_qc"]  # for the report's plate QC section
    # a mapped well missing from the reads: exit 2, plate and well named
    sim.reads[sim.reads["well"] != "C07"].to_csv(tmp_path / "long.csv", index=False)
    bad = _cli("score", str(tmp_path / "long.csv"), *args[1:], "-o", str(tmp_path / "x.nc"))
    assert bad.returncode == 2
    assert "plate P0001 well C07: in the plate map as 'sample' but missing" in bad.stderr


def test_report_has_the_plate_qc_section(tmp_path):
    import synergy

    sim = simulate_plates(seed=3)
    plates = synergy.plates.normalize(synergy.read_plates(sim.reads, sim.layout, plates=sim.plates))
    scored = synergy.score(synergy.plates_to_screen(plates), ["bliss"])
    html = synergy.report.render_report(scored, max_blocks=1)
    section = html[html.index('<h2 id="plates">Plate QC</h2>') :]
    assert "6 plates, 2 flagged" in section
    first, second, third = (
        section.index(f'<td class="text">{p}</td>') for p in ("P0002", "P0003", "P0001")
    )
    assert first < second < third  # flagged plates first
    assert "row_effect (row F" in section
    plain = synergy.report.render_report(
        synergy.score(synergy.datasets.load("sf_mathews"), ["bliss"])
    )
    assert "Plate QC" not in plain
