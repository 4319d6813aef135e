"""A file whose fields are padded with NUL bytes (C or mainframe writers; breaker9 #16): quarantined as binary at the default
``read.max_nul_share``, the reason naming that setting and the share that lets the file through, which then does."""

from __future__ import annotations

import pytest

from headwater.config.read import ReadOptions
from headwater.ingest.csv_file import parse_csv
from headwater.ingest.sniff import UnreadableFile, check_not_binary


def _pad(fields: list[str], width: int = 10) -> bytes:
    return b",".join(f.encode() + b"\0" * (width - len(f)) for f in fields) + b"\r\n"


# breaker9 in/nulpad/a_nul_padded.csv: 136 bytes, 90 of them NUL
PADDED = _pad(["id", "name", "amount"]) + _pad(["1", "Ann", "10"]) + _pad(["2", "Bob", "20"]) + _pad(["3", "Cid", "30"])
HINT = "; if it is text (e.g. fields padded with NUL bytes), set read.max_nul_share to {} or more for its source (now {})"


def _binary(data: bytes, **options: object) -> list[str]:
    """The quarantine reason of each engine (the same), or [] when both read the file."""
    out = []
    for engine in ("arrow", "python"):
        try:
            parse_csv(data, "p.csv", ReadOptions(engine=engine, **options))
        except UnreadableFile as exc:
            out.append(str(exc))
    assert len(out) in (0, 2) and len(set(out)) <= 1
    return out[:1]


def test_a_nul_padded_file_names_the_setting_and_the_share_it_needs() -> None:
    assert len(PADDED) == 136 and PADDED.count(0) == 90
    base = "90 control bytes in the first 136 bytes: binary, not CSV — file quarantined"
    assert _binary(PADDED) == [base + HINT.format("0.67", "0.05")]
    assert _binary(PADDED, max_nul_share=0.66) == [base + HINT.format("0.67", "0.66")]  # 0.66 * 136 = 89.8 < 90


def test_at_the_share_named_the_padded_file_is_read() -> None:
    for engine in ("arrow", "python"):
        p = parse_csv(PADDED, "p.csv", ReadOptions(engine=engine, max_nul_share=0.67))
        assert [[v.replace("\0", "") for v in r] for r in p.records] == [["1", "Ann", "10"], ["2", "Bob", "20"], ["3", "Cid", "30"]]
        assert not p.issues


def test_a_tiny_file_named_a_quarter_when_its_share_is_below_it() -> None:
    # 4 NULs in 16 bytes: under the 16-byte floor, but a quarter of a tiny file or more is binary below a 0.25 setting
    data = b"a,b\n1,\0\0\0\0\n2,xy\n"
    assert len(data) == 16
    assert _binary(data) == ["4 control bytes in the first 16 bytes: binary, not CSV — file quarantined" + HINT.format("0.25", "0.05")]
    assert _binary(data, max_nul_share=0.2) == ["4 control bytes in the first 16 bytes: binary, not CSV — file quarantined" + HINT.format("0.25", "0.2")]
    assert _binary(data, max_nul_share=0.25) == []  # a quarter or more set: the share alone decides (4 <= 16)


@pytest.mark.parametrize(("data", "needed"), [
    (b"\0" * 40 + b"a,b\n" * 100, "0.1"),  # 40 of 440
    (bytes(range(256)) * 10, "0.11"),  # 270 of 2560 (0.105...: rounded up)
])  # fmt: skip
def test_the_share_named_is_rounded_up_and_lets_the_file_pass(data: bytes, needed: str) -> None:
    with pytest.raises(UnreadableFile, match=f"set read.max_nul_share to {needed} or more"):
        check_not_binary(data)
    check_not_binary(data, float(needed))
