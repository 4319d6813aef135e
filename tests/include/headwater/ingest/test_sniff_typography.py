"""Windows and Mac exports with typographic quotes, dashes, °, € (breaker9 #6): read in the right code page, or warned.

A Windows Excel CSV in cp1252 with ``Don’t``, ``“Fragile” – handle``, ``€5`` was read as Mac Roman (``Donít``,
``ìFragileî ñ``) with no warning, ``20°C`` as cp932/GB18030 (``20ｰC``, ``20癈``), cp1251 ``Москва`` as cp1255 Hebrew, Mac
Roman with smart quotes as cp850 (``Mƒller``), KOI8-U as cp874 (Thai), Shift-JIS half-width kana as GB18030. The texts
below are the breaker's (written with Python's codecs, so the truth is certain) and variants.
"""

from __future__ import annotations

import pytest

from headwater.ingest import sniff
from headwater.ingest.csv_file import CsvFile, parse_csv
from headwater.ingest.sniff import encoding_decision, implausibility, typography

NOTES = [
    "“Fragile” – handle with care", "Called back; she’s fine with Tuesday", "Don’t ship before Monday", "Customer’s request",
    "It’s the 2nd order – same address", "“Urgent” per manager",
]  # fmt: skip
SMART_200 = "id,note,amount\r\n" + "".join(f"{i},{NOTES[i % 6]},{i}.50\r\n" for i in range(200))
NAMES_40 = "id,name,note\r\n" + "".join(
    f"{i},{['François', 'José', 'Zoë', 'Renée', 'Müller'][i * 7 % 5]},{NOTES[i * 5 % 6]}\r\n" for i in range(40)
)
MAC_LONG = "id,name,note\r" + "".join(f"{i},Müller {i},Don’t – “fragile” €{i}\r" for i in range(50))
ONCE_IN_500 = "id,note\n" + "".join(f"{i},{'we’ll call back' if i == 250 else f'plain note {i}'}\n" for i in range(500))


def _warning(encoding: str, others: str, line: int, mine: str, theirs: str, tie: bool = False) -> str:
    verb = "reads" if "," not in others else "read"
    how = "the bytes as plausibly" if tie else "the bytes as plausible text too, only without its typographic signs"
    return f"encoding uncertain: read as {encoding}; {others} {verb} {how} (line {line}: {mine} vs {theirs}) — set read.encoding if that is wrong"


# (text, written as, read as, warnings): every wrong row of the breaker's table, then variants
CASES = {
    "cp1252_smart_200": (SMART_200, "cp1252", "cp1252", []),  # was mac_roman: ìFragileî ñ handle, Donít
    "cp1252_smart_names": (NAMES_40, "cp1252", "cp1252", []),  # was mac_roman: JosÈ, FranÁois, Customerís
    "cp1252_only_apostrophe": (
        "id,note\r\n1,Don’t\r\n2,It’s ok\r\n", "cp1252", "cp1252", [_warning("cp1252", "mac_roman", 2, "Don’t", "Donít")],
    ),  # was mac_roman, no warning: Donít reads as plausibly, and is said
    "cp1252_euro_bullet": (
        "id,note\r\n1,Don’t ship\r\n2,Price €5 • urgent\r\n", "cp1252", "cp1252", [_warning("cp1252", "cp1251", 3, "€5", "Ђ5")],
    ),  # was mac_roman: Price Ä5 ï urgent
    "cp1252_degree": (
        "id,temp\r\n1,20°C\r\n2,25°C\r\n3,±2°\r\n", "cp1252", "cp1252", [_warning("cp1252", "iso-8859-2", 4, "±2°", "ą2°")],
    ),  # was cp932: 20ｰC, ｱ2ｰ
    "latin1_degree": (
        "id,temp\n1,20°C\n2,25°C\n", "latin-1", "cp1252", [_warning("cp1252", "gb18030, big5", 2, "20°C", "20癈")],
    ),  # was gb18030: 20癈
    "cp1251_two_rows": (
        "id,city\r\n1,Москва\r\n2,Санкт-Петербург\r\n", "cp1251", "cp1251", [_warning("cp1251", "cp1253", 2, "Москва", "Μξρκβΰ", tie=True)],
    ),  # was cp1255, no warning: ּמסךגא
    "cp1251_two_rows_capitalised": ("имя,город\r\nИван,Тверь\r\nОльга,Казань\r\n", "cp1251", "cp1251", []),
    "mac_roman_smart_cr": ("id,note\r1,Don’t ship\r2,“Fragile” – handle\r", "mac_roman", "mac_roman", []),  # was cp850: Donıt, ÊFragileË ð
    "mac_roman_smart_mixed": ("id,note\r1,Don’t ship\r2,Zürich “Fragile”\r", "mac_roman", "mac_roman", []),  # was cp850: Zƒrich
    "mac_roman_long": (MAC_LONG, "mac_roman", "mac_roman", []),  # was cp850: Mƒller 0, █0
    "mac_roman_euro": (
        "id,price\r1,12 €\r2,€5\r", "mac_roman", "mac_roman",
        [_warning("mac_roman", "cp1252, cp1250, koi8-r, cp1253, cp1257, cp1256", 2, "€", "Û")],
    ),  # was cp1250, no warning: 12 Ű
    "mac_roman_degree": (
        "id,temp\r1,20°C\r2,25°C\r", "mac_roman", "mac_roman", [_warning("mac_roman", "iso-8859-2, big5", 2, "20°C", "20ĄC")],
    ),  # was iso-8859-2: 20ĄC
    "french_apostrophe": ("id,city\r\n0,L’Haÿ-les-Roses\r\n1,Saint-Étienne\r\n2,Besançon\r\n", "cp1252", "cp1252", []),  # was cp850
    "spanish_guillemets": (
        "id,city\r\n0,«Madrid»\r\n1,Córdoba\r\n2,A Coruña\r\n", "cp1252", "cp1252",
        [_warning("cp1252", "cp1250", 4, "Coruña", "Coruńa", tie=True)],  # ñ and ń are one byte: nothing tells them apart
    ),  # was iso-8859-2: ŤMadridť, A Coruńa, no warning
    "ukrainian_koi8u": ("id,city\r\n0,Київ\r\n1,Львів\r\n2,Харків\r\n", "koi8-u", "koi8-u", []),  # was cp874 (Thai)
    "shift_jis_half_width_kana": ("id,city\r\n0,ｶﾀｶﾅ\r\n1,東京\r\n", "cp932", "cp932", []),  # was gb18030: 独杜, 搶嫗
    "hebrew_cp1255": ("id,city\r\n0,תל אביב\r\n1,ירושלים\r\n2,חיפה\r\n", "cp1255", "cp1255", []),  # was koi8-r: ЗЛ ЮАИА (warned)
    "bullet_between_letters": (
        "id,note\r\n1,Customer A•B note\r\n2,Second line of text\r\n", "cp1252", "cp1252",
        [_warning("cp1252", "cp932, gb18030", 2, "A•B", "A稗", tie=True)],
    ),  # was cp932: A稗, a letter eaten
    # variants
    "en_dash_only": (
        "id,years,route\r\n1,2019 – 2021,Paris – Lyon\r\n2,2020 – 2022,Lyon – Nice\r\n", "cp1252", "cp1252",
        [_warning("cp1252", "koi8-r, cp850, cp866, mac_roman", 2, "–", "√")],
    ),
    "apostrophe_once_in_500_lines": (ONCE_IN_500, "cp1252", "cp1252", [_warning("cp1252", "mac_roman", 252, "we’ll", "weíll")]),
    "nordic_with_smart_quotes": ("id,name,note\r\n1,Søren Ærø,“Åben” – ok\r\n2,Åsa Øberg,Don’t\r\n", "cp1252", "cp1252", []),
    "mac_roman_cr_apostrophe": (
        "id,note\r1,Customer’s parcel\r2,Second line\r", "mac_roman", "mac_roman",
        [_warning("mac_roman", "cp850", 2, "Customer’s", "Customerıs")],
    ),
}


@pytest.mark.parametrize(("text", "written", "read", "warnings"), CASES.values(), ids=CASES.keys())
def test_the_file_is_read_in_its_code_page_and_every_value_lands_as_written(text: str, written: str, read: str, warnings: list[str]) -> None:
    parsed = parse_csv(text.encode(written), "export.csv")
    lines = [line for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n") if line]
    assert (parsed.encoding, parsed.warnings) == (read, warnings)
    assert [",".join(parsed.header)] + [",".join(r) for r in parsed.records] == lines


def test_the_manifest_says_why_the_encoding_was_chosen() -> None:
    f = CsvFile(SMART_200.encode("cp1252"), "export.csv")
    assert (f.encoding, f.encoding_ambiguous) == ("cp1252", [])
    assert f.encoding_reason == (
        "most plausible reading of 17 candidate encodings (-1002 points, 334 typographic signs (– ’ “ ”) in their usual places "
        "counted for it); next mac_roman (135 points)"
    )
    f = CsvFile("id,note\r\n1,Don’t\r\n2,It’s ok\r\n".encode("cp1252"), "x.csv")
    assert f.encoding_ambiguous == ["mac_roman"]
    assert f.encoding_reason.startswith("most plausible reading of 20 candidate encodings (-6 points, 2 typographic signs (’)")  # cp949 too
    assert CsvFile(b"a,b\n1,2\n", "x.csv").encoding_reason == "valid UTF-8"
    assert encoding_decision(b"a,b\n1,2\n").reason == "every candidate encoding reads the head alike; cp1252, the commonest"


@pytest.mark.parametrize(
    ("text", "signs"),
    [
        ("Don’t ship; she’s fine; we’ll see; O’Neil; L’Haÿ; dell’arte", 6),
        ("“Fragile” – handle", 3),  # a pair of quotes, a dash between spaces
        ("‘single’ and «Madrid» and „Haus“", 6),
        ("20°C, ±2°, €5, 12 €, £3, wait…, 2019–2021, Brand™", 9),
        ("Mart’nez, Jos“, “open, Gy’r, A–B", 0),  # Mac Roman í, ì read as cp1252; an unpaired quote; a dash between capitals
    ],
)
def test_typographic_signs_count_only_in_their_usual_places(text: str, signs: int) -> None:
    assert typography(text)[0] == signs


@pytest.mark.parametrize(
    ("text", "points"),
    [
        ("Санкт-Петербург", 0),  # a hyphen between т and П is no capital after a small letter
        ("ּמסךגא", 5),  # cp1251 Москва read as cp1255: a point on no letter, a final kaf inside the word
        ("ИЬЕЫЛИМ", 4),  # cp1255 Hebrew read as koi8-r: ь and ы after a vowel
        ("╢└╢┼", 8),  # box drawing in a word (Shift-JIS kana read as cp866)
        ("════", 0),  # a rule of one character is a drawing
        ("๋ษงื", 3),  # KOI8-U read as cp874: a Thai tone mark on no letter
        ("AòB", 4),  # a small accented letter between capitals, and a capital after it
        ("A稗", 3),  # one Han character after a Latin letter
    ],
)
def test_implausibility_of_the_breakers_wrong_readings(text: str, points: int) -> None:
    assert implausibility(text) == points


def test_koi8u_is_a_candidate_after_koi8r() -> None:
    assert sniff.SINGLE_BYTE.index("koi8-u") == sniff.SINGLE_BYTE.index("koi8-r") + 1
    assert parse_csv("имя,город\nИван,Москва\nПётр,Тверь\n".encode("koi8-r"), "x.csv").encoding == "koi8-r"  # Russian reads alike: the commoner
