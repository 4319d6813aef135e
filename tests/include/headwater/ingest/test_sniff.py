"""Encodings of files that are not UTF-8: the encodings real files use, and a warning when the bytes read as plausibly in another."""

from __future__ import annotations

from pathlib import Path

import pytest

from headwater.config.read import ReadOptions
from headwater.ingest import sniff
from headwater.ingest.csv_file import CsvFile, parse_csv
from headwater.ingest.streams import UnreadableFile
from headwater.ingest.sniff import (
    HEAD_BYTES, check_not_binary, SINGLE_BYTE, detect_encoding, fallback_choice, foreign_letters, implausibility, utf16_without_bom,
)

CENTRAL = "meno,mesto\nŁukasz,Łódź\nŠtefan,Žilina\nŐrs,Győr\n"
CZECH = "jmeno,mesto\nŠárka,Ústí nad Labem\nŤoňa,Příbram\nźdźbło,Ąę\n"
RUSSIAN = "имя,город\nИван,Москва\nПётр,Санкт-Петербург\n"


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (CENTRAL, "cp1250"),  # was cp775 (a DOS code page): Żukasz, ݾd¤
        (CENTRAL, "iso-8859-2"),  # was cp1252: £ukasz, £ód¼
        (CZECH, "cp1250"),
        (CZECH, "iso-8859-2"),
        (RUSSIAN, "cp1251"),
        (RUSSIAN, "koi8-r"),
        ("όνομα,πόλη\nΓιώργος,Αθήνα\nΜαρία,Πάτρα\n", "cp1253"),
        ("名前,都市\n山田太郎,東京\n佐藤花子,大阪\n", "cp932"),
        ("姓名,城市\n张伟,北京\n王芳,上海\n", "gb18030"),
        ("이름,도시\n김민수,서울\n이영희,부산\n", "euc-kr"),
        ("name,stadt\nJürgen,München\nFrançoise,Zoë\n", "cp1252"),
        ("nom,ville\nRené,Genève\nZoë,Besançon\nœuvre,€5\n", "cp1252"),  # ë and ç next to è: French, not č
        ("città\nPerò\nCosì\n", "cp1252"),
        ("mesto\nPříbram\nČeské Budějovice\n", "cp1250"),  # no ť, ą, ł: only the letters tell (Pøíbram mixes ø with è)
    ],
)
def test_the_encoding_real_files_use_is_found_and_reads_the_text_back(text: str, encoding: str) -> None:
    found, doubt = fallback_choice(text.encode(encoding))
    assert (found, doubt) == (encoding, None)
    assert text.encode(encoding).decode(found) == text


def test_text_that_reads_as_plausibly_in_two_encodings_is_a_warning() -> None:
    # è (cp1252) and č (cp1250) are the same byte: nothing in the bytes tells Genève from Genčve
    assert fallback_choice("name,stadt\nRené,Genève\n".encode("cp1252")) == (
        "cp1252",
        "encoding uncertain: read as cp1252; cp1250 reads the bytes as plausibly (line 2: Genève vs Genčve) — set read.encoding if that is wrong",
    )
    # ő (Hungarian) and õ (Portuguese) are the same byte
    assert fallback_choice("varos\nGyőr\nSzékesfehérvár\n".encode("cp1250"))[1] == (
        "encoding uncertain: read as cp1252; cp1250 reads the bytes as plausibly (line 2: Gyõr vs Győr) — set read.encoding if that is wrong"
    )
    # all-capitals Russian words read as Arabic letters in cp1256 (and as small letters only in koi8-r, less plausible)
    assert fallback_choice("ИМЯ,ГОРОД\nИВАН,МОСКВА\n".encode("cp1251")) == (
        "cp1251",
        "encoding uncertain: read as cp1251; cp1256 reads the bytes as plausibly (line 1: ИМЯ vs بجك) — set read.encoding if that is wrong",
    )


def test_an_ascii_head_is_cp1252_without_a_warning() -> None:
    assert fallback_choice(b"a,b\n1,2\n") == ("cp1252", None)


def test_the_only_dos_code_pages_are_excels_csv_ms_dos_ones() -> None:
    assert fallback_choice(CENTRAL.encode("cp1250")) == ("cp1250", None)  # not cp775 (Żukasz) nor cp852
    # cp874 is Windows Thai; cp850/cp437 (Western, US) and cp866 (Cyrillic) are what Excel's "CSV (MS-DOS)" writes (breaker4 #12)
    assert [e for e in SINGLE_BYTE if e.startswith(("cp4", "cp7", "cp8"))] == ["cp874", "cp850", "cp437", "cp866"]


@pytest.mark.parametrize(
    ("text", "points"),
    [
        ("Łukasz,Łódź", 0),
        ("£ukasz,£ód¼", 9),  # three symbols among letters
        ("Јуdџ", 4),  # Cyrillic and Latin letters in one word
        ("Ïðèâåò", 2),  # a Latin word of accented letters only
        ("пРИВЕТ", 2),  # a capital after a small letter
        ("Gy\x95r", 5),  # a C1 control
        ("ﾈﾌﾟ", 3),  # half-width katakana
        ("25°C", 3),  # a symbol among letters, in every encoding alike
    ],
)
def test_implausibility(text: str, points: int) -> None:
    assert implausibility(text) == points


@pytest.mark.parametrize(
    ("text", "foreign"),
    [("Příbram, České Budějovice", 0), ("Pøíbram, Èeské Budìjovice", 1), ("Genève, Besançon, Zoë", 0), ("Genčve, Besançon, Zoë", 1), ("plain", 0)],
)
def test_foreign_letters(text: str, foreign: int) -> None:
    assert foreign_letters(text) == foreign


MAC_ROMAN = [
    ("name,city\nCafé René,Zürich\nNaïve,São Paulo\n", "Café"),  # the breaker's macroman.csv: read as cp1252 it was CafŽ, ZŸrich
    ("name,stadt\nJürgen Müller,München\nGroß,Straße\n", "Jürgen"),
    ("nom,ville\nFrançoise,Besançon\nœuvre,Noël\n", "Françoise"),
    ("nombre,país\nNiño,España\nJosé,Bogotá\n", "Niño"),
    ("city\nGenève\n", "Genève"),
]


@pytest.mark.parametrize(("text", "word"), MAC_ROMAN)
def test_mac_roman_is_found_and_reads_the_text_back(text: str, word: str) -> None:
    assert "mac_roman" in SINGLE_BYTE
    found, doubt = fallback_choice(text.encode("mac_roman"))
    assert (found, doubt) == ("mac_roman", None)
    assert word in text.encode("mac_roman").decode(found)


def _fixtures() -> list[bytes]:
    """Every non-UTF-16 byte string the encoding tests and the malformed/sample files hold."""
    texts = [CENTRAL.encode("cp1250"), CENTRAL.encode("iso-8859-2"), CZECH.encode("cp1250"), CZECH.encode("iso-8859-2"),
             RUSSIAN.encode("cp1251"), RUSSIAN.encode("koi8-r"), "όνομα,πόλη\nΓιώργος,Αθήνα\n".encode("cp1253"),
             "名前,都市\n山田太郎,東京\n".encode("cp932"), "姓名,城市\n张伟,北京\n".encode("gb18030"), "이름,도시\n김민수,서울\n".encode("euc-kr"),
             "name,stadt\nJürgen,München\nFrançoise,Zoë\n".encode("cp1252"), "nom,ville\nRené,Genève\nZoë,Besançon\nœuvre,€5\n".encode("cp1252"),
             "città\nPerò\nCosì\n".encode("cp1252"), "mesto\nPříbram\nČeské Budějovice\n".encode("cp1250"), "name,stadt\nRené,Genève\n".encode("cp1252"),
             "varos\nGyőr\nSzékesfehérvár\n".encode("cp1250"), "ИМЯ,ГОРОД\nИВАН,МОСКВА\n".encode("cp1251"), b"a,b\n1,2\n",
             "name\nJosé\nMüller\n".encode("latin-1"), "price\n€5\n£3\n".encode("cp1252")]  # fmt: skip
    root = Path(__file__).parents[4]
    files = sorted((root / "tests/include/headwater/malformed/files").glob("*.csv")) + sorted((root / "sample_data/landing").rglob("*.csv"))
    return texts + [d for d in (f.read_bytes() for f in files) if _text(d)]


def _text(data: bytes) -> bool:
    """Whether ``data`` reaches encoding detection (binary payloads are quarantined before: check_not_binary)."""
    try:
        check_not_binary(data)
    except UnreadableFile:
        return False
    return True


def test_mac_roman_changes_no_other_files_encoding(monkeypatch: pytest.MonkeyPatch) -> None:
    """Differential: every fixture is read in the same encoding, warned about or not alike, with and without the Mac Roman
    candidate (a warning may name mac_roman among the rivals: ``€5`` reads as ``Ä5`` in it as plausibly)."""
    data = _fixtures()
    assert len(data) > 40

    def choices() -> list[tuple[str, str | None, bool]]:
        return [(detect_encoding(d), *((lambda c: (c[0], c[1] is not None))(fallback_choice(d[:HEAD_BYTES])) if _not_utf8(d) else (None, False)))
                for d in data]

    with_mac = choices()
    monkeypatch.setattr(sniff, "SINGLE_BYTE", tuple(e for e in SINGLE_BYTE if e != "mac_roman"))
    assert with_mac == choices()
    assert sum(1 for e, _, _ in with_mac if e not in ("utf-8", "utf-8-sig")) >= 20


def _not_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return not data.startswith((b"\xff\xfe", b"\xfe\xff")) and utf16_without_bom(data) is None
    return False


# breaker2 #25: Windows code pages of Turkish, Arabic, Hebrew and Thai were read as cp1252/cp1251 without a warning.
@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("id,ad,şehir\n1,Çağrı,İstanbul\n2,Gül,İzmir\n", "cp1254"),  # the breaker's cp1254.csv (was cp1252: Çaðrý, thehir)
        ("ad,soyad\nŞükrü,Yılmaz\nAyşe,Doğan\nIşık,Öztürk\n", "cp1254"),
        ("id,الاسم,المدينة\n1,محمد,القاهرة\n2,فاطمة,دبي\n", "cp1256"),  # was cp1251: зб_з_уг
        ("الاسم,البلد\nعلي,بغداد\nسارة,عمان\n", "cp1256"),
        ("id,שם,עיר\n1,דוד,ירושלים\n2,שרה,חיפה\n", "cp1255"),  # was cp1251: гег
        ("שם,עיר\nמשה,תל אביב\nרחל,באר שבע\n", "cp1255"),
        ("id,ชื่อ,เมือง\n1,สมชาย,กรุงเทพ\n2,สมหญิง,เชียงใหม่\n", "cp874"),  # was cp1251: КБЄТВ
        ("ชื่อ,จังหวัด\nวิชัย,ภูเก็ต\nสุดา,ขอนแก่น\n", "cp874"),
    ],
)
def test_turkish_arabic_hebrew_and_thai_windows_exports_are_read_in_their_code_page(text: str, encoding: str) -> None:
    assert fallback_choice(text.encode(encoding)) == (encoding, None)
    assert text.encode(encoding).decode(encoding) == text


def test_latin1_with_o_umlaut_is_not_read_as_arabic_marks() -> None:
    # cp1256 keeps the French letters but makes ö an Arabic kasra (Kِln): Latin-1 text stays cp1252
    assert fallback_choice("id,name,city\n1,Zoë,Köln\n2,Renée,Besançon\n3,Jürgen,München\n".encode("latin-1"))[0] == "cp1252"


@pytest.mark.parametrize(
    ("text", "example"),
    [
        ("id,vārds,pilsēta\n1,Jānis,Rīga\n2,Ūla,Kaunas\n", "line 1: vârds vs vārds"),  # the breaker's cp1257.csv (was cp1252, no warning)
        ("pilsēta\nRīga\nLiepāja\n", "line 1: pilsçta vs pilsēta"),
    ],
)
def test_baltic_text_that_reads_as_plausibly_in_cp1252_is_ambiguous_with_cp1257_named(text: str, example: str) -> None:
    assert sniff.encoding_choice(text.encode("cp1257")) == (
        "cp1252",
        f"encoding uncertain: read as cp1252; cp1257 reads the bytes as plausibly ({example}) — set read.encoding if that is wrong",
        ["cp1257"],
    )
    assert parse_csv(text.encode("cp1257"), "x.csv", ReadOptions(encoding="cp1257")).encoding == "cp1257"  # read.encoding settles it


@pytest.mark.parametrize(
    ("text", "points"),
    [
        ("Kِln", 3),  # an Arabic mark after a Latin letter
        ("гег,йшешмйн,щнд", 3),  # three Cyrillic words, none with a capital
        ("Ыма", 2),  # a Cyrillic word cannot start with ы
        ("Иван,Москва,Пётр", 0),
    ],
)
def test_implausibility_of_right_to_left_and_thai_text_read_in_the_wrong_code_page(text: str, points: int) -> None:
    assert implausibility(text) == points


def test_the_manifest_names_the_runner_up_of_an_ambiguous_encoding() -> None:
    f = CsvFile("id,vārds\n1,Jānis\n".encode("cp1257"), "x.csv")
    assert (f.encoding, f.encoding_ambiguous) == ("cp1252", ["cp1257"])
    assert CsvFile("id,ad\n1,Çağrı\n2,Gül\n".encode("cp1254"), "x.csv").encoding_ambiguous == []
