"""Look-alike file names in the run report's table (breaker5 #26, struct6): NFC and NFD ``café.csv`` were two identical rows,
the NFD one a column short (its accent counted as a column); a name with a look-alike is shown escaped, every name fitted by
the columns it takes on a terminal."""

from __future__ import annotations

import unicodedata

from headwater.report import display_width, escaped, fit, format_report, shown_names

NFC, NFD = unicodedata.normalize("NFC", "café.csv"), unicodedata.normalize("NFD", "café.csv")
COUNTS = "ok          -               2      1      1       1     0     0      1       1    0"


def _table(names: list[str]) -> list[str]:
    files = [{"file": n, "status": "ok", "records": 2, "structural_lines": 1, "rows_read": 1, "curated": 1, "duplicates": 0,
              "quarantined": 0, "chunks": 1, "vectors": 1} for n in names]
    totals = dict.fromkeys(("records", "structural", "rows_read", "curated", "duplicates", "quarantined", "chunks", "vectors"), 0)
    lines = format_report({"date": "D", "files": files, "totals": totals, "outputs": {}}).splitlines()
    return lines[3 : 3 + len(names)]


def test_nfc_and_nfd_names_are_shown_escaped_and_aligned() -> None:
    rows = _table([NFC, NFD, "x.csv"])
    assert rows == ["caf\\u00e9.csv              " + COUNTS, "cafe\\u0301.csv             " + COUNTS, "x.csv                      " + COUNTS]


def test_a_name_without_a_look_alike_is_shown_as_written_and_aligned_by_display_width() -> None:
    # before struct6: the NFD name alone was padded by its code points (9), one column short of the others
    rows = _table([NFD, "x.csv", "日本語.csv"])
    assert rows == [NFD + " " * 19 + COUNTS, "x.csv" + " " * 22 + COUNTS, "日本語.csv" + " " * 17 + COUNTS]
    assert {display_width(r) for r in rows} == {len(rows[1])}


def test_a_long_wide_name_is_cut_at_26_columns_without_splitting_a_character() -> None:
    name = "日本語の注文一覧ファイル名がとても長い.csv"
    assert _table([name]) == ["日本語の注文一覧ファイル名 " + COUNTS]
    assert fit("ab\u0301c", 2) == "ab\u0301" and fit("日本", 3) == "日 "


def test_case_look_alikes_differ_as_written() -> None:
    assert shown_names(["Orders.csv", "orders.csv", "b.csv"]) == ["Orders.csv", "orders.csv", "b.csv"]
    assert _table(["Orders.csv", "orders.csv"]) == ["Orders.csv                 " + COUNTS, "orders.csv                 " + COUNTS]


def test_escaped_forms() -> None:
    assert [escaped(n) for n in (NFC, NFD, "a\u200bb.csv", "🙂.csv")] == [
        "caf\\u00e9.csv", "cafe\\u0301.csv", "a\\u200bb.csv", "\\U0001f642.csv"]
    assert shown_names([NFC, NFD, "ﬁle.csv", "file.csv", "FILE.csv"]) == [
        "caf\\u00e9.csv", "cafe\\u0301.csv", "\\ufb01le.csv", "file.csv", "FILE.csv"]
    assert [display_width(n) for n in (NFC, NFD, "日本", "a\u200bb")] == [8, 8, 4, 2]
