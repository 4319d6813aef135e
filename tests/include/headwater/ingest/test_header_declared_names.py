"""A first row of counting numbers whose label is a column the source's schema declares is the header (breaker8 #2).

By shape ``Name,1,2,3,4,5`` over ``Ann,4,5,3,2,1`` (a Likert export) cannot be told from ``Day,1,2,3`` over
``Night,5,4,1`` (a record), and without a config such a row stays a record, warned (hdr9: the rule that loses no
record). A source that declares a ``name`` column (or an alias such as ``Spieler``) settles it: the row is the header,
its columns are mapped, and no record is lost. A label the schema does not declare is weighed as before.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from header_cases import source_settings

from headwater.ingest.stage import ingest as ingest_file
from headwater.layout import Layout
from headwater.manifest import FileRef
from headwater.storage import read_json

DATE = "2026-11-20"
LIKERT = "Name,1,2,3,4,5\nAnn,4,5,3,2,1\nBen,2,2,3,4,5\nCid,5,4,3,2,1\n"


def _ingest(tmp_path: Path, text: str, config: str | None) -> tuple[dict, dict]:
    settings = source_settings(tmp_path, config)
    ref = FileRef(DATE, "a.csv")
    ingest_file(text.encode(), ref, settings)
    lay = Layout(settings.data_dir, DATE)
    return read_json(lay.manifest(ref.key)), pq.read_table(lay.staging(ref.key)).to_pydict()


@pytest.mark.parametrize(
    "config",
    [
        'files: ["*.csv"]\nschema:\n  name: s\n  columns:\n    name: {type: string}\n',
        'files: ["*.csv"]\nschema:\n  name: s\n  columns:\n    respondent: {type: string, aliases: [Name]}\n',
        'files: ["*.csv"]\nschema:\n  name: s\n  columns:\n    respondent: {type: string, aliases: [NAME]}\n',  # standardized before comparing
    ],
)
def test_a_declared_label_makes_the_counting_row_the_header(tmp_path: Path, config: str) -> None:
    manifest, _ = _ingest(tmp_path, LIKERT, config)
    assert manifest["header"] == ["Name", "1", "2", "3", "4", "5"]
    assert manifest["rows_read"] == 3 and manifest["structural"] == {"header": 1}
    assert not [w for w in manifest["read_warnings"] if "read as the first record" in w]


def test_a_german_alias_too(tmp_path: Path) -> None:
    config = 'files: ["*.csv"]\nschema:\n  name: s\n  columns:\n    player: {type: string, aliases: [Spieler]}\n'
    manifest, _ = _ingest(tmp_path, "Spieler,1,2,3\nAnna,4,5,3\nBen,2,2,3\n", config)
    assert manifest["header"] == ["Spieler", "1", "2", "3"] and manifest["rows_read"] == 2


def test_without_a_schema_the_row_stays_a_record_warned(tmp_path: Path) -> None:
    manifest, _ = _ingest(tmp_path, LIKERT, None)
    assert manifest["header"] == [f"column_{i}" for i in range(1, 7)]
    assert manifest["rows_read"] == 4
    assert [w for w in manifest["read_warnings"] if "read as the first record" in w]


def test_a_label_the_schema_does_not_declare_is_weighed_as_before(tmp_path: Path) -> None:
    """``Day`` over ``Night`` (shifts) under a schema that declares ``name`` only: still a record, warned."""
    config = 'files: ["*.csv"]\nschema:\n  name: s\n  columns:\n    name: {type: string}\n'
    manifest, _ = _ingest(tmp_path, "Day,1,2,3\nNight,5,4,1\nSwing,2,2,0\n", config)
    assert manifest["header"] == ["column_1", "column_2", "column_3", "column_4"]
    assert manifest["rows_read"] == 3
    assert [w for w in manifest["read_warnings"] if "read as the first record" in w]


@pytest.mark.parametrize(
    "config",
    [
        'files: ["*.csv"]\nschema:\n  name: s\n  columns:\n    name: {type: string}\n',
        'files: ["*.csv"]\nschema:\n  name: s\n  columns:\n    respondent: {type: string, aliases: [Name]}\n',
    ],
)
def test_a_declared_label_confirms_the_header_no_warning(tmp_path: Path, config: str) -> None:
    """The schema confirms the header as ``read.header: 1`` would: no "taken as the header" doubt, no advice to set
    read.header (mend11 saw the warning claim numbers "over numbers that do not" where 1..5 lie among the values)."""
    manifest, staging = _ingest(tmp_path, LIKERT, config)
    assert [w for w in manifest["read_warnings"] if "taken as the header" in w or "read.header" in w] == []
    assert staging["c0"] == ["Ann", "Ben", "Cid"]  # staging columns are positional: the header row is not a record


def test_an_undeclared_column_word_label_says_the_numbers_lie_among_the_values() -> None:
    """``name`` (a column word, lower case: not written like ``Ann``) over scores 1-5 is the header, warned; the warning
    says what the evidence is (the label), not that the numbers stand apart from the values (they do not)."""
    from headwater.ingest.csv_file import parse_csv

    parsed = parse_csv(b"name,1,2,3,4,5\nAnn,4,5,3,2,1\nBen,2,2,3,4,5\n", "x.csv")
    assert parsed.header == ["name", "1", "2", "3", "4", "5"]
    assert parsed.warnings == [
        "line 1 (['name', '1', '2', '3', '4', '5']) taken as the header: its numbers count up (1..5) and its label 'name' is "
        "a column word, though they lie among the values below (1..5) (scale points, sizes or weeks as column names) — if it "
        "is a record, set read.header: none for this source (read.header: 1 confirms it and silences this warning)"
    ]
