"""Two-column key/value files whose value column mixes numbers with float specials or words (breaker 3, finding 1).

The header and the first records were taken as preamble and a record became the header (columns ``c``
and ``inf``, or ``mode`` and ``fast``); the lost records were counted as structural lines, so nothing failed.
"""

from __future__ import annotations

import pytest

from headwater.ingest.csv_file import parse_csv
from headwater.ingest.table import CODE, NUMBER, TEXT, find_table, value_kind


@pytest.mark.parametrize(
    "value", ["inf", "-inf", "+inf", "Inf", "INF", "Infinity", "-Infinity", "1.#INF", "-1.#INF", "1.#IND", "1.#QNAN", "-nan", "1e309"]
)
def test_float_specials_are_numbers(value: str) -> None:
    assert value_kind(value) == NUMBER


@pytest.mark.parametrize(("value", "kind"), [("info", TEXT), ("infant", TEXT), ("Infinity Pool", TEXT), ("1.#INFO", CODE), ("#INF", TEXT)])
def test_words_near_a_float_special_are_not_numbers(value: str, kind: str) -> None:
    assert value_kind(value) == kind


@pytest.mark.parametrize(
    ("text", "header", "records"),
    [
        # the report's examples
        (
            "item,val\na,1e309\nb,NaN\nc,inf\nd,-inf\ne,-0\nf,12\n",
            ["item", "val"],
            [["a", "1e309"], ["b", "NaN"], ["c", "inf"], ["d", "-inf"], ["e", "-0"], ["f", "12"]],
        ),
        ("item,val\na,inf\nb,-inf\nc,inf\nd,5\ne,6\n", ["item", "val"], [["a", "inf"], ["b", "-inf"], ["c", "inf"], ["d", "5"], ["e", "6"]]),
        (
            "metric,value\ncpu_ratio,inf\nmem_ratio,inf\ndisk_ratio,1.5\nnet_ratio,-inf\nio_ratio,2.25\n",
            ["metric", "value"],
            [["cpu_ratio", "inf"], ["mem_ratio", "inf"], ["disk_ratio", "1.5"], ["net_ratio", "-inf"], ["io_ratio", "2.25"]],
        ),
        (
            "setting,value\ntimeout,30\nmode,fast\nretries,3\nregion,eu-west-1\n",
            ["setting", "value"],
            [["timeout", "30"], ["mode", "fast"], ["retries", "3"], ["region", "eu-west-1"]],
        ),
        (
            "metric,value\nlatency_p99,1.#INF\nlatency_p50,12.5\nerrors,-1.#IND\nok,3\n",
            ["metric", "value"],
            [["latency_p99", "1.#INF"], ["latency_p50", "12.5"], ["errors", "-1.#IND"], ["ok", "3"]],
        ),
        # variants: Infinity spelled out (JavaScript/Java), three columns (read right before too: a guard), words in
        # the middle of the values
        (
            "name,score\nx,Infinity\ny,-Infinity\nz,Infinity\nw,4\nv,5\n",
            ["name", "score"],
            [["x", "Infinity"], ["y", "-Infinity"], ["z", "Infinity"], ["w", "4"], ["v", "5"]],
        ),
        (
            "id,ratio,note\n1,inf,a\n2,inf,b\n3,-inf,c\n4,0.5,d\n5,2,e\n",
            ["id", "ratio", "note"],
            [["1", "inf", "a"], ["2", "inf", "b"], ["3", "-inf", "c"], ["4", "0.5", "d"], ["5", "2", "e"]],
        ),
        (
            "key,value\nretries,3\ntimeout,30\nmode,fast\nlevel,high\nregion,eu-west-1\n",
            ["key", "value"],
            [["retries", "3"], ["timeout", "30"], ["mode", "fast"], ["level", "high"], ["region", "eu-west-1"]],
        ),
    ],
)
def test_the_first_line_stays_the_header_and_every_record_is_read(text: str, header: list[str], records: list[list[str]]) -> None:
    assert find_table(text).skip == 0
    parsed = parse_csv(text.encode(), "x.csv")
    assert parsed.header == header
    assert parsed.records == records
    assert parsed.lines == list(range(2, 2 + len(records)))
    assert parsed.issues == []
    assert [w for w in parsed.warnings if "preamble" in w] == []


def test_a_title_above_a_key_value_table_is_still_preamble() -> None:
    text = "Settings export\nsetting,value\ntimeout,30\nmode,fast\nretries,3\n"
    parsed = parse_csv(text.encode(), "x.csv")
    assert parsed.header == ["setting", "value"]
    assert parsed.records == [["timeout", "30"], ["mode", "fast"], ["retries", "3"]]
