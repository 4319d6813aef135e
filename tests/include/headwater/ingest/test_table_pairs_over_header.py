"""``Key:,value`` lines right above a header, and key/value files whose keys carry no colon (tab17: wrong header, S1).

* ``Report:,Sales`` / ``Date:,2026-11-20`` right above ``id,name,amount`` (no blank line between) took ``Report:,Sales``
  as the header (two names over three fields: every field under column_1..column_3) and read ``id,name,amount`` as a
  record. One to four such lines over a header that reads as names over its records are preamble now
  (table._pairs_over_header): named structural lines, their text in the manifest, the header the line below them.
* ``Name,Anna Berg`` / ``Email,anna@example.org`` / ``Phone,+49 30 1234567`` / ``City,Berlin`` took its first pair as the
  header (warned). Its values mix an e-mail address, a telephone number, a date...: no column of a table does, so it is
  a record written down the page (table.plain_pairs_file), read with no header as column_1/column_2, warned.
  Ordinary two-column tables (``id,name`` / ``1,Anna``) and pairs with no such evidence keep their first line the header.

Every input goes through ingest and clean (test_table_stage.run checks the accounting identity).
"""

from __future__ import annotations

import pytest
from test_table_stage import run, values
from test_table_width_blocks import _quarantined

from headwater.config.settings import Settings


def _counts(entry: dict) -> tuple[int, int, int, int, int]:
    return entry["records"], entry["curated"], entry["duplicates"], entry["quarantined"], entry["structural_lines"]


ROWS = [("1", "Anna", 10), ("2", "Tom", 20)]


def _bare_note(last: int, first_pair: str) -> str:
    return (
        f"lines 1-{last} ({first_pair}, ...) are key,value pairs narrower than the table, right above line {last + 1}, which "
        "reads as column names over the records below it: taken as preamble (their text in manifest table.preamble) — if "
        "they are records of another table, split the file"
    )


@pytest.mark.parametrize(
    "data, preamble, notes",
    [
        # the task's file: was header ['Report:', 'Sales'], id,name,amount a record, one line quarantined
        (b"Report:,Sales\nDate:,2026-11-20\nid,name,amount\n1,Anna,10\n2,Tom,20\n", ["Report:,Sales", "Date:,2026-11-20"], []),
        # one pair line
        (b"Report:,Sales\nid,name,amount\n1,Anna,10\n2,Tom,20\n", ["Report:,Sales"], []),
        # four pair lines: they outnumber the table's own lines (the width is the header's)
        (
            b"Report:,Sales\nDate:,2026-11-20\nBy:,Tom\nRegion:,North\nid,name,amount\n1,Anna,10\n2,Tom,20\n",
            ["Report:,Sales", "Date:,2026-11-20", "By:,Tom", "Region:,North"],
            [],
        ),
        # semicolons and CRLF
        (b"Report:;Sales\r\nDate:;2026-11-20\r\nid;name;amount\r\n1;Anna;10\r\n2;Tom;20\r\n", ["Report:;Sales", "Date:;2026-11-20"], []),
        # quoted
        (
            b'"Report:","Sales"\n"Date:","2026-11-20"\n"id","name","amount"\n"1","Anna","10"\n"2","Tom","20"\n',
            ['"Report:","Sales"', '"Date:","2026-11-20"'],
            [],
        ),
        # the pair lines padded to the table's width
        (b"Report:,Sales,\nDate:,2026-11-20,\nid,name,amount\n1,Anna,10\n2,Tom,20\n", ["Report:,Sales,", "Date:,2026-11-20,"], []),
        # keys without a colon over a wider header: preamble with a note (a weaker shape)
        (
            b"Report,Sales\nDate,2026-11-20\nid,name,amount\n1,Anna,10\n2,Tom,20\n",
            ["Report,Sales", "Date,2026-11-20"],
            [_bare_note(2, "['Report', 'Sales']")],
        ),
    ],
)
def test_pairs_right_above_the_header_are_preamble(settings: Settings, data: bytes, preamble: list[str], notes: list[str]) -> None:
    manifest, curated, entry = run(settings, "t.csv", data)
    n = len(preamble)
    assert manifest["header"] == ["id", "name", "amount"] and manifest["table"]["header"] == f"line {n + 1}"
    assert [(r["_line"], r["id"], r["name"], r["amount"]) for r in values(curated)] == [(n + 2 + k, *row) for k, row in enumerate(ROWS)]
    assert manifest["structural_lines"] == {"preamble": list(range(1, n + 1)), "header": [n + 1]}
    assert [p["text"] for p in manifest["table"]["preamble"]] == preamble
    assert manifest["read_warnings"] == notes
    assert _quarantined(settings, "t.csv") == []
    assert _counts(entry) == (n + 3, 2, 0, 0, n + 1)


def test_pairs_over_a_german_table(settings: Settings) -> None:
    data = "Bericht:;Umsatz\nStand:;20.11.2026\nKunde;Ort;Betrag\nMüller GmbH;Köln;1.234,50\nSchmidt AG;Bonn;99,00\n".encode()
    manifest, curated, entry = run(settings, "d.csv", data)
    assert manifest["header"] == ["Kunde", "Ort", "Betrag"]
    assert [(r["_line"], r["kunde"], r["ort"]) for r in values(curated)] == [(4, "Müller GmbH", "Köln"), (5, "Schmidt AG", "Bonn")]
    assert manifest["structural_lines"] == {"preamble": [1, 2], "header": [3]}
    assert _counts(entry) == (5, 2, 0, 0, 3)


def _plain_note(last: int, shown: str) -> str:
    return (
        f"lines 1-{last} are all key,value pairs whose values mix e-mail addresses, telephone numbers, dates or URLs ({shown}"
        f"{', ...' if last > 3 else ''}): a record written down the page, not a table with a header — read with no header, "
        "every pair a record (column_1 the key, column_2 the value); if line 1 names the columns, set read.header: 1 for this source"
    )


@pytest.mark.parametrize(
    "data, pairs, masked",
    [
        # the task's file: was header ['Name', 'Anna Berg'] and three records, warned
        (
            b"Name,Anna Berg\nEmail,anna@example.org\nPhone,+49 30 1234567\nCity,Berlin\n",
            [("Name", "Anna Berg"), ("Email", "anna@example.org"), ("Phone", "+49 30 1234567"), ("City", "Berlin")],
            {2: "[EMAIL]", 3: "[PHONE]"},
        ),
        # six pairs, a date among them
        (
            b"Name,Anna Berg\nEmail,anna@example.org\nPhone,+49 30 1234567\nCity,Berlin\nBorn,1990-01-02\nCountry,Germany\n",
            [("Name", "Anna Berg"), ("Email", "anna@example.org"), ("Phone", "+49 30 1234567"), ("City", "Berlin"),
             ("Born", "1990-01-02"), ("Country", "Germany")],
            {2: "[EMAIL]", 3: "[PHONE]"},
        ),
        # semicolons, CRLF, German keys, a URL and a date
        (
            b"Firma;Acme GmbH\r\nWebseite;https://acme.example\r\nGegruendet;01.02.1999\r\n",
            [("Firma", "Acme GmbH"), ("Webseite", "https://acme.example"), ("Gegruendet", "01.02.1999")],
            {},
        ),
    ],
)
def test_plain_key_value_file_has_no_header(settings: Settings, data: bytes, pairs: list, masked: dict[int, str]) -> None:
    manifest, curated, entry = run(settings, "card.csv", data)
    n = len(pairs)
    assert (manifest["table"]["header"], manifest["header"]) == ("none found", ["column_1", "column_2"])
    assert [(r["_line"], r["column_1"], r["column_2"]) for r in values(curated)] == [
        (k + 1, p[0], masked.get(k + 1, p[1])) for k, p in enumerate(pairs)
    ]
    assert manifest["structural_lines"] == {}
    shown = ", ".join(f"{k!r}: {v!r}" for k, v in pairs[:3])
    assert manifest["read_warnings"] == [_plain_note(n, shown)]
    assert _quarantined(settings, "card.csv") == []
    assert _counts(entry) == (n, n, 0, 0, 0)


@pytest.mark.parametrize(
    "data, header, lines",
    [
        # ordinary two-column tables keep their header
        (b"id,name\n1,Anna\n2,Tom\n3,Eva\n", ["id", "name"], 3),
        (b"name,email\nAnna,anna@example.org\nTom,tom@example.org\nEva,eva@example.org\n", ["name", "email"], 3),
        # a key/value table's own header over mixed values
        (b"field,value\nEmail,anna@example.org\nPhone,+49 30 1234567\nBorn,1990-01-02\n", ["field", "value"], 3),
    ],
)
def test_two_column_tables_keep_their_header(settings: Settings, data: bytes, header: list[str], lines: int) -> None:
    manifest, curated, entry = run(settings, "t.csv", data)
    assert manifest["header"] == header and manifest["table"]["header"] == "line 1"
    assert [r["_line"] for r in values(curated)] == list(range(2, lines + 2))
    assert manifest["structural_lines"] == {"header": [1]}
    assert _counts(entry) == (lines + 1, lines, 0, 0, 1)


def test_pairs_with_no_mixed_values_keep_the_first_line_the_header_warned(settings: Settings) -> None:
    # when unsure (every value plain text) the reading stays as it was: the first line the header, with its warning
    manifest, curated, entry = run(settings, "t.csv", b"Name,Anna Berg\nCity,Berlin\nCountry,Germany\n")
    assert manifest["header"] == ["Name", "Anna Berg"]
    assert [(r["_line"], r["name"], r["anna_berg"]) for r in values(curated)] == [(2, "City", "Berlin"), (3, "Country", "Germany")]
    assert len(manifest["read_warnings"]) == 1 and manifest["read_warnings"][0].startswith("line 1 taken as the header without evidence")
    assert _counts(entry) == (3, 2, 0, 0, 1)
