"""A title and a header both written like identifiers, and preamble verdicts that come from a sample of the file.

Closing-report known losses (2026-11-29): ``report,customers,export`` above ``company,contact,country``
made the title the header and the header a record. A title that fills fewer fields than the header
(``report,,``) is now preamble; two full rows of names stay header + record, with the doubt said,
since the other reading loses a record when it is wrong (``name,city`` over ``ann,oslo`` over
``Bob,Bergen``). The warning for a preamble line that fits the table was computed on the sniffed head only.
"""

from __future__ import annotations

import pytest
from test_table_stage import run, values

from headwater.config.settings import Settings
from headwater.ingest.table import PROFILE_ROWS, find_table

CUSTOMERS = b"company,contact,country\nAlfreds,Maria Anders,Germany\nBerglunds,Christina Berglund,Sweden\n"


def accounting(entry: dict) -> tuple[int, int, int, int, int]:
    return entry["records"], entry["structural_lines"], entry["rows_read"], entry["curated"], entry["quarantined"]


def _names_warning(header: list[str], below: list[str]) -> str:
    return (
        f"line 1 ({header!r}) taken as the header and line 2 ({below!r}) below it as a record, but it reads as column names too — "
        "if line 1 is a title, set read.header: 2 for this source (read.header: 1 confirms this reading and silences this warning)"
    )


@pytest.mark.parametrize("title", [b"report,,", b"REPORT,,", b"sales_report_q3_2025,,", b",customers_export,"])
def test_an_identifier_title_filling_fewer_fields_than_the_header_is_preamble_and_warned(settings: Settings, title: bytes) -> None:
    manifest, curated, entry = run(settings, "titled.csv", title + b"\n" + CUSTOMERS)
    assert values(curated) == [
        {"_line": 3, "company": "Alfreds", "contact": "Maria Anders", "country": "Germany"},
        {"_line": 4, "company": "Berglunds", "contact": "Christina Berglund", "country": "Sweden"},
    ]
    assert manifest["structural_lines"] == {"preamble": [1], "header": [2]}
    assert accounting(entry) == (4, 2, 2, 2, 0)


@pytest.mark.parametrize(
    ("text", "header", "below"),
    [
        # a full row of names over a full row of names: either could be the header. Taking the second would lose a
        # record when the first is the header (``ann,oslo``), so the first stays the header, every other line a record, and the doubt is said
        (b"report,customers,export\n" + CUSTOMERS, ["report", "customers", "export"], ["company", "contact", "country"]),
        (b"REPORT,CUSTOMERS,EXPORT\n" + CUSTOMERS, ["REPORT", "CUSTOMERS", "EXPORT"], ["company", "contact", "country"]),
        (b"name,city\nann,oslo\nBob,Bergen\nCarl,Paris\n", ["name", "city"], ["ann", "oslo"]),
        (b"id,name\nx1,y2\nA,B\nC,D\n", ["id", "name"], ["x1", "y2"]),
        (b"sales_report_2025\nregion\nNorth\nSouth\n", ["sales_report_2025"], ["region"]),
    ],
)
def test_two_full_rows_of_names_keep_the_first_as_header_and_the_second_as_a_record_and_warn(
    settings: Settings, text: bytes, header: list[str], below: list[str]
) -> None:
    manifest, curated, entry = run(settings, "names.csv", text)
    rows = text.decode().splitlines()
    assert [c["original"] for c in manifest["columns"]] == header
    keys = [c["canonical"] for c in manifest["columns"]]
    assert values(curated)[0]["_line"] == 2 and [values(curated)[0][c] for c in keys] == below
    assert manifest["structural_lines"] == {"header": [1]}
    assert manifest["table"]["header_unconfirmed"] is True
    assert manifest["read_warnings"] == [_names_warning(header, below)]
    assert accounting(entry) == (len(rows), 1, len(rows) - 1, len(rows) - 1, 0)


def test_a_title_over_a_number_column_keeps_the_row_below_and_says_both_read_as_names(settings: Settings) -> None:
    # the votes decide (a code over numbers), so line 1 stays the header; line 2 is kept as a record
    manifest, curated, entry = run(settings, "amounts.csv", b"sales_report_2025,total_2025\nregion,amount\nNorth,10\nSouth,20\n")
    assert values(curated) == [
        {"_line": 2, "sales_report_2025": "region", "total_2025": "amount"},
        {"_line": 3, "sales_report_2025": "North", "total_2025": "10"},
        {"_line": 4, "sales_report_2025": "South", "total_2025": "20"},
    ]
    assert manifest["read_warnings"][0] == (
        "line 1 (['sales_report_2025', 'total_2025']) taken as the header and line 2 (['region', 'amount']) below it as a record, "
        "but it reads as column names too — if line 1 is a title, set read.header: 2 for this source "
        "(read.header: 1 confirms this reading and silences this warning)"
    )
    assert accounting(entry) == (4, 1, 3, 3, 0)


@pytest.mark.parametrize(
    ("sample", "skip", "doubt"),
    [
        ("region,amount\nNorth,10\nSouth,20\n", 0, False),  # a header over data: nothing to doubt
        ("status\nactive\ninactive\nactive\n", 0, False),  # the row below is met again: a value
        ("tag\nsale\nTAG\n", 0, False),  # the first row met again in capitals: the header, repeated
        (",Sales,,Returns,\nRegion,Q1,Q2,Q1,Q2\nN,1,2,3,4\nS,5,6,7,8\n", 0, False),  # a multi-row header, not a title
        ("Report,Customers,Export\ncompany,contact,country\nAlfreds,Maria,Germany\nBlondel,Frederique,France\n", 1, True),
        ("report,,\ncompany,contact,country\nAlfreds,Maria,Germany\nBlondel,Frederique,France\n", 1, False),  # a title: fewer fields
        ("Weight,Height\nkg,cm\n70,180\n80,175\n", 0, True),  # a units row: kept as a record, the doubt said
    ],
)
def test_which_rows_compete_for_the_header(sample: str, skip: int, doubt: bool) -> None:
    table = find_table(sample)
    assert (table.skip, table.doubt is not None) == (skip, doubt)


# The preamble-fits warning: a verdict from the first PROFILE_ROWS records says it was a sample.


def _numbers(n: int) -> bytes:
    return b"".join(b"%d,2024-01-%02d,%d.50\n" % (1000 + i, 1 + i % 28, i) for i in range(n))


def test_a_fitting_preamble_line_over_a_sampled_table_says_it_was_a_sample(settings: Settings) -> None:
    manifest, curated, entry = run(settings, "above.csv", b"1001,,\nid,date,amount\n" + _numbers(PROFILE_ROWS + 50))
    assert manifest["read_warnings"] == [
        f"line 1 (['1001', '', '']) has the table's 3 fields and reads like its records (compared with the first {PROFILE_ROWS} "
        "records only, a sample of the file), but stands above the header: taken as preamble — if it is a record, set "
        "read.skip_lines for this source"
    ]
    assert accounting(entry) == (PROFILE_ROWS + 52, 2, PROFILE_ROWS + 50, PROFILE_ROWS + 50, 0)


def test_a_preamble_line_judged_as_names_on_a_sample_is_a_warning(settings: Settings) -> None:
    # NOTE reads as a name over the sampled number column; past the sample the column could hold text
    manifest, _, entry = run(settings, "note.csv", b"NOTE,,\n" + _numbers(PROFILE_ROWS + 50))
    assert manifest["structural_lines"] == {"preamble": [1]}
    assert manifest["read_warnings"] == [
        f"line 1 (['NOTE', '', '']) has the table's 3 fields; taken as preamble because it reads as column names over the first "
        f"{PROFILE_ROWS} records only, a sample of the file — if it is a record, set read.skip_lines for this source"
    ]
    assert accounting(entry) == (PROFILE_ROWS + 51, 1, PROFILE_ROWS + 50, PROFILE_ROWS + 50, 0)


def test_a_table_profiled_whole_gives_no_sample_warning(settings: Settings) -> None:
    manifest, _, _ = run(settings, "note.csv", b"NOTE,,\n" + _numbers(PROFILE_ROWS - 10))
    assert (manifest["structural_lines"], manifest["read_warnings"]) == ({"preamble": [1]}, [])
