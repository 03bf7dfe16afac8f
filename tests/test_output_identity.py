"""Refactoring keeps the outputs: the synthetic year's published files are byte-identical to the
digests recorded here (issue 16: moving and renaming only).

The report page and the workbook show when the allocation run was created and published; those
minutes are masked before hashing (every other byte counts). A deliberate change of an output
updates its digest here in the same commit, so the change is visible in review; the failure
message prints the new digests.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from pathlib import Path

import pytest

from flows.annual import annual_assessment
from tests.conftest import YEAR

pytestmark = pytest.mark.usefixtures("prefect_harness")

DIGESTS = {
    "scores.csv": "0636c78940630c3e3cdfbf32153b380f577a75ee4f90b59072aa681eb7816905",
    "allocations.csv": "511e0d45832887d6e8f2e78c36ca5fda9283fa69372ab1a40914b7e9b7a4cde6",
    "quarantine.csv": "4505b64265378a89e52dac6a6b9c3f50d4d5ea05370db3b1050ffe0c61c17a46",
    # Changed on purpose (issue 19): the page's masthead and the workbook's Summary state that a
    # published run's results are current (input hash, score run, publication time); CSVs unchanged.
    "report.xlsx": "f4cc83cd7c7178cc01082463c9c7673439e90ae1ce566779d368b429d9a1c389",
    "report.html": "d7e308bdafc2c440ce159b098bd6c2681cb17648179d8909fed1955bbe5867ec",
}

# "2026-12-02 12:22 Asia/Shanghai": the run's own time, the one thing that differs between runs.
RUN_TIME = re.compile(rb"\d{4}-\d\d-\d\d \d\d:\d\d Asia/Shanghai")


def digest(path: Path) -> str:
    """SHA-256 of a published file; run times masked, and a workbook hashed member by member."""
    sha = hashlib.sha256()
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                sha.update(info.filename.encode() + b"\0")
                sha.update(RUN_TIME.sub(b"<run time>", archive.read(info)) + b"\0")
    else:
        data = path.read_bytes()
        sha.update(RUN_TIME.sub(b"<run time>", data) if path.suffix == ".html" else data)
    return sha.hexdigest()


def test_the_synthetic_years_outputs_are_byte_identical_to_the_recorded_ones(
    synthetic_year: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    annual_assessment(year=YEAR, source=str(synthetic_year), out=str(out), db=str(tmp_path / "w.duckdb"))
    found = {name: digest(out / name) for name in DIGESTS}
    assert found == DIGESTS, f"outputs changed; if on purpose, record DIGESTS = {found!r}"
