"""Typographic evidence that splits a word a rival reading keeps whole; CJK counters after numbers (breaker10 F1, F12).

F1: Mac Roman ``í`` (0x92) and ``ó`` (0x97) are cp1252's ``’`` and ``—``. enc12 counted ``Asunci—n`` (an em dash between
small letters) and ``pa’s``, ``Lu’s``, ``d’a``, ``l’mite`` (an apostrophe before s/t/d/m or after one letter) as typographic
signs, so Spanish Excel-for-Mac exports were read as cp1252 (``Mart’n Garc’a, Asunci—n, nœmero``) or cp1257, warned at
best with cp1250 named. F12: cp949 ``3개`` (B0 B3) read as cp1252 ``3°³`` (``°`` after a digit counted), the warning naming
cp1250 (``3°ł``), not euc-kr. The texts are written with Python's codecs, so the truth is certain.
"""

from __future__ import annotations

import csv
import io

import pytest

from headwater.ingest.csv_file import CsvFile, parse_csv
from headwater.ingest.sniff import counters, encoding_decision, implausibility, typography

ES_LONG = "id,nombre,ciudad,nota\n" + "".join(f"{i},Martín García,Asunción,Revisión de la solución número {i}\n" for i in range(1, 20))


def _uncertain(encoding: str, *doubts: str) -> str:
    return f"encoding uncertain: read as {encoding}; {'; '.join(doubts)} — set read.encoding if that is wrong"


def _signs_only(others: str, line: int, mine: str, theirs: str, evidence: str = "typographic signs", them: bool = False) -> str:
    verb = "reads" if "," not in others else "read"
    return f"{others} {verb} {'them' if them else 'the bytes'} as plausible text too, only without its {evidence} (line {line}: {mine} vs {theirs})"


def _signs_at_letters(others: str, line: int, mine: str, theirs: str) -> str:
    verb = "reads" if "," not in others else "read"
    return f"{others} {verb} the bytes alike but for typographic signs next to letters (line {line}: {mine} vs {theirs})"


def _counters_only(others: str, line: int, mine: str, theirs: str) -> str:
    return _signs_only(others, line, mine, theirs, "counters after numbers")


# (text, written as, read as, warnings)
CASES = {
    # breaker10 F1 (all read as cp1252 or cp1257 by enc12, rightly by the code before it)
    "es_mac_lf_long": (ES_LONG, "mac_roman", "mac_roman", []),  # was cp1252: Mart’n Garc’a, Asunci—n, nœmero; cp1250 named
    "es_mac": (
        "id,nombre,nota\n1,Martín,Información de la canción\n2,Inés,Países del norte\n3,Ramón,Opción de envío\n4,Simón,Acción rápida\n",
        "mac_roman", "mac_roman", [],
    ),  # was cp1257: Inˇs, r‡pida
    "es_mac_pais": (
        "id,nota\n1,Es el país\n2,Luís vive aquí\n3,El maíz\n", "mac_roman", "mac_roman",
        [_uncertain("mac_roman", _signs_at_letters("cp1252", 2, "país", "pa’s"))],
    ),  # was cp1252: pa’s, Lu’s. Warned since enc15 (breaker11 E1): cp1252 differs only in ’ next to letters, as z’n/zín did
    "es_mac_dia": (
        "fecha,nota\n2025-01-02,Un día de límite mínimo\n2025-01-03,El día tímido\n", "mac_roman", "mac_roman",
        [_uncertain("mac_roman", _signs_at_letters("cp1252", 2, "día", "d’a"))],
    ),  # was cp1252: d’a, l’mite, m’nimo taken for elisions (warned since enc15, as es_mac_pais)
    "es_mac_cr": ("id,nota\r1,Información\r2,Canción de León\r3,Sesión\r", "mac_roman", "mac_roman", []),  # Excel for Mac; was cp1252
    "es_mac_nr": (
        "id,ciudad,nota\n1,Cantón,Sesión de revisión\n2,León,Opción de compra\n3,Asunción,Misión cumplida\n", "mac_roman", "mac_roman", [],
    ),  # was cp1252 (Cant—n); before enc12 cp850 (Cantùn: ù inside a word)
    # variants: short, CR-only, curly quotes with accented words, Portuguese, Catalan, French, Italian
    "es_mac_3_lines": (
        "id,nombre\n1,Martín\n2,Asunción\n", "mac_roman", "mac_roman", [_uncertain("mac_roman", _signs_at_letters("cp1252", 2, "Martín", "Mart’n"))],
    ),  # was cp1252, warned; warned again since enc15 (Mart’n has E1's shape: z’n)
    "es_mac_cr_3_lines": (
        "id,nombre\r1,Martín\r2,Asunción\r", "mac_roman", "mac_roman", [_uncertain("mac_roman", _signs_at_letters("cp1252", 2, "Martín", "Mart’n"))],
    ),
    "es_mac_curly_cr": ("id,nota\r1,“Información” – León\r2,Don’t ship; said Martín\r3,Canción\r", "mac_roman", "mac_roman", []),
    "es_mac_curly_lf": ("id,nota\n1,“Revisión” de la canción\n2,Martín’s order – Asunción\n3,Opción\n", "mac_roman", "mac_roman", []),
    "pt_mac": ("id,nome,nota\n1,João,Sessão\n2,Antônio,Opção\n3,Simões,Avó\n", "mac_roman", "mac_roman", []),  # Ant™nio is no sign
    "pt_mac_o": ("id,nota\n1,Só hoje\n2,Próximo número\n3,Avô e avó\n", "mac_roman", "mac_roman", []),
    "ca_mac": ("id,nom,nota\n1,Martí,Informació\n2,Joan,Revisió\n3,Núria,Lleó\n", "mac_roman", "mac_roman", []),
    "ca_mac_cedilla": (
        "id,nom,nota\n1,Martí,Informació de la cançó\n2,Mercè,València\n3,Jordà,Col·lecció\n", "mac_roman", "mac_roman", [],
    ),
    "fr_mac_curly": ("id,note\r1,L’école – “déjà” vu\r2,Hélène\r", "mac_roman", "mac_roman", []),
    "it_mac": ("id,nota\n1,Città di Forlì\n2,Perché così\n3,Più tardi\n", "mac_roman", "mac_roman", []),
    # enc12's cp1252 wins hold
    "cp1252_smart": ("id,note\r\n1,Don’t ship\r\n2,“Fragile” – handle\r\n3,€5 at 20°C…\r\n", "cp1252", "cp1252", []),
    "cp1252_em_dash_between_words": (
        "id,note\r\n1,The plan—if approved—starts today\r\n2,Wait—what\r\n", "cp1252", "cp1252",
        [_uncertain("cp1252", _signs_only("mac_roman", 2, "plan—if", "planóif"))],
    ),  # was warned with cp850 too (planùif: ù inside a word is implausible now)
    "cp1252_contractions": (
        "id,note\r\n1,It’s fine\r\n2,I’m here; we’ll see; they’ve gone; you’re ok; he’d go\r\n3,Ann’s dog\r\n", "cp1252", "cp1252",
        [_uncertain("cp1252", _signs_only("mac_roman", 2, "It’s", "Itís"))],
    ),
    "cp1252_french_elision": ("id,note\r\n1,L’école d’été\r\n2,Qu’il vienne; c’est l’heure\r\n3,Jérôme\r\n", "cp1252", "cp1252", []),
    "cp1252_italian_elision": ("id,note\r\n1,Dell’arte; l’anno; c’è\r\n2,Città\r\n", "cp1252", "cp1252", []),  # was warned: cp1250 c’č
    "cp1252_spanish": ("id,nombre\r\n1,Martín García\r\n2,Asunción\r\n3,Información – revisión\r\n", "cp1252", "cp1252", []),
    "cp1251_degree_cyrillic_c": ("id,город,t\n1,Москва,20°С\n2,Казань,25°С\n", "cp1251", "cp1251", []),  # °С with a Cyrillic Es
    # breaker10 F12 and CJK variants: counters and units after a number
    "ko_counter_f12": (
        "item,qty\napple,3개\npear,2개\nkiwi,10개\n", "cp949", "euc-kr",
        [_uncertain("euc-kr", _counters_only("cp1252, cp874, mac_roman, euc-jp, gb18030, big5", 2, "3개", "3°³"))],
    ),  # was cp1252 3°³, warned with cp1250 (3°ł) only
    "ko_counter_one_line": (
        "item,qty\napple,3개\n", "cp949", "euc-kr",
        [_uncertain("euc-kr", _counters_only("cp1252, cp874, mac_roman, euc-jp, gb18030, big5", 2, "3개", "3°³"))],
    ),
    "ko_won": (
        "item,qty,price\napple,3개,1200원\npear,2개,900원\n", "cp949", "euc-kr",
        [_uncertain("euc-kr", _counters_only("cp1253, euc-jp", 2, "3개", "3°³"))],
    ),  # was cp1253: 1200Ώψ
    "ko_people": (
        "team,size\nA,5명\nB,12명\n", "cp949", "euc-kr",
        [_uncertain("euc-kr", _counters_only("cp1251, iso-8859-15, cp1253, cp874, euc-jp, gb18030, big5", 2, "5명", "5ён"))],
    ),  # was iso-8859-15: 5ží
    "ko_names_and_counters": ("품목,수량\n사과,3개\n배,2개\n귤,10개\n포도,5개\n", "cp949", "euc-kr", []),  # right before too
    "ja_ko": (
        "item,qty\napple,5個\npear,3個\n", "cp932", "cp932",
        [_uncertain("cp932", _counters_only("cp1252, cp1251, gb18030", 2, "5個", "5ŒÂ"))],
    ),  # was cp1252: 5ŒÂ
    "ja_hon": (
        "item,qty\npen,2本\npencil,12本\n", "cp932", "cp932",
        [_uncertain("cp932", _counters_only("cp1252, koi8-r, cp850, cp866, mac_roman, gb18030", 2, "2本", "2–"))],
    ),  # was cp1252: 2–{
    "ja_yen": (
        "item,price\napple,120円\npear,90円\n", "cp932", "cp932",
        [_uncertain("cp932", _counters_only("cp1252, cp850, cp866, mac_roman, gb18030", 2, "120円", "120‰~"))],
    ),  # was cp1252: 120‰~
    "zh_ge_jian": (
        "item,qty\napple,5个\norder,10件\n", "gbk", "gb18030",
        [_uncertain("gb18030", _counters_only("cp1251, cp1253, euc-jp, big5, euc-kr", 2, "5个", "5ёц"))],
    ),  # was euc-jp: 5倖, 10周
    "big5_ge_jian": ("item,qty\napple,5個\norder,10件\n", "big5", "big5", []),
    # a tie and a reading that lost on signs alone: both named (the tie alone was named before)
    "tie_and_signs_only": (
        "id,note\r\n1,Don’t\r\n2,50½\r\n", "cp1252", "cp1252",
        [_uncertain("cp1252", "cp1250 reads the bytes as plausibly (line 3: 50½ vs 50˝)", _signs_only("mac_roman", 2, "Don’t", "Donít", them=True))],
    ),
}


@pytest.mark.parametrize(("text", "written", "read", "warnings"), CASES.values(), ids=CASES.keys())
def test_the_file_is_read_in_its_encoding_and_every_value_lands_as_written(text: str, written: str, read: str, warnings: list[str]) -> None:
    parsed = parse_csv(text.encode(written), "export.csv")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert (parsed.encoding, parsed.warnings) == (read, warnings)
    assert [parsed.header, *parsed.records] == rows


# Known limits, warned: Spanish Mac Roman whose only í/ó fall where English or French put a sign. ``días`` read as cp1252
# is ``d’as`` (an elided ``d’`` before a word starting with a vowel, as ``d’un``), ``económico`` is ``econ—mico`` (an em
# dash between two words of letters with vowels, as ``plan—if``): nothing in the letters tells them apart.
LIMITS = {
    "es_mac_dias": ("fecha,nota\n2025-01-02,Dos días en los ríos\n2025-01-03,Mis tíos\n", 2, "d’as", "días"),
    "es_mac_economico": ("id,nota\n1,Informe económico\n2,Análisis histórico\n3,Católico\n", 2, "econ—mico", "económico"),
}


@pytest.mark.parametrize(("text", "line", "mine", "theirs"), LIMITS.values(), ids=LIMITS.keys())
def test_where_the_letters_cannot_tell_the_warning_names_mac_roman(text: str, line: int, mine: str, theirs: str) -> None:
    decision = encoding_decision(text.encode("mac_roman"), complete=True)
    assert (decision.encoding, decision.rivals, decision.doubt) == (
        "cp1252", ["mac_roman"], _uncertain("cp1252", _signs_only("mac_roman", line, mine, theirs)),
    )


@pytest.mark.parametrize(
    ("text", "signs"),
    [
        # Mac Roman í, ó, ô read as cp1252: signs inside words a rival reading keeps whole
        ("Asunci—n", 0), ("Informaci—n de la canci—n", 0), ("pr—ximo", 0), ("s—lo", 0), ("Mart’n", 0), ("aqu’", 0),
        ("pa’s", 0), ("Lu’s", 0), ("d’a", 0), ("l’mite", 0), ("m’nimo", 0), ("t’mido", 0), ("Ant™nio", 0),
        ("3°³", 0), ("3°ł", 0),  # cp949 3개 read as cp1252 and cp1250: a sign before an implausible character
        # where typists put them
        ("plan—if", 1), ("yes—no", 1), ("Don’t", 1), ("DON’T", 1), ("it’s", 1), ("IT’S", 1), ("I’m", 1), ("we’ll", 1),
        ("Ann’s", 1), ("Customer’s", 1), ("l’école", 1), ("qu’il", 1), ("O’Neil", 1), ("c’è", 1), ("dell’arte", 1),
        ("20°C", 1), ("25°", 1), ("20°С", 1), ("Brand™ tea", 1),
    ],
)
def test_a_sign_counts_only_where_it_splits_no_word(text: str, signs: int) -> None:
    assert typography(text)[0] == signs


@pytest.mark.parametrize(
    ("text", "found"),
    [("3개", 1), ("5個 10件 2本", 3), ("1200원", 1), ("120円", 1), ("12元", 1), ("２本", 1), ("개3", 0), ("3 개", 0), ("3°³", 0)],
)
def test_counters_after_numbers(text: str, found: int) -> None:
    assert counters(text) == found


@pytest.mark.parametrize(("text", "points"), [("Cantùn", 2), ("Ùna", 2), ("più", 0), ("où", 0)])
def test_u_grave_inside_a_word_is_implausible(text: str, points: int) -> None:
    assert implausibility(text) == points


def test_the_manifest_says_why() -> None:
    f = CsvFile(ES_LONG.encode("mac_roman"), "export.csv")
    assert (f.encoding, f.encoding_ambiguous, f.encoding_reason) == (
        "mac_roman", [], "most plausible reading of 16 candidate encodings (0 points); next cp1252 (285 points)",  # cp949 decodes it too
    )
    f = CsvFile("item,qty\napple,3개\npear,2개\nkiwi,10개\n".encode("cp949"), "export.csv")
    assert (f.encoding, f.encoding_ambiguous, f.encoding_reason) == (
        "euc-kr", ["cp1252", "cp874", "mac_roman", "euc-jp", "gb18030", "big5"],
        "most plausible reading of 22 candidate encodings (-9 points, 3 counters after numbers (개) counted for it); next cp1252 (0 points)",
    )
