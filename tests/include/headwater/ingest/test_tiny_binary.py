"""Tiny binary files (struct6): every small file of bytes is quarantined whole or read with its accounting whole, never a crash.

Before struct6 the 16-byte file of bytes 0x00-0x0f raised UnicodeEncodeError (its bare \\r, kept in a field of the last line
that has no line end, reached Arrow as the reader's placeholder surrogate), a record holding a line that is not UTF-8 alone in
its batch raised ArrowNotImplementedError (``take`` of an empty, untyped index list), and a file under 17 bytes could never
hold the 17 control bytes the binary check asked for.
"""

from __future__ import annotations

import random

import pytest

from headwater.config.read import ReadOptions
from headwater.ingest.csv_file import parse_csv
from headwater.ingest.sniff import UnreadableFile


def _outcome(data: bytes) -> tuple:
    """("binary", message) or ("read", records, quarantined lines, structural counts), the same with both engines."""
    out = []
    for engine in ("arrow", "python"):
        try:
            p = parse_csv(data, "b.csv", ReadOptions(engine=engine))
        except UnreadableFile as exc:
            out.append(("binary", str(exc)))
            continue
        assert p.structure.records == len(p.records) + len(p.issues) + p.structure.total  # the accounting adds up
        out.append(("read", p.records, [i.line for i in p.issues], p.structure.counts))
    assert out[0] == out[1]
    return out[0]


def test_sixteen_bytes_0x00_to_0x0f_are_a_binary_file() -> None:
    assert _outcome(bytes(range(16))) == ("binary", "11 control bytes in the first 16 bytes: binary, not CSV — file quarantined; if it is text (e.g. fields padded with NUL bytes), set read.max_nul_share to 0.69 or more for its source (now 0.05)")
    assert _outcome(bytes(range(32))) == ("binary", "27 control bytes in the first 32 bytes: binary, not CSV — file quarantined; if it is text (e.g. fields padded with NUL bytes), set read.max_nul_share to 0.85 or more for its source (now 0.05)")


def test_every_run_of_bytes_from_0x00_up_to_64_bytes_is_quarantined_whole() -> None:
    read = {n: _outcome(bytes(range(n))) for n in range(1, 65)}
    assert {n for n, o in read.items() if o[0] != "binary"} == {4}
    # 00 01 02 03 reads as BOM-less UTF-16 (U+0001 U+0203): one header row, nothing else
    assert read[4] == ("read", [], [], {"header": 1})


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # the last line's bare \r stays in its field (a line with no line end): the record holds it as written
        (b"a\x00b\nc\rd", ("read", [["c\rd"]], [], {"header": 1})),
        # a line that is not UTF-8, alone in its batch (0xe4 0x36 does not decode): quarantined, no crash
        (b"\xc8\x89\n\xe46L'\x04\xfe\xc5\xc36\xf6~jj\xe8\x0e\xe3", ("read", [], [2], {"header": 1})),
    ],
)
def test_inputs_that_crashed(data: bytes, expected: tuple) -> None:
    assert _outcome(data) == expected


def test_random_small_files_never_crash_and_add_up() -> None:
    rng = random.Random(20261130)
    kinds: dict[str, int] = {}
    for n in range(1, 65):
        for _ in range(4):
            outcome = _outcome(bytes(rng.randrange(256) for _ in range(n)))
            kinds[outcome[0]] = kinds.get(outcome[0], 0) + 1
    # random high bytes read as legacy text (cp1252...) are text, not binary; a file ending in half a CJK character is not
    # read in that CJK encoding (it was, and then quarantined: "cannot decode as cp932: incomplete multibyte sequence")
    assert kinds == {"read": 245, "binary": 11}
