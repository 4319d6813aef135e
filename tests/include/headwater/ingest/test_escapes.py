"""Backslash-escaped quotes: detected from the table's sample, read with escapechar, said in the manifest."""

from __future__ import annotations

import pytest

from headwater.ingest.csv_file import parse_csv
from headwater.ingest.escapes import backslash_escapes

DIALECT = {"delimiter": ",", "quotechar": '"', "skipinitialspace": False, "strict": True}


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        ('bid,btxt,bx\n1,"He said \\"hi\\", then left",x\n2,plain,y\n', 3, True),
        ('a,b\n1,"a \\"quoted\\" word"\n', 2, True),  # breaks the field count, not the parse
        ('a,b\n1,"He said ""hi"""\n2,"C:\\\\temp"\n', 2, False),  # doubled quotes: the backslashes are text
        ('a,b\n1,"path C:\\"\n', 2, False),  # a backslash that ends a field: it parses as it is
        ("a,b\n1,2\n", 2, False),
    ],
)
def test_backslash_escapes(text: str, width: int, expected: bool) -> None:
    assert backslash_escapes(text.splitlines(keepends=True), DIALECT, width) is expected


def test_a_file_with_backslash_escaped_quotes_loads_every_record() -> None:
    parsed = parse_csv(b'bid,btxt,bx\n1,"He said \\"hi\\", then left",x\n2,plain,y\n3,"a \\\\ backslash, ""doubled""",z\n', "q.csv")
    assert parsed.records == [["1", 'He said "hi", then left', "x"], ["2", "plain", "y"], ["3", 'a \\ backslash, "doubled"', "z"]]
    assert parsed.issues == []
    assert parsed.warnings == ['quotes escaped with a backslash (\\"), not doubled: read with escapechar \\']


def test_a_windows_path_in_a_doubled_quote_file_keeps_its_backslashes() -> None:
    parsed = parse_csv(b'a,b\n1,"C:\\\\temp\\\\"\n2,"say ""hi"""\n', "p.csv")
    assert parsed.records == [["1", "C:\\\\temp\\\\"], ["2", 'say "hi"']]
    assert parsed.warnings == []
