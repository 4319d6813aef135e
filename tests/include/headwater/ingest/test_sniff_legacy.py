"""Encodings of old systems (breaker 4, findings 12, 13 and 5): Excel's "CSV (MS-DOS)" OEM code pages, mainframe EBCDIC, UTF-32.

cp850/cp437 files were read as Mac Roman (``JosÇ Mu§oz, M†laga``) and cp866 as cp1251, with no warning; a cp037 export
was one cp1256 "header" line (status empty); a UTF-32 file with its BOM was read as UTF-16-LE (the UTF-32-LE BOM
``FF FE 00 00`` starts with the UTF-16-LE one).
"""

from __future__ import annotations

import codecs
import re

import pytest

from headwater.ingest.csv_file import parse_csv
from headwater.ingest.sniff import check_not_binary, ebcdic, fallback_choice, head_encoding, implausibility
from headwater.ingest.streams import UnreadableFile

CUSTOMERS = (
    "customer_id,name,city,amount\r\n"
    "C-1,José Muñoz,Málaga,10.50\r\nC-2,François Çelik,Besançon,20.00\r\nC-3,Jürgen Weiß,München,30.00\r\n"
    "C-4,Åsa Øberg,Århus,5.00\r\nC-5,Anne Dupont,Paris,7.00\r\n"
)
ROWS = [
    ["C-1", "José Muñoz", "Málaga", "10.50"], ["C-2", "François Çelik", "Besançon", "20.00"],
    ["C-3", "Jürgen Weiß", "München", "30.00"], ["C-4", "Åsa Øberg", "Århus", "5.00"], ["C-5", "Anne Dupont", "Paris", "7.00"],
]


# --- #12: OEM code pages ---------------------------------------------------------------------------------------------


def test_the_reports_cp850_file_reads_back_every_name_without_a_warning() -> None:
    parsed = parse_csv(CUSTOMERS.encode("cp850"), "dos_cp850.csv")
    assert (parsed.encoding, parsed.header, parsed.records, parsed.warnings) == ("cp850", ["customer_id", "name", "city", "amount"], ROWS, [])


def test_a_cp437_file_reads_back_every_name() -> None:
    # cp437 has no Ø: the US page writes "Oberg"; every other letter is the same byte in cp850, so both read the same text
    text = CUSTOMERS.replace("Øberg", "Oberg")
    parsed = parse_csv(text.encode("cp437"), "dos_cp437.csv")
    assert parsed.records == [r if r[0] != "C-4" else ["C-4", "Åsa Oberg", "Århus", "5.00"] for r in ROWS]
    assert parsed.warnings == [] and text.encode("cp437").decode(parsed.encoding) == text


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("id,имя,город,сумма\n1,Иван Петров,Москва,1000\n2,Ольга Смирнова,Санкт-Петербург,20\n", "cp866"),  # DOS Cyrillic
        ("city\nSão Paulo\nAçores\nÓbidos\n", "cp850"),  # ã, Ó: cp437 has box drawing there
        ("name,stadt\nMüller,Köln\nBär,Düsseldorf\n", "cp850"),
        ("nom\nHélène\nGérard\nCôte d'Ivoire\n", "cp850"),
        ("navn,by\nSøren,Århus\nÆble,Ærø\n", "cp850"),
        ("name\nJürgen\n", "cp437"),  # Mac Roman reads JÅrgen
    ],
)
def test_oem_code_pages_are_found_and_read_the_text_back(text: str, encoding: str) -> None:
    found, doubt = fallback_choice(text.encode(encoding))
    assert doubt is None
    assert text.encode(encoding).decode(found) == text


def test_a_real_mac_roman_file_is_still_mac_roman() -> None:
    text = CUSTOMERS.replace("\r\n", "\r")  # Excel for Mac's "CSV (Macintosh)": CR line ends
    parsed = parse_csv(text.encode("mac_roman"), "mac.csv")
    assert (parsed.encoding, parsed.records, parsed.warnings) == ("mac_roman", ROWS, [])


def test_an_oem_file_that_mac_roman_reads_as_plausibly_is_kept_and_warned_naming_both() -> None:
    parsed = parse_csv("stadt\nKöln\n".encode("cp850"), "x.csv")
    assert (parsed.encoding, parsed.records) == ("cp850", [["Köln"]])
    assert parsed.warnings == [
        "encoding uncertain: read as cp850; mac_roman reads the bytes as plausibly (line 2: Köln vs Kîln) — set read.encoding if that is wrong"
    ]


@pytest.mark.parametrize(("word", "points"), [("JÅrgen", 2), ("MÅnchen", 2), ("Åsa", 0), ("ÅSA", 0), ("Élodie", 0)])
def test_a_capital_inside_a_small_letter_word_is_implausible(word: str, points: int) -> None:
    assert implausibility(word) == points


# --- #13: EBCDIC -----------------------------------------------------------------------------------------------------

MAINFRAME = "ID,NAME,CITY,AMOUNT\nC1,SMITH,LONDON,100\nC2,JONES,LEEDS,200\n"
MAINFRAME_ROWS = [["C1", "SMITH", "LONDON", "100"], ["C2", "JONES", "LEEDS", "200"]]


@pytest.mark.parametrize(
    "data",
    ids=["cp037-lf", "cp037-nl", "cp037-crlf", "cp500-lf"],
    argvalues=[
        MAINFRAME.encode("cp037"),  # the report's file: LF (0x25) line ends
        MAINFRAME.encode("cp037").replace(b"\x25", b"\x15"),  # NL (0x15), the z/OS line end
        MAINFRAME.replace("\n", "\r\n").encode("cp037"),
        MAINFRAME.encode("cp500"),
    ],
)
def test_an_ebcdic_export_is_read_as_ebcdic(data: bytes) -> None:
    check_not_binary(data)
    parsed = parse_csv(data, "ebcdic.csv")
    assert (parsed.encoding, parsed.header, parsed.records, parsed.issues, parsed.warnings) == (
        "cp037", ["ID", "NAME", "CITY", "AMOUNT"], MAINFRAME_ROWS, [], []
    )
    assert parsed.structure.records == 3 and parsed.structure.counts == {"header": 1}


def test_ebcdic_with_lower_case_and_accents_reads_back() -> None:
    text = "id;name;city\n1;José Muñoz;Málaga\n2;anne dupont;paris\n"
    parsed = parse_csv(text.encode("cp037"), "x.csv")
    assert (parsed.encoding, parsed.records) == ("cp037", [["1", "José Muñoz", "Málaga"], ["2", "anne dupont", "paris"]])


def test_ebcdic_that_cp037_and_cp500_read_differently_is_warned_naming_both() -> None:
    parsed = parse_csv("ID|NAME\n1|ANN\n2|BOB\n".encode("cp037"), "x.csv")
    assert (parsed.encoding, parsed.delimiter, parsed.records) == ("cp037", "|", [["1", "ANN"], ["2", "BOB"]])
    assert parsed.warnings == [
        "encoding uncertain: read as cp037 (EBCDIC); cp500 reads the bytes as plausibly ('ID|NAME\\n1|AN' vs 'ID!NAME\\n1!AN') "
        "— set read.encoding if that is wrong"
    ]


def test_ebcdic_without_line_ends_is_quarantined_naming_the_encoding() -> None:
    data = "".join(f"{v:<12}" for v in ["ID", "NAME", "1", "SMITH", "2", "JONES"]).encode("cp037")  # fixed-length records
    reason = (
        f"EBCDIC text (mainframe code page cp037?) with no line end in its first {len(data)} bytes: fixed-length records, which "
        "cannot decode into rows — file quarantined; convert it to CSV with line ends (or to UTF-8) and drop it again"
    )
    with pytest.raises(UnreadableFile, match=re.escape(reason)):
        parse_csv(data, "x.csv")


@pytest.mark.parametrize(
    ("text", "encoding"),
    [("имя,город\nИван,Москва\n", "cp1251"), ("ИМЯ ГОРОД\nИВАН МОСКВА\n", "cp1251"), ("name,stadt\nJürgen,München\n", "latin-1"),
     ("a,b\n1,2\n", "ascii"), ("€€€€€€€€€€€€€€€€ x", "cp1252")],
)
def test_text_in_other_code_pages_is_not_ebcdic(text: str, encoding: str) -> None:
    assert not ebcdic(text.encode(encoding))


# --- #5: UTF-32 ------------------------------------------------------------------------------------------------------

EMOJI = "id,name,amount\n1,👍 great,10\n2,Zoë 😀,20\n3,漢字,30\n"
EMOJI_ROWS = [["1", "👍 great", "10"], ["2", "Zoë 😀", "20"], ["3", "漢字", "30"]]


@pytest.mark.parametrize(
    "data",
    ids=["utf-32", "utf-32-le-bom", "utf-32-be-bom"],
    argvalues=[EMOJI.encode("utf-32"), codecs.BOM_UTF32_LE + EMOJI.encode("utf-32-le"), codecs.BOM_UTF32_BE + EMOJI.encode("utf-32-be")],
)
def test_utf32_with_its_bom_is_read_as_utf32(data: bytes) -> None:
    assert head_encoding(data, complete=True) == ("utf-32", False)
    check_not_binary(data)
    parsed = parse_csv(data, "utf32_emoji.csv")
    assert (parsed.encoding, parsed.records, parsed.issues, parsed.warnings) == ("utf-32", EMOJI_ROWS, [], [])


def test_utf32_tab_separated_bmp_text_keeps_no_nul() -> None:
    parsed = parse_csv("order_id\tcustomer\nO-1\tJosé\nO-3\tÇağrı\n".encode("utf-32"), "utf32.txt")
    assert (parsed.delimiter, parsed.records, parsed.warnings) == ("\t", [["O-1", "José"], ["O-3", "Çağrı"]], [])


def test_utf16_with_its_bom_is_still_utf16() -> None:
    assert head_encoding(EMOJI.encode("utf-16"), complete=True) == ("utf-16", False)
    assert parse_csv(EMOJI.encode("utf-16"), "x.csv").records == EMOJI_ROWS
