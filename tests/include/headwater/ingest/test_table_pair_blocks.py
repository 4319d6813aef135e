"""Key/value pairs after a blank line under a two-column table, and types lines over numbers written with units (tab15:
breaker12 B1, B2, B3; all three new in tab13).

* B1: ``Total:,140`` / ``Margin:,60%`` after a blank line were both ``report_footer``, silently: ``Margin:,60%`` only
  followed a footer pair. A pair is a footer only for its own label (a known footer phrase, a total or count); a block
  holding a footer pair is the footer only when every line is a clear footer line, and is always named in a warning.
* B2: ``user,role`` / ``ann,admin`` after a blank line under ``key,value`` was curated as three more pairs (a second table's
  header as a record). The rows under the pair in the sample decide (table.names_over_pairs); pairs kept are warned.
* B3: a types line over ``12 kg``, ``USD 12.00``, ``1e6``, or over a column of NA spellings only, was kept as a record.

Every input goes through ingest and clean (test_table_stage.run: the accounting identity is checked there).
"""

from __future__ import annotations

import pytest
from test_table_stage import run, values
from test_table_width_blocks import _quarantined

from headwater.config.settings import Settings


def _footer_warning(first: int, last: int, shown: str) -> str:
    n = last - first + 1
    where = f"lines {first}-{last} ({n} lines" if n > 1 else f"line {first} (1 line"
    return (
        f"{where} after a blank line below the last record of a two-column table: {shown}) read as the report's footer "
        "(report_footer structural lines, their text in manifest table.footer), not as records: each is a footer's label, a "
        "total or a count — if they hold data, remove the blank line above them"
    )


def _pairs_warning(first: int, last: int, row: list[str]) -> str:
    cells = "[" + ", ".join(repr(c) for c in row) + "]"
    where = f"lines {first}-{last} ({cells}, ...)" if last > first else f"line {first} ({cells})"
    return (
        f"{where} after a blank line read as more key/value pairs of the table (the keys written like those above it): kept "
        f"as records — they could start a second table with the header {cells}; if so, split the file"
    )


def _held_pair(line: int, text: str) -> tuple[int, str]:
    return (line, f"f.csv line {line}: a 'Key:,value' line after a blank line that reads as a report's footer ({text!r}), but "
                  "records follow it — row quarantined")


# ------------------------------------------------------------------ B1: a record under a footer pair


@pytest.mark.parametrize(
    "data, kept, total",
    [
        (b"metric,value\nRevenue,100\nCost,40\n\nTotal:,140\nMargin:,60%\n",  # breaker12 t5/metrics_total
         [(2, "Revenue", "100"), (3, "Cost", "40"), (6, "Margin:", "60%")], (5, "Total:,140")),
        (b"metric,value\nRevenue,100\nCost,40\n\nRow count:,2\nNote:,preliminary\n",
         [(2, "Revenue", "100"), (3, "Cost", "40"), (6, "Note:", "preliminary")], (5, "Row count:,2")),
    ],
)
def test_a_pair_under_a_footer_pair_is_a_record(settings: Settings, data: bytes, kept: list, total: tuple) -> None:
    # was: both lines report_footer, no warning, 2 records curated
    manifest, curated, entry = run(settings, "f.csv", data)
    assert [(r["_line"], r["metric"], str(r["value"])) for r in values(curated)] == kept
    assert manifest["structural_lines"] == {"header": [1], "blank": [4]}
    assert _quarantined(settings, "f.csv") == [_held_pair(*total)]
    assert (entry["records"], entry["curated"], entry["quarantined"], entry["structural_lines"]) == (6, 3, 1, 2)
    assert manifest["read_warnings"] == [_pairs_warning(6, 6, kept[-1][1:])]


def test_footer_pairs_only_are_the_footer_warned(settings: Settings) -> None:
    # breaker12 t7/kv_total: was the footer with no warning
    manifest, curated, entry = run(settings, "f.csv", b"setting,value\nmode,fast\n\nTotal:,3\nExported by:,jdoe\n")
    assert values(curated) == [{"_line": 2, "setting": "mode", "value": "fast"}]
    assert manifest["structural_lines"] == {"header": [1], "blank": [3], "report_footer": [4, 5]}
    assert manifest["table"]["footer"] == [{"kind": "report_footer", "line": 4, "text": "Total:,3"},
                                           {"kind": "report_footer", "line": 5, "text": "Exported by:,jdoe"}]
    assert manifest["read_warnings"][-1] == _footer_warning(4, 5, "'Total:,3', 'Exported by:,jdoe'")
    assert _quarantined(settings, "f.csv") == []


def test_one_footer_pair_is_the_footer_warned(settings: Settings) -> None:
    manifest, curated, entry = run(settings, "f.csv", b"name,city\nBob Ray,Rome\nCid Poe,Paris\n\nTotal rows:,2\n")
    assert curated["_line"].tolist() == [2, 3]
    assert manifest["structural_lines"] == {"header": [1], "blank": [4], "report_footer": [5]}
    assert manifest["read_warnings"] == [_footer_warning(5, 5, "'Total rows:,2'")]


def test_a_footer_pair_with_a_name_under_it_is_quarantined_with_the_name(settings: Settings) -> None:
    # a mixed block: the pair is a total, ``Ann Lee`` may be a record cut short — neither is taken as the footer
    manifest, curated, entry = run(settings, "f.csv", b"name,city\nBob Ray,Rome\nCid Poe,Paris\n\nTotal rows:,2\nAnn Lee\n")
    assert curated["_line"].tolist() == [2, 3]
    assert manifest["structural_lines"] == {"header": [1], "blank": [4]}
    assert _quarantined(settings, "f.csv") == [_held_pair(5, "Total rows:,2"), (6, "f.csv line 6: 1 fields, header has 2 — row quarantined")]
    assert manifest["read_warnings"] == []


# ------------------------------------------------------------------ B2: a second table or more pairs after a blank line


@pytest.mark.parametrize(
    "tail",
    [
        ["user,role", "ann,admin", "bob,viewer"],  # breaker12 t7/kv_second_table: was 3 records, no warning
        ["id,name", "1,Ann", "2,Bob"],  # t8/kv_then_idname: was 3 records (id=name, 1=Ann)
        ["user,email", "ann,ann@x.com", "bob,bob@x.com"],  # t8/kv_then_users
    ],
)
def test_a_second_table_after_key_value_pairs_is_quarantined(settings: Settings, tail: list[str]) -> None:
    data = ("key,value\ntimeout,30\nretries,5\n\n" + "".join(t + "\n" for t in tail)).encode()
    manifest, curated, entry = run(settings, "f.csv", data)
    assert values(curated) == [{"_line": 2, "key": "timeout", "value": 30}, {"_line": 3, "key": "retries", "value": 5}]
    assert manifest["table"]["second_table"] == {"line": 5, "header": tail[0].split(",")}
    assert _quarantined(settings, "f.csv") == [
        (5, f"f.csv line 5: a second table starts here (header {tail[0].split(',')}) — its lines are quarantined; split the file"),
        (6, "f.csv line 6: part of the second table that starts at line 5 — row quarantined; split the file"),
        (7, "f.csv line 7: part of the second table that starts at line 5 — row quarantined; split the file"),
    ]
    assert manifest["read_warnings"] == []


@pytest.mark.parametrize(
    "tail, first, last",
    [
        (["host,localhost", "mode,fast"], 5, 6),  # breaker10 F3: kept as pairs, now warned
        (["host,db.example.com", "mode,read only"], 5, 6),
        (["host,db.example.com"], 5, 5),
    ],
)
def test_pairs_after_a_blank_line_are_records_warned(settings: Settings, tail: list[str], first: int, last: int) -> None:
    data = ("key,value\ntimeout,30\nretries,5\n\n" + "".join(t + "\n" for t in tail)).encode()
    manifest, curated, entry = run(settings, "f.csv", data)
    assert [(r["_line"], r["key"], str(r["value"])) for r in values(curated)] == [
        (2, "timeout", "30"), (3, "retries", "5"), *[(5 + k, *t.split(",")) for k, t in enumerate(tail)]
    ]
    assert "second_table" not in manifest["table"] and _quarantined(settings, "f.csv") == []
    assert manifest["read_warnings"] == [_pairs_warning(first, last, tail[0].split(","))]


# ------------------------------------------------------------------ B3: types lines over numbers with units, NA only


def test_a_types_line_over_numbers_with_units_is_structural(settings: Settings) -> None:
    # breaker12 t7/types_units: was a record (possible_header_description), price a string column
    data = b"id,weight,price,big\nint,float,decimal,bigint\n1,12 kg,USD 12.00,1e6\n2,3 kg,USD 4.50,2e6\n"
    manifest, curated, entry = run(settings, "f.csv", data)
    assert manifest["structural_lines"] == {"header": [1], "header_description": [2]}
    assert [(r["_line"], r["weight"], r["price"], r["price__raw"], r["big"]) for r in values(curated)] == [
        (3, "12 kg", 12.0, "USD 12.00", "1e6"), (4, "3 kg", 4.5, "USD 4.50", "2e6")
    ]
    assert manifest["read_warnings"] == [
        "line 2 under the header describes its columns, not records (header_description — line 2: type names (int, float, "
        "decimal, bigint): each column's type as a schema writes it, not a record): counted as structural lines, their text "
        "kept per column in the manifest (table.header_descriptions, column_descriptions)"
    ]


@pytest.mark.parametrize(
    "data, names",
    [
        (b"id,amount,note\nint,decimal,string\n1,N/A,x\n2,,y\n3,n/a,z\n", "int, decimal, string"),  # t7/types_na2
        (b"id,amount\nint,decimal\n1,-\n2,N/A\n", "int, decimal"),
        (b"id,temp\nint,float\n1,20 \xc2\xb0C\n2,-\n", "int, float"),
    ],
)
def test_na_spellings_and_units_do_not_count_against_a_types_line(settings: Settings, data: bytes, names: str) -> None:
    manifest, curated, entry = run(settings, "f.csv", data)
    assert manifest["structural_lines"] == {"header": [1], "header_description": [2]}
    assert curated["_line"].tolist() == list(range(3, entry["records"] + 1))
    assert manifest["read_warnings"][0].startswith(f"line 2 under the header describes its columns, not records (header_description — line 2: type names ({names})")
