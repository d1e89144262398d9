"""Bad input, tried as a hostile but realistic user would (docs/bad_input.md).

Every case ends in a :class:`~synergy.errors.SynergyError` naming the file, or in a read
where every input block is present with its id unchanged; the CLI exits 0 or 2 and never
shows a traceback.  Cases are generated from the bundled data (``bad_input_cases.py``),
plus hypothesis strategies that combine encodings, delimiters, junk lines and ids.
"""

from __future__ import annotations

import gzip
import os
import re
import socket
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import synergy
from synergy.batch import run_screen
from synergy.cli import main
from synergy.errors import SynergyError
from synergy.io.outputs import (
    OutputBusyError,
    OutputLock,
    check_not_input,
    input_paths,
    lock_path,
)
from synergy.io.reader import describe_provenance
from synergy.io.store import save_screen
from synergy.io.validate import open_any

from .bad_input_cases import cases, mathews, mathews_fraction, oneil

CASES = cases()
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
NUMPY_REPR = re.compile(r"np\.(float|int|str_|bool_)|numpy\.")


def _source(case, folder):
    return case.build(folder)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_reads_every_block_or_raises_naming_the_file(case, tmp_path):
    source = _source(case, tmp_path)
    name = "DataFrame" if isinstance(source, pd.DataFrame) else str(source)
    kwargs = case.kwargs or {}
    if case.error is None:
        screen = open_any(source, **kwargs)
        assert screen["block"].values.tolist() == case.ids
        return
    with pytest.raises(SynergyError) as info:
        open_any(source, **kwargs)
    message = str(info.value)
    assert type(info.value).__name__ == case.error, message
    assert name in message and case.words in message, message
    assert not NUMPY_REPR.search(message), message


@pytest.mark.parametrize(
    "case",
    [
        c
        for c in CASES
        if c.name
        not in (
            "bool-response",
            "complex-response",
            "datetime-dose",
            "bool-cell-in-dose",
            "nul-in-drug",
            "tab-in-sample",
            "dataframe-text-ids",
        )
    ],
    ids=lambda c: c.name,
)
def test_cli_exits_0_or_2_without_traceback(case, tmp_path):
    source = _source(case, tmp_path)
    args = ["info", str(source)]
    if (case.kwargs or {}).get("sheet") is not None:
        args += ["--sheet", str(case.kwargs["sheet"])]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == (0 if case.error is None else 2), result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    if case.error is not None:
        assert str(source) in result.output


def test_fraction_viability_is_detected_and_scores_as_inhibition(tmp_path):
    """sf_oneil as fractions (controls ≈ 1.0) gives SynergyFinder's ZIP 35.4 / −74.8 again."""
    case = next(c for c in CASES if c.name == "fraction-viability")
    screen = synergy.read_screen(case.build(tmp_path))
    record = describe_provenance(screen)["response"]
    assert record["viability_scale"] == "fraction" and "fraction" in record["rule"]
    original = synergy.read_screen(oneil())
    np.testing.assert_allclose(screen.response, original.response, rtol=0, atol=1e-9)
    scored = synergy.score(screen, ["zip"])
    np.testing.assert_allclose(scored.zip_score, [35.42, -74.80], atol=0.01)
    assert scored.status.values.tolist() == synergy.score(original, ["zip"]).status.values.tolist()


def test_mathews_fraction_is_detected_despite_wells_beyond_the_control(tmp_path):
    screen = synergy.read_screen(mathews_fraction(tmp_path))
    assert describe_provenance(screen)["response"]["viability_scale"] == "fraction"
    np.testing.assert_allclose(
        screen.response, synergy.read_screen(mathews()).response, rtol=0, atol=1e-9
    )


@pytest.mark.parametrize(
    ("change", "flagged", "words"),
    [
        (lambda d: d.assign(response=d["response"] * 1e4), [True, True], "outside"),
        (
            lambda d: d.assign(response=d["response"].where(d.index != 150, 1e6)),
            [False, True],
            "1e+06",
        ),
        (lambda d: d.assign(response=-500.0), [True, True], "-500"),
        (lambda d: d.assign(response=100 - d["response"]), [True, True], "control wells at"),
    ],
    ids=["x1e4", "one-well-1e6", "all-minus-500", "viability-labelled-inhibition"],
)
def test_implausible_scale_gets_a_warning_per_block_and_is_still_scored(change, flagged, words):
    table = change(oneil())
    if (table["response"] == -500).all():  # controls too: the kind must be given
        table = table.assign(response_kind="inhibition")
    scored = synergy.score(synergy.read_screen(table), ["bliss", "hsa"])
    got = [("response:" in r) for r in scored.status_reason.values]
    assert got == flagged
    for i in np.flatnonzero(flagged):
        assert scored.status.values[i] >= 1 and words in scored.status_reason.values[i]
    assert np.isfinite(scored.bliss_score.values).all()  # still scored


def test_mathews_wells_at_187_percent_viability_are_not_flagged():
    """Real plates go past 100 % viability: sf_mathews keeps its SynergyFinder statuses."""
    screen = synergy.read_screen(mathews())
    assert float(screen.response.min()) < -80  # the −87 % inhibition wells are there
    scored = synergy.score(screen)
    assert not any("response:" in r for r in scored.status_reason.values)
    tight = synergy.score(screen, ["bliss"], response_range=(-50.0, 150.0))
    assert any("response:" in r for r in tight.status_reason.values)  # configurable


def test_unfittable_block_fails_alone_in_the_api():
    """A block of 1e300 responses: the other block scores as on its own, this one fails
    with a status naming the values (synergy.score no longer raises)."""
    table = oneil()
    table.loc[table["block_id"] == 2, "response"] = 1e300
    scored = synergy.score(synergy.read_screen(table))
    alone = synergy.score(synergy.read_screen(oneil()[oneil()["block_id"] == 1]))
    assert scored.status.values.tolist()[1] == 2
    assert "cannot be fitted" in scored.status_reason.values[1]
    assert "1e+300" in scored.status_reason.values[1]
    for name in ("zip_score", "bliss_score", "hsa_score", "loewe_score"):
        assert scored[name].values[0] == alone[name].values[0]
        assert np.isnan(scored[name].values[1])
    assert float(scored.response.max()) == 1e300  # the input is kept as given


# ---- hypothesis: the same table written in many awkward ways reads the same ------------

ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252", "latin-1"]
SEPARATORS = [",", ";", "\t", "|"]
JUNK = ["", "   ", "# note", ",,,,,", ";;;;", "\t\t"]
IDS = st.text(alphabet="0123456789.eE-_abcXYZ", min_size=1, max_size=6).filter(
    lambda s: s.strip() == s and s.upper() not in ("NA", "NAN", "N/A", "NULL")
)


@given(
    encoding=st.sampled_from(ENCODINGS),
    sep=st.sampled_from(SEPARATORS),
    junk=st.lists(st.tuples(st.integers(0, 210), st.sampled_from(JUNK)), max_size=6),
    ids=st.lists(IDS, min_size=2, max_size=2, unique=True),
    gz=st.booleans(),
    micro=st.booleans(),
)
@SETTINGS
def test_awkward_writing_reads_every_block_with_its_id(
    tmp_path_factory, encoding, sep, junk, ids, gz, micro
):
    table = oneil()
    table["block_id"] = table["block_id"].map({1: ids[0], 2: ids[1]})
    if micro:
        table["conc_unit"] = "µM"
    lines = table.to_csv(index=False, sep=sep).splitlines()
    for position, line in sorted(junk, reverse=True):
        lines.insert(min(position, len(lines)) if position else 0, line)
    data = ("\n".join(lines) + "\n").encode(encoding)
    path = tmp_path_factory.mktemp("awkward") / "table.csv"
    path.write_bytes(gzip.compress(data) if gz else data)
    screen = synergy.read_screen(path)
    assert screen["block"].values.tolist() == ids
    np.testing.assert_allclose(screen.response, synergy.read_screen(oneil()).response)
    assert screen.attrs["conc_unit"] == "uM"


@given(data=st.binary(max_size=600), suffix=st.sampled_from([".csv", ".xlsx", ".parquet", ".txt"]))
@SETTINGS
def test_arbitrary_bytes_read_or_raise_a_synergy_error(tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("bytes") / f"random{suffix}"
    path.write_bytes(data)
    try:
        open_any(path)
    except SynergyError as exc:
        assert str(path) in str(exc)


@given(cut=st.integers(1, 2000))
@SETTINGS
def test_a_file_cut_anywhere_reads_or_raises_a_synergy_error(tmp_path_factory, cut):
    path = tmp_path_factory.mktemp("cut") / "cut.csv"
    path.write_bytes(oneil().to_csv(index=False).encode()[:cut])
    try:
        screen = open_any(path)
    except SynergyError as exc:
        assert str(path) in str(exc)
        assert not NUMPY_REPR.search(str(exc)), str(exc)
    else:
        assert set(screen["block"].values) <= {"1", "2"}


# ---- outputs: never over an input, never silently over an existing file ----------------


def test_api_never_writes_over_a_raw_input(tmp_path):
    source = tmp_path / "in.csv"
    oneil().to_csv(source, index=False)
    screen = synergy.read_screen(source)
    assert input_paths(screen) == [str(source)]
    for target in (source, tmp_path / "." / "in.csv"):
        with pytest.raises(SynergyError, match="input file"):
            check_not_input(target, input_paths(screen))
    scored = synergy.score(screen, ["bliss"])
    out = tmp_path / "scored.nc"
    save_screen(scored, out)
    save_screen(scored, out)  # API writers overwrite their outputs, like xarray
    run_screen(screen, ["bliss"], out=out, progress=False)
    xr.testing.assert_identical(open_any(out), scored)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "scored.nc"]


def test_cli_refuses_existing_output_and_any_input(tmp_path):
    source = tmp_path / "in.csv"
    oneil().to_csv(source, index=False)
    before = source.read_bytes()
    out = tmp_path / "o.nc"
    out.write_bytes(b"keep me")
    runner = CliRunner()
    refused = runner.invoke(main, ["score", str(source), "-o", str(out)])
    assert refused.exit_code == 2 and "--overwrite" in refused.output
    assert out.read_bytes() == b"keep me"
    over_input = runner.invoke(
        main,
        [
            "score",
            str(source),
            "-o",
            str(tmp_path / "new.nc"),
            "--table",
            str(source),
            "--overwrite",
        ],
    )
    assert over_input.exit_code == 2 and "input file" in over_input.output
    assert source.read_bytes() == before and not (tmp_path / "new.nc").exists()
    replaced = runner.invoke(main, ["score", str(source), "-o", str(out), "--overwrite", "-q"])
    assert replaced.exit_code == 0, replaced.output
    assert open_any(out)["block"].values.tolist() == ["1", "2"]
    assert not lock_path(out).exists()
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name]


def test_demo_needs_overwrite_for_a_used_folder(tmp_path):
    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / "mine.txt").write_text("x")
    result = CliRunner().invoke(main, ["demo", "--out", str(folder)])
    assert result.exit_code == 2 and "--overwrite" in result.output


# ---- one writer per output ------------------------------------------------------------


def test_lock_names_its_holder_and_is_reentrant(tmp_path):
    out = tmp_path / "o.nc"
    with OutputLock(out), OutputLock(out):  # the same process may nest
        assert lock_path(out).exists()
        code = (
            "import sys; from synergy.io.outputs import OutputLock\n"
            f"try:\n    OutputLock({str(out)!r}).__enter__()\n"
            "except Exception as e:\n    print(type(e).__name__, e); sys.exit(2)\n"
        )
        other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert other.returncode == 2
        pattern = (
            rf"another run \(pid {os.getpid()} on .+, since .+\) is writing {re.escape(str(out))}"
        )
        assert re.search(pattern, other.stdout), other.stdout
    assert not lock_path(out).exists()


def test_stale_lock_of_a_dead_pid_on_this_host_is_taken_over(tmp_path):
    out = tmp_path / "o.nc"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    pid = int(dead.stdout)
    lock_path(out).write_text(
        f'{{"pid": {pid}, "host": "{socket.gethostname()}", "started": "earlier"}}'
    )
    with OutputLock(out):
        assert f'"pid": {os.getpid()}' in lock_path(out).read_text()
    lock_path(out).write_text(f'{{"pid": {pid}, "host": "elsewhere", "started": "earlier"}}')
    with pytest.raises(OutputBusyError, match="on elsewhere"):  # another host: never guessed
        OutputLock(out).__enter__()


def test_messages_show_plain_numbers():
    table = oneil()
    table["block_id"] = table["block_id"].astype(object)
    table.loc[table.index[:3], "drug_row"] = "other"
    with pytest.raises(SynergyError) as info:
        synergy.read_screen(table)
    assert not NUMPY_REPR.search(str(info.value)), str(info.value)
    table = oneil()
    table.loc[4, "conc_row"] = -2.5
    with pytest.raises(SynergyError) as info:
        synergy.read_screen(table)
    assert "[-2.5]" in str(info.value) and not NUMPY_REPR.search(str(info.value))


def test_score_writes_atomically_through_a_dataset_check(tmp_path):
    scored = synergy.score(synergy.read_screen(oneil()), ["bliss"])
    path = save_screen(scored, tmp_path / "s.nc")
    xr.testing.assert_identical(open_any(path), scored)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.nc"]
