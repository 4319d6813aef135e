"""Key/value blocks, blank lines and footers around a two-column table (tab13: breaker10 F2, F3, F4, F5, F15).

* F2: ``Account:,12345`` / ``Owner:,Ann Lee`` / blank / ``name,city`` / records took ``Account:,12345`` as the header and
  curated ``name,city`` as a record: a ``Key:,value`` line has a two-column table's width, so width12's blocks of short
  lines did not set it apart. The block is preamble when the line after the blank reads as names over its records
  (table._named_after_keys), warned. The same for lines wider than the table (``Report,Acme,2024`` / ``From,Jan,Mar``).
* F3: a ``key,value`` export with a blank line between its sections quarantined the second section as "a second table".
  A pair written like the keys above is one more record (table.another_pair).
* F5: ``Total rows:,2`` / ``Exported by:,jdoe`` after a blank line under a two-column table were curated as records; they
  are ``report_footer`` (CsvFile._pair_footer). ``Spain:,Madrid`` there stays a record (no footer's label).
* F4: lines narrower than the table after a blank line are a footer block only when half of them at least are clear
  footer lines (a label, a total or count, a sentence, a known phrase); names (``Ann Lee``) may be records cut short and
  stay quarantined, as single words did (CsvFile._settle_footers).
* F15: a types line naming ``number`` over a column holding no number (``text,number`` over ``yes,no``) is a record.

Every input goes through ingest and clean (test_table_stage.run: the accounting identity is checked there).
"""

from __future__ import annotations

import pytest
from test_table_stage import run, values
from test_table_width_blocks import _quarantined

from headwater.config.settings import Settings


def _keyed(first: int, last: int, shown: str, header: int) -> str:
    return (
        f"lines {first}-{last} ({shown}, ...) are 'Key:,value' pairs as wide as the table, set apart from it by a blank line "
        f"above line {header}, which reads as column names over the records below it: taken as preamble (their text in "
        f"manifest table.preamble) — if line {first} is the header and they are records, set read.header: {first} for this source"
    )


def _wider(first: int, last: int, shown: str, width: int, header: int) -> str:
    return (
        f"lines {first}-{last} ({shown}, ...) are wider than the table's {width} fields and set apart from it by a blank line "
        f"above line {header}, which reads as column names over the records below it: taken as preamble (their text in "
        "manifest table.preamble) — if they are a table of their own, split the file"
    )


NAMES = [{"_line": 0, "name": "Bob Ray", "city": "Rome"}, {"_line": 0, "name": "Cid Poe", "city": "Paris"}]


def _names(first: int, header: tuple[str, str] = ("name", "city")) -> list[dict]:
    return [{"_line": first + k, header[0]: r["name"], header[1]: r["city"]} for k, r in enumerate(NAMES)]


# ------------------------------------------------------------------ F2: a Key:,value block above a two-column table


@pytest.mark.parametrize(
    "keys",
    [
        ["Account:,12345", "Owner:,Ann Lee"],  # breaker10 t8
        ["Account:,12345", "Owner:,Ann Lee", "Period:,January"],  # t8c
        ["Konto:,12345", "Inhaber:,Ann Lee", "Zeitraum:,Januar", "Währung:,EUR", "Bank:,Sparkasse"],
        ["Compte :,12345", "Titulaire :,Ann Lee"],
        ["Title:,Sales", "Count:,12"],
    ],
)
def test_a_key_value_block_above_a_two_column_table_is_preamble(settings: Settings, keys: list[str]) -> None:
    n = len(keys)
    data = "\n".join(keys) + "\n\nname,city\nBob Ray,Rome\nCid Poe,Paris\n"
    manifest, curated, entry = run(settings, "kv.csv", data.encode())
    assert manifest["header"] == ["name", "city"]
    assert values(curated) == _names(n + 3)
    assert manifest["structural_lines"] == {"preamble": list(range(1, n + 1)), "blank": [n + 1], "header": [n + 2]}
    assert manifest["table"]["preamble"] == [{"line": k + 1, "text": t} for k, t in enumerate(keys)]
    first = keys[0].split(",")
    assert manifest["read_warnings"] == [_keyed(1, n, f"[{first[0]!r}, {first[1]!r}]", n + 2)]
    assert _quarantined(settings, "kv.csv") == []
    assert (entry["records"], entry["curated"], entry["quarantined"], entry["structural_lines"]) == (n + 4, 2, 0, n + 2)


def test_key_lines_without_a_comma_are_preamble_as_before(settings: Settings) -> None:
    data = b"Account: 12345\nOwner: Ann Lee\n\nname,city\nBob Ray,Rome\nCid Poe,Paris\n"
    manifest, curated, entry = run(settings, "kv.csv", data)
    assert (manifest["header"], values(curated)) == (["name", "city"], _names(5))
    assert manifest["structural_lines"] == {"preamble": [1, 2], "blank": [3], "header": [4]}
    assert manifest["read_warnings"] == []


def test_a_key_block_over_records_with_no_header_stays_the_header_warned(settings: Settings) -> None:
    # no names after the blank line: no evidence the block is apart from the table — every line kept, as before
    data = b"Account:,12345\nOwner:,Ann Lee\n\nBob Ray,Rome\nCid Poe,Paris\n"
    manifest, curated, entry = run(settings, "kv.csv", data)
    assert manifest["header"] == ["Account:", "12345"]
    assert curated["_line"].tolist() == [2, 4, 5]
    assert manifest["structural_lines"] == {"header": [1], "blank": [3]}
    assert manifest["read_warnings"][0].startswith("line 1 taken as the header without evidence")


def test_a_key_met_again_in_the_table_keeps_the_block_in_it(settings: Settings) -> None:
    # ``Owner`` is a value of the first column below: the block may be records of the table
    data = b"Account:,12345\nOwner:,Ann Lee\n\nkey,city\nOwner,Rome\nCid Poe,Paris\n"
    manifest, curated, entry = run(settings, "kv.csv", data)
    assert manifest["header"] == ["Account:", "12345"]
    assert curated["_line"].tolist() == [2, 4, 5, 6]


def test_lines_wider_than_a_two_column_table_above_its_header_are_preamble(settings: Settings) -> None:
    # width12: the header was ``From,Jan,Mar`` (3 names over 2 fields) and ``id,score`` a record
    for records, name in ((["1,5", "2,7"], "r1.csv"), (["1,5", "2,7", "3,9", "4,2"], "r2.csv")):
        data = "Report,Acme,2024\nFrom,Jan,Mar\n\nid,score\n" + "".join(r + "\n" for r in records)
        manifest, curated, entry = run(settings, name, data.encode())
        assert manifest["header"] == ["id", "score"]
        assert values(curated) == [{"_line": 5 + k, "id": r.split(",")[0], "score": int(r.split(",")[1])} for k, r in enumerate(records)]
        assert manifest["structural_lines"] == {"preamble": [1, 2], "blank": [3], "header": [4]}
        assert manifest["read_warnings"] == [_wider(1, 2, "['Report', 'Acme', '2024']", 2, 4)]
    data = b"Report,Acme,2024\nFrom,Jan,Mar\n\nname,city\nBob Ray,Rome\nCid Poe,Paris\n"
    manifest, curated, entry = run(settings, "r3.csv", data)
    assert (manifest["header"], values(curated)) == (["name", "city"], _names(5))


def test_a_small_table_above_a_two_column_table_is_not_preamble(settings: Settings) -> None:
    # ``1,2,3`` under ``a,b,c`` may be a record: it stays quarantined for its width, as before
    data = b"a,b,c\n1,2,3\n\nname,city\nAnn Lee,Oslo\nBob Ray,Rome\n"
    manifest, curated, entry = run(settings, "small.csv", data)
    assert "preamble" not in manifest["structural_lines"]
    assert _quarantined(settings, "small.csv") == [(2, "small.csv line 2: 3 fields, header has 3 names and data lines 2 fields — row quarantined")]


# ------------------------------------------------------------------ F3: a blank line inside a key/value file


@pytest.mark.parametrize(
    "data, pairs",
    [
        (b"key,value\ntimeout,30\nretries,5\n\nhost,db.example.com\nmode,read only\n",  # breaker10 t4
         [(2, "timeout", "30"), (3, "retries", "5"), (5, "host", "db.example.com"), (6, "mode", "read only")]),
        (b"key,value\ntimeout,30\nretries,5\n\nhost,localhost\nmode,fast\n",
         [(2, "timeout", "30"), (3, "retries", "5"), (5, "host", "localhost"), (6, "mode", "fast")]),
        (b"setting,value\ntimeout,30\n\nhost,db.example.com\n\nmode,read only\nport,5432\n",
         [(2, "timeout", "30"), (4, "host", "db.example.com"), (6, "mode", "read only"), (7, "port", "5432")]),
        (b"name,city\nBob Ray,Rome\nCid Poe,Paris\n\nAnn Lee,Oslo\nDan Roe,Lima\n",  # the same width after a blank: records (t8e)
         [(2, "Bob Ray", "Rome"), (3, "Cid Poe", "Paris"), (5, "Ann Lee", "Oslo"), (6, "Dan Roe", "Lima")]),
    ],
)
def test_pairs_after_a_blank_line_in_a_key_value_file_are_records(settings: Settings, data: bytes, pairs: list) -> None:
    manifest, curated, entry = run(settings, "kv.csv", data)
    a, b = manifest["header"]
    assert [(r["_line"], r[a], str(r[b])) for r in values(curated)] == pairs
    assert "second_table" not in manifest["table"] and _quarantined(settings, "kv.csv") == []
    assert entry["curated"] == 4


def test_a_second_table_of_two_columns_is_still_quarantined(settings: Settings) -> None:
    data = b"Region,Sales\nNorth,100\nSouth,200\n\nCountry,Returns\nNorth,5\n"
    manifest, curated, entry = run(settings, "two.csv", data)
    assert curated["_line"].tolist() == [2, 3]
    assert manifest["table"]["second_table"] == {"line": 5, "header": ["Country", "Returns"]}
    assert [n for n, _ in _quarantined(settings, "two.csv")] == [5, 6]


# ------------------------------------------------------------------ F5: a Key:,value footer under a two-column table


def test_key_value_footer_lines_under_a_two_column_table_are_the_report_footer(settings: Settings) -> None:
    data = b"name,city\nBob Ray,Rome\nCid Poe,Paris\n\nTotal rows:,2\nExported by:,jdoe\n"  # breaker10 t8d
    manifest, curated, entry = run(settings, "f.csv", data)
    assert values(curated) == _names(2)
    assert manifest["structural_lines"] == {"header": [1], "blank": [4], "report_footer": [5, 6]}
    assert manifest["table"]["footer"] == [{"line": 5, "kind": "report_footer", "text": "Total rows:,2"},
                                           {"line": 6, "kind": "report_footer", "text": "Exported by:,jdoe"}]
    # tab15 (breaker12 B1): a footer pair is never taken silently: the lines are named in a warning (was: no warning)
    assert manifest["read_warnings"] == [
        "lines 5-6 (2 lines after a blank line below the last record of a two-column table: 'Total rows:,2', 'Exported by:,jdoe') "
        "read as the report's footer (report_footer structural lines, their text in manifest table.footer), not as records: each "
        "is a footer's label, a total or a count — if they hold data, remove the blank line above them"
    ]
    assert _quarantined(settings, "f.csv") == []
    assert (entry["records"], entry["curated"], entry["quarantined"], entry["structural_lines"]) == (6, 2, 0, 4)


def test_a_footer_under_a_one_record_two_column_table_keeps_its_header(settings: Settings) -> None:
    # was: header ``Bob Ray,Rome`` (voted names over ``Total rows:,2``), ``name,city`` preamble, no warning
    manifest, curated, entry = run(settings, "one.csv", b"name,city\nBob Ray,Rome\n\nTotal rows:,2\n")
    assert manifest["header"] == ["name", "city"]
    assert values(curated) == [{"_line": 2, "name": "Bob Ray", "city": "Rome"}]
    assert manifest["structural_lines"] == {"header": [1], "blank": [3], "report_footer": [4]}


def test_a_footer_pair_with_records_below_it_is_quarantined(settings: Settings) -> None:
    manifest, curated, entry = run(settings, "f.csv", b"name,city\nBob Ray,Rome\n\nTotal rows:,2\nCid Poe,Paris\n")
    assert curated["_line"].tolist() == [2, 5]
    assert _quarantined(settings, "f.csv") == [
        (4, "f.csv line 4: a 'Key:,value' line after a blank line that reads as a report's footer ('Total rows:,2'), but records "
            "follow it — row quarantined")
    ]


@pytest.mark.parametrize(
    "data",
    [
        b"country,capital\nFrance,Paris\nItaly,Rome\n\nSpain:,Madrid\nPeru:,Lima\n",  # no footer's label (t8f)
        b"question,answer\nWhat is your name?,Ann\nWhere do you live?,Oslo\n\nFavourite colour:,blue\nPet:,cat\n",  # t9
        b"label,value\nTotal:,10\nCount:,3\n\nTotal:,12\nRows:,2\n",  # the table's own first column holds labels
    ],
)
def test_colon_labels_after_a_blank_line_with_no_footer_evidence_stay_records(settings: Settings, data: bytes) -> None:
    manifest, curated, entry = run(settings, "r.csv", data)
    assert curated["_line"].tolist() == [2, 3, 5, 6]
    assert "report_footer" not in manifest["structural_lines"]


# ------------------------------------------------------------------ F4: narrower lines after a blank line


@pytest.mark.parametrize(
    "width, tail",
    [
        (3, ["Notes", "Ann Lee", "Bob Ray"]),  # breaker10 t10: was 3 report_footer lines, warned
        (3, ["Ann Lee", "Bob Ray"]),
        (3, ["Notes", "Ann Lee", "Bob Ray", "See the methodology PDF"]),  # one clear line of four: not half
        (2, ["Ann Lee", "Bob Ray", "Cid Poe", "Dan Roe", "Eve Oz", "Fay Wu"]),  # u3: was 6 report_footer lines
    ],
)
def test_names_after_a_blank_line_stay_quarantined_rows(settings: Settings, width: int, tail: list[str]) -> None:
    head = "id,name,city\n1,Ann,Oslo\n2,Bob,Rome\n" if width == 3 else "id,name\n1,Ann\n2,Bob\n"
    manifest, curated, entry = run(settings, "t.csv", (head + "\n" + "".join(t + "\n" for t in tail)).encode())
    assert curated["_line"].tolist() == [2, 3]
    assert manifest["structural_lines"] == {"header": [1], "blank": [4]}
    assert _quarantined(settings, "t.csv") == [(5 + k, f"t.csv line {5 + k}: 1 fields, header has {width} — row quarantined") for k in range(len(tail))]
    assert manifest["read_warnings"] == []


@pytest.mark.parametrize(
    "tail",
    [
        ["Notes", "Scores are from 1 to 10", "Missing means not asked"],  # sentences
        ["Filtered By:", "Acme Corp"],  # a label
        ["Grand total 30", "Notes"],  # a total (tab16: was ``Ann Lee`` under it, a name now quarantined: see below)
        ["Compte :", "Notes"],
    ],
)
def test_a_block_with_half_its_lines_clear_footer_lines_is_the_footer_warned(settings: Settings, tail: list[str]) -> None:
    data = "id,name,city\n1,Ann,Oslo\n2,Bob,Rome\n\n" + "".join(t + "\n" for t in tail)
    manifest, curated, entry = run(settings, "t.csv", data.encode())
    n = len(tail)
    assert manifest["structural_lines"] == {"header": [1], "blank": [4], "report_footer": list(range(5, 5 + n))}
    assert [f["text"] for f in manifest["table"]["footer"]] == tail
    shown = ", ".join(repr(t) for t in tail)
    assert manifest["read_warnings"] == [
        f"lines 5-{4 + n} ({n} lines narrower than the table after a blank line below its last record: {shown}) read as the "
        "report's footer (report_footer structural lines, their text in manifest table.footer), not as records, although none "
        "is a known footer line — if they hold data, move them into a file of their own"
    ]
    assert _quarantined(settings, "t.csv") == []


@pytest.mark.parametrize("tail", [["Grand total 30", "Ann Lee"], ["Compte :", "Ann Lee"]])
def test_a_name_does_not_make_a_block_of_one_clear_line(settings: Settings, tail: list[str]) -> None:
    # tab16: was both lines report_footer, warned (a block of two, one of them clear). ``Ann Lee`` is a name, data that
    # counts for no block (CsvFile._settle_footers): the total or label alone is no footer block either, as on its own
    data = "id,name,city\n1,Ann,Oslo\n2,Bob,Rome\n\n" + "".join(t + "\n" for t in tail)
    manifest, curated, entry = run(settings, "t.csv", data.encode())
    assert curated["_line"].tolist() == [2, 3]
    assert manifest["structural_lines"] == {"header": [1], "blank": [4]}
    assert _quarantined(settings, "t.csv") == [(k, f"t.csv line {k}: 1 fields, header has 3 — row quarantined") for k in (5, 6)]
    assert manifest["read_warnings"] == []


# ------------------------------------------------------------------ F15: type words as answers


def test_type_words_as_survey_answers_are_records(settings: Settings) -> None:
    data = b"answer1,answer2\ntext,number\nyes,no\ntext,number\n"  # breaker10 h8: was header_description twice
    manifest, curated, entry = run(settings, "s.csv", data)
    # line 4 is line 2 again: a duplicate of a record, no structural line
    assert values(curated) == [{"_line": 2, "answer1": "text", "answer2": "number"}, {"_line": 3, "answer1": "yes", "answer2": "no"}]
    assert manifest["structural_lines"] == {"header": [1]}
    assert (entry["records"], entry["curated"], entry["duplicates"], entry["quarantined"], entry["structural_lines"]) == (4, 2, 1, 0, 1)
    assert manifest["read_warnings"][0] == (
        "line 2 (['text', 'number']) may describe the columns rather than be a record (possible_header_description: a line of "
        "type names (text, number), but no record below holds a value of the type it names in answer2): kept as a record — if it "
        "is a description line, drop it from the export (its values stay in the columns)"
    )


def test_a_types_line_over_its_numbers_met_again_is_still_structural(settings: Settings) -> None:
    data = b"a,b,c\nstring,number,date\n1,2,2025-01-01\nstring,number,date\n4,5,2025-01-02\n"  # h7, held
    manifest, curated, entry = run(settings, "s.csv", data)
    assert curated["_line"].tolist() == [3, 5]
    assert manifest["structural_lines"] == {"header": [1], "header_description": [2, 4]}
