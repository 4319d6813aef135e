"""enc14: Korean written by Windows (cp949, "ks_c_5601-1987") with the Hangul syllables euc-kr lacks; a legacy CJK file that
is valid UTF-8 by accident (GBK ``12元`` is the bytes D4 AA, UTF-8 for ``12Ԫ``).

The texts are written with Python's codecs, so the truth is certain. Before: ``김똠`` read as gb18030 ``辫宑`` and GBK
``12元`` as UTF-8 ``12Ԫ``, both silently.
"""

from __future__ import annotations

import pytest

from headwater.ingest.csv_file import CsvFile, parse_csv
from headwater.ingest.sniff import (
    HEAD_BYTES,
    MULTI_BYTE,
    accidental_utf8,
    detect_encoding,
    head_encoding,
    uhc_extension_cost,
    utf8_oddities,
)

KOREAN = {  # text -> (encoding named, last records)
    "names_and_addresses": (
        "id,이름,주소\n1,김똠,서울\n2,박쌰,부산시 해운대구\n", "cp949", [["1", "김똠", "서울"], ["2", "박쌰", "부산시 해운대구"]],
    ),
    "line_ends_cr_alone": ("id,이름,주소\r1,이햏,서울\r2,정똘,대구\r", "cp949", [["1", "이햏", "서울"], ["2", "정똘", "대구"]]),
    "pure_ks_x_1001_keeps_its_name": (
        "id,이름,주소\n1,김민수,서울\n2,박영희,부산\n", "euc-kr", [["1", "김민수", "서울"], ["2", "박영희", "부산"]],
    ),
    "counter_after_a_rare_word": ("id,품목,수량\n1,똠양꿍,3개\n", "cp949", [["1", "똠양꿍", "3개"]]),
}


@pytest.mark.parametrize("case", sorted(KOREAN))
def test_korean_from_windows_reads_with_its_extra_syllables(case: str) -> None:
    text, encoding, last = KOREAN[case]
    parsed = parse_csv(text.encode("cp949"), "export.csv")
    assert (parsed.encoding, parsed.header, parsed.records[-len(last):], parsed.warnings) == (
        encoding, ["id", *text.split("\n" if "\n" in text else "\r")[0].split(",")[1:]], last, [],
    )


def test_cp949_follows_euc_kr_among_the_candidates() -> None:
    assert MULTI_BYTE[-2:] == ("euc-kr", "cp949")
    f = CsvFile("id,이름,주소\n1,김똠,서울\n".encode("cp949"), "x.csv")
    assert (f.encoding, f.encoding_ambiguous) == ("cp949", [])
    assert f.encoding_reason == (
        "most plausible reading of 15 candidate encodings (0 points); next gb18030 (0 points); tie broken by "
        "charset-normalizer's chaos measure, then the commoner encoding"
    )


def test_a_rare_syllable_past_the_head_reads_the_file_again_as_cp949() -> None:
    data = ("id,이름,도시\n" + "".join(f"{i},김민수,서울\n" for i in range(30_000)) + "30000,김똠,서울\n").encode("cp949")
    assert head_encoding(data[:HEAD_BYTES], complete=False) == ("euc-kr", False)
    assert detect_encoding(data) == "cp949"
    parsed = parse_csv(data, "big.csv")
    assert (parsed.encoding, len(parsed.records), parsed.records[-1]) == ("cp949", 30_001, ["30000", "김똠", "서울"])
    assert parsed.warnings == [
        "not euc-kr after its first 262,144 bytes ('euc_kr' codec can't decode byte 0x8c in position 528911: illegal "
        "multibyte sequence): read again as cp949, which adds the Hangul syllables euc-kr lacks (a second read of the file)"
    ]


def test_shift_jis_read_as_cp949_costs_its_rare_syllables() -> None:
    assert uhc_extension_cost("김똠 박쌰 서울") == 0  # one rare syllable beside a common one: a name
    assert uhc_extension_cost("뱦떈") == 4  # Shift JIS 東京 read as cp949: both outside KS X 1001
    assert uhc_extension_cost("똠") == 2
    parsed = parse_csv("id,city\r\n0,ｶﾀｶﾅ\r\n1,東京\r\n".encode("cp932"), "x.csv")
    assert (parsed.encoding, parsed.warnings) == ("cp932", [])


GBK_WARNING = (
    "encoding uncertain: read as gb18030; utf-8 reads the bytes too (valid UTF-8 by accident: a few byte pairs), as odd "
    "text: 'Ԫ' (Cyrillic Supplement) alone in 12Ԫ (line 2: 12元 vs 12Ԫ); cp1251, cp1256, mac_roman, euc-jp, big5, euc-kr "
    "read the bytes as plausible text too, only without its counters after numbers (line 2: 12元 vs 12ФЄ) — set "
    "read.encoding if that is wrong"
)


@pytest.mark.parametrize(("text", "last", "points"), [
    ("id,item,price\n1,apple,12元\n", [["1", "apple", "12元"]], 3),
    ("id,item,price\n1,apple,12元\n2,pear,3元\n", [["1", "apple", "12元"], ["2", "pear", "3元"]], 6),
])
def test_gbk_valid_as_utf8_by_accident_is_read_as_gbk_and_says_so(text: str, last: list[list[str]], points: int) -> None:
    data = text.encode("gbk")
    assert data.decode("utf-8").endswith("Ԫ\n")  # the accident
    parsed = parse_csv(data, "prices.csv")
    assert (parsed.encoding, parsed.records, parsed.warnings) == ("gb18030", last, [GBK_WARNING])
    f = CsvFile(data, "prices.csv")
    assert f.encoding_ambiguous == ["utf-8", "cp1251", "cp1256", "mac_roman", "euc-jp", "big5", "euc-kr"]
    assert f.encoding_reason == (
        f"valid UTF-8, but odd text so ('Ԫ' (Cyrillic Supplement) alone in 12Ԫ, {points} points) and the legacy reading has "
        f"evidence: most plausible reading of 21 candidate encodings (-{points} points, {points // 3} counter"
        f"{'s' if points > 3 else ''} after numbers (元) counted for it); next cp1251 (0 points)"
    )


def test_a_long_price_list_repeating_one_counter_is_still_checked() -> None:
    data = ("item,price\n" + "".join(f"sku{i},{i}元\n" for i in range(20_000))).encode("gbk")
    assert len(data) > HEAD_BYTES
    assert head_encoding(data[:HEAD_BYTES], complete=False) == ("gb18030", False)
    parsed = parse_csv(data, "prices.csv")
    assert (parsed.encoding, parsed.records[:2], parsed.records[-1]) == ("gb18030", [["sku0", "0元"], ["sku1", "1元"]], ["sku19999", "19999元"])


@pytest.mark.parametrize(("text", "encoding", "value", "warning"), [
    (  # GBK 一: nothing tells; UTF-8 kept, the plausible readings named
        "id,qty\n1,一\n", "gbk", "һ",
        "encoding uncertain: read as utf-8 (the bytes are valid UTF-8), but as odd text: 'һ' (Cyrillic (non-Russian)) alone "
        "in һ; iso-8859-2, cp874, euc-jp, gb18030, big5, euc-kr read them as plausible text (line 2: һ vs Ňť) — set "
        "read.encoding if that is wrong",
    ),
    (  # Big5 あ
        "id,kana\n1,あ\n", "big5", "Ʀ",
        "encoding uncertain: read as utf-8 (the bytes are valid UTF-8), but as odd text: 'Ʀ' (Latin Extended-B) alone in Ʀ; "
        "koi8-u, cp874, mac_roman, euc-jp, gb18030, big5, euc-kr read them as plausible text (line 2: Ʀ vs фі) — set "
        "read.encoding if that is wrong",
    ),
])
def test_an_odd_utf8_reading_without_a_better_one_is_kept_with_a_warning(text: str, encoding: str, value: str, warning: str) -> None:
    parsed = parse_csv(text.encode(encoding), "x.csv")
    assert (parsed.encoding, parsed.records, parsed.warnings) == ("utf-8", [["1", value]], [warning])


GENUINE_UTF8 = [
    "id,city\n1,Москва\n2,5г\n3,2019г.\n",
    "id,city\n1,Երևան\n2,Գյումրի\n",
    "id,city\n1,თბილისი\n",
    "id,city\n1,Αθήνα\n2,5μm\n3,α\n4,Ω\n",
    "id,city\n1,שלום\n2,כיתה א\n",
    "id,x\n1,א\n",
    "id,city\n1,القاهرة\n2,12ب\n",
    "id,x\n1,👍\n2,🎉🇫🇷\n3,❤️\n",
    "id,x\n1,José\n2,Zürich\n3,Москва\n4,東京\n5,서울\n6,😀\n",
    "id,x\n1,ґанок\n2,Київ\n",
    "id,x\n1,ˈhɛloʊ\n",
    "id,x\n1,Iași\n2,Hà Nội\n3,Phở\n4,Gəncə\n5,Oʻahu\n",
]


@pytest.mark.parametrize("text", GENUINE_UTF8)
def test_genuine_utf8_stays_utf8_without_a_warning(text: str) -> None:
    data = text.encode("utf-8")
    assert accidental_utf8(data, True) is None
    parsed = parse_csv(data, "x.csv")
    assert (parsed.encoding, [r[1] for r in parsed.records], parsed.warnings) == (
        "utf-8", [line.split(",")[1] for line in text.splitlines()[1:]], [],
    )
    assert CsvFile(data, "x.csv").encoding_reason == "valid UTF-8"


def test_utf8_oddities() -> None:
    assert utf8_oddities("a,12Ԫ\n") == (3, "'Ԫ' (Cyrillic Supplement) alone in 12Ԫ")
    assert utf8_oddities("Երևան,12") == (0, "")  # a word of its block's letters
    assert utf8_oddities("x,1\u0327") == (3, "'̧' (a combining mark on no letter) in 1̧")
    assert utf8_oddities("x,a\x85b") == (5, "'\\x85' (a C1 control) in a\x85b")
    assert utf8_oddities("x,\ue05aS") == (5, "'\\ue05a' (private use) in \ue05aS")
    assert utf8_oddities("ґанок,Київ") == (0, "")
