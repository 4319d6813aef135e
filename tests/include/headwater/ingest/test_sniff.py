"""Encodings of files that are not UTF-8: the encodings real files use, and a warning when the bytes read as plausibly in another."""

from __future__ import annotations

import pytest

from headwater.ingest.sniff import SINGLE_BYTE, encoding_candidates, fallback_choice, foreign_letters, implausibility

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
        "encoding uncertain: read as cp1252; cp1250 reads the bytes as plausibly (Genève vs Genčve) — set read.encoding if that is wrong",
    )
    # ő (Hungarian) and õ (Portuguese) are the same byte
    assert fallback_choice("varos\nGyőr\nSzékesfehérvár\n".encode("cp1250"))[1] == (
        "encoding uncertain: read as cp1252; cp1250 reads the bytes as plausibly (Gyõr vs Győr) — set read.encoding if that is wrong"
    )
    # all-capitals Russian words read as small letters in the other Cyrillic encoding
    assert fallback_choice("ИМЯ,ГОРОД\nИВАН,МОСКВА\n".encode("cp1251")) == (
        "cp1251",
        "encoding uncertain: read as cp1251; koi8-r reads the bytes as plausibly (ИМЯ vs хлъ) — set read.encoding if that is wrong",
    )


def test_an_ascii_head_is_cp1252_without_a_warning() -> None:
    assert fallback_choice(b"a,b\n1,2\n") == ("cp1252", None)


def test_no_dos_code_page_is_a_candidate() -> None:
    assert [e for _, e, _ in encoding_candidates(CENTRAL.encode("cp1250"))][:2] == ["cp1250", "cp1252"]
    assert not any(e.startswith(("cp4", "cp7", "cp8")) for e in SINGLE_BYTE)


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
