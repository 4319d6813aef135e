"""A header's names met again in another order prove a second export only when the header itself is proven (breaker8 #4).

A header taken without evidence (every column text, its names written like the values) may be a
record itself: a later line of the same words in another order is then a record too, kept as
written (and the records below it by position), with a warning. Under a header confirmed by
evidence (a number column) or by ``read.header``, the reordered line is a second export's header
and the records below it are loaded by name, as before.
"""

from __future__ import annotations

import pytest
from header_cases import source_settings
from test_table_reading import described, read
from test_table_stage import run

from headwater.config.read import ReadOptions
from headwater.config.settings import Settings
from headwater.ingest.csv_file import parse_csv

UNPROVEN = (
    "line {at} taken as the header without evidence: every column holds text and its names are written like the values below "
    "them ({names}) — if it is a record, set read.header: none for this source (read.header: 1 confirms it and silences this warning)"
)
KEPT = (
    "line {line} holds the header's names in another order ({names}), but the header (line 1) was taken without evidence: "
    "no proof of a second export — kept as a record as written, and the records below it by position, not by name; if line 1 "
    "is the header and line {line} starts a second export, set read.header: 1 for this source (the records below it are then "
    "loaded by name)"
)
CAST = b"int,float\nfloat,int\nstring,date\n"  # breaker8 in/hdr2/d_cast_noheader.csv


@pytest.mark.parametrize("engine", ["arrow", "python"])
def test_a_two_name_swap_of_an_unproven_header_is_a_record_as_written(engine: str) -> None:
    # was: line 2 a repeated_header, line 3 loaded "by name" as int='date', float='string'
    assert read(CAST, engine=engine) == (["int", "float"], [["float", "int"], ["string", "date"]], [2, 3], [], {"header": 1})
    d = described(CAST, engine=engine)
    assert (d["header_unconfirmed"], d.get("reordered_headers")) == (True, None)
    warnings = parse_csv(CAST, "x.csv", ReadOptions(engine=engine)).warnings
    assert warnings[-2:] == [UNPROVEN.format(at=1, names="['int', 'float']"), KEPT.format(line=2, names="['float', 'int']")]


@pytest.mark.parametrize(
    ("data", "records", "line"),
    [
        # three names, two swapped, right under the header
        (b"red,green,blue\ngreen,red,blue\ncyan,magenta,yellow\nblack,white,grey\n",
         [["green", "red", "blue"], ["cyan", "magenta", "yellow"], ["black", "white", "grey"]], 2),
        # the same, one record down (the head's section cut in find_table meets it too)
        (b"red,green,blue\ncyan,magenta,yellow\ngreen,red,blue\nblack,white,grey\n",
         [["cyan", "magenta", "yellow"], ["green", "red", "blue"], ["black", "white", "grey"]], 3),
        # all three moved, met twice: still no proof, each kept as written, warned once
        (b"red,green,blue\ncyan,magenta,yellow\nblue,red,green\nblack,white,grey\nblue,red,green\n",
         [["cyan", "magenta", "yellow"], ["blue", "red", "green"], ["black", "white", "grey"], ["blue", "red", "green"]], 3),
    ],
)
def test_a_reordered_repeat_of_an_unproven_header_keeps_every_line_a_record(data: bytes, records: list, line: int) -> None:
    n = len(records)
    assert read(data) == (["red", "green", "blue"], records, list(range(2, n + 2)), [], {"header": 1})
    reordered = [r for r in records if sorted(r) == ["blue", "green", "red"]][0]
    assert parse_csv(data, "x.csv").warnings == [
        UNPROVEN.format(at=1, names="['red', 'green', 'blue']"), KEPT.format(line=line, names=str(reordered)),
    ]


def test_read_header_confirms_the_header_and_its_reordered_repeat_is_loaded_by_name() -> None:
    assert read(CAST, header=1) == (["int", "float"], [["date", "string"]], [3], [], {"header": 1, "repeated_header": 1})
    assert described(CAST, header=1)["reordered_headers"] == [{"line": 2, "header": ["float", "int"]}]


@pytest.mark.parametrize("engine", ["arrow", "python"])
def test_a_header_proven_by_its_values_still_reads_a_reordered_second_export_by_name(engine: str) -> None:
    data = b"id,name,amount\n1,Alice,10\nname,id,amount\nBob,2,20\nname,amount,id\nCarol,30,3\n"
    assert read(data, engine=engine) == (
        ["id", "name", "amount"], [["1", "Alice", "10"], ["2", "Bob", "20"], ["3", "Carol", "30"]], [2, 4, 6], [],
        {"header": 1, "repeated_header": 2},
    )
    d = described(data, engine=engine)
    assert (d["header_unconfirmed"], d["reordered_headers"]) == (
        False, [{"line": 3, "header": ["name", "id", "amount"]}, {"line": 5, "header": ["name", "amount", "id"]}],
    )
    assert parse_csv(data, "x.csv", ReadOptions(engine=engine)).warnings == [
        "line 3 repeats the header's names in another order (['name', 'id', 'amount']): a second export appended — the records "
        "below it are loaded by name into the header's columns (manifest table.reordered_headers)"
    ]


@pytest.fixture
def settings(tmp_path) -> Settings:  # noqa: ANN001
    return source_settings(tmp_path)


def test_the_cast_file_lands_every_record_as_written(settings: Settings) -> None:
    manifest, curated, entry = run(settings, "d_cast_noheader.csv", CAST)
    assert (entry["records"], manifest["structural"], entry["curated"], entry["quarantined"]) == (3, {"header": 1}, 2, 0)
    assert curated[["_line", "int", "float"]].values.tolist() == [[2, "float", "int"], [3, "string", "date"]]
    assert manifest["table"].get("reordered_headers") is None
    assert KEPT.format(line=2, names="['float', 'int']") in manifest["read_warnings"]
