"""Helpers shared by the header-evidence tests (test_header_evidence, test_header_split_labels, test_header_types_repeated,
test_header_declared_names, test_reordered_header_evidence): a small CSV's rows, the read warnings they expect word for
word, the description a line of type names gets, a headerless file's curated row, a file's accounting in the run
report, and settings whose config folder holds one source config."""

from __future__ import annotations

from pathlib import Path

from headwater.config.settings import Settings


def rows(data: bytes, delimiter: str = ",") -> list[list[str]]:
    """Every line of ``data`` split at ``delimiter`` (no quoting): the records a plain small CSV holds."""
    return [line.split(delimiter) for line in data.decode().splitlines()]


def kept(row: str, how: str, why: str) -> str:
    """The warning for line 1 kept as a record although its numbers read like column names."""
    return (
        f"line 1 ({row}) read as the first record of a file with no header, although its numbers {how} as column names can "
        f"(scale points, sizes or weeks): {why} — if it is the header, set read.header: 1 for this source"
    )


def taken(row: str, run_: str) -> str:
    """The warning for line 1 taken as a header of numbers; ``run_``: how they run (``count up (1..3)``), with the
    evidence when it is the label (``… and its label 'name' is a column word, though they lie among the values below
    (0..9)``), else the numbers stand apart from the values below (``over numbers that do not``)."""
    evidence = run_ if " and its label " in run_ else f"{run_} over numbers that do not"
    return (
        f"line 1 ({row}) taken as the header: its numbers {evidence} (scale points, sizes or weeks as "
        "column names) — if it is a record, set read.header: none for this source (read.header: 1 confirms it and silences "
        "this warning)"
    )


def types_reason(shown: str) -> str:
    """The reason of a line of type names under the header (``shown``: its cells joined by ``, ``)."""
    return f"type names ({shown}): each column's type as a schema writes it, not a record"


# table.header_descriptions of ``id,amount,created`` over ``string,number,date`` (line 2)
TYPES_DESCRIBED = [{
    "line": 2,
    "reason": types_reason("string, number, date"),
    "columns": [
        {"column": 1, "name": "id", "description": "string"},
        {"column": 2, "name": "amount", "description": "number"},
        {"column": 3, "name": "created", "description": "date"},
    ],
}]


def headerless(line: int, *cells: object) -> dict:
    """A curated row of a file read without a header: ``_line`` and the cells under ``column_1``, ``column_2``..."""
    return {"_line": line, **{f"column_{i}": cell for i, cell in enumerate(cells, 1)}}


def accounted(entry: dict) -> tuple[int, int, int]:
    """(records, curated, structural lines) of a file's run-report entry."""
    return entry["records"], entry["curated"], entry["structural_lines"]


def source_settings(tmp_path: Path, config: str | None = None) -> Settings:
    """Settings under ``tmp_path`` whose config folder holds ``config`` as ``s.yaml`` (None: no source config at all)."""
    folder = tmp_path / "config"
    folder.mkdir()
    if config is not None:
        (folder / "s.yaml").write_text(config)
    return Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=folder)
