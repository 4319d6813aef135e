"""Apostrophes of Dutch, Afrikaans and English, the ʻokina, bullets and footnote marks as encoding evidence (breaker11 E1, E2, E4).

E1: cp1252 Dutch ``z’n fiets``, ``d’r auto``, ``’t is goed zo``, ``m’n pakket`` were read as Mac Roman (``zín``, ``dír``,
``ít``, ``mín``) with no warning: the apostrophe counted only in English contractions and French/Italian elisions, so
cp1252 paid 3 points a sign among letters and Mac Roman won silently. E2/E4: ``Rock ’n’ Roll``, ``y’all``, ``ma’am``,
``o’clock``, ``students’ union`` the same; ``’s-Hertogenbosch``, ``give ’em``, ``’n Boer``, ``Hawai‘i`` read as cp850
(``Æs-``, ``Æem``, ``Hawaiæi``) naming Mac Roman, not cp1252; ``Price†``/``Item‡`` as cp850 (``Priceå``, ``Itemç``).
A reading that differs from the winner only in ’‘—†‡• next to letters is named in the warning now, so the choice is
never silent. The texts are written with Python's codecs, so the truth is certain.
"""

from __future__ import annotations

import csv
import io

import pytest

from headwater.ingest.csv_file import parse_csv
from headwater.ingest.sniff import encoding_decision, typography

NL_FILE = "id,opmerking\n1,z’n bestelling is te laat\n2,’t is goed zo\n3,d’r fiets staat buiten\n4,m’n pakket\n"  # in/enc/nl.csv
NL_29 = "id,opmerking\n" + "".join(f"{i},z’n bestelling nummer {i} is te laat\n" for i in range(1, 30))


def _uncertain(encoding: str, *doubts: str) -> str:
    return f"encoding uncertain: read as {encoding}; {'; '.join(doubts)} — set read.encoding if that is wrong"


def _without_signs(others: str, line: int, mine: str, theirs: str) -> str:
    verb = "reads" if "," not in others else "read"
    return f"{others} {verb} the bytes as plausible text too, only without its typographic signs (line {line}: {mine} vs {theirs})"


def _tied(others: str, line: int, mine: str, theirs: str) -> str:
    verb = "reads" if "," not in others else "read"
    return f"{others} {verb} the bytes as plausibly (line {line}: {mine} vs {theirs})"


def _signs_at_letters(others: str, line: int, mine: str, theirs: str, them: bool = False) -> str:
    verb = "reads" if "," not in others else "read"
    return f"{others} {verb} {'them' if them else 'the bytes'} alike but for typographic signs next to letters (line {line}: {mine} vs {theirs})"


# (text, written as, read as, warnings); "was" is main's reading before enc15
CASES = {
    # E1: Dutch clitics (Taalunie, Woordenlijst, Leidraad: apostrophe for omitted letters)
    "nl_zn_dr": (
        "id,note\n1,z’n fiets\n2,d’r auto\n", "cp1252", "cp1252", [_uncertain("cp1252", _without_signs("mac_roman", 2, "z’n", "zín"))],
    ),  # was mac_roman, no warning: zín fiets, dír auto
    "nl_file": (NL_FILE, "cp1252", "cp1252", [_uncertain("cp1252", _without_signs("mac_roman", 2, "z’n", "zín"))]),  # was mac_roman: ít is goed zo
    "nl_29_lines": (NL_29, "cp1252", "cp1252", [_uncertain("cp1252", _without_signs("mac_roman", 2, "z’n", "zín"))]),  # was mac_roman
    "nl_zo_n": (
        "id,note\n1,zo’n dag\n2,M’n fiets\n", "cp1252", "cp1252", [_uncertain("cp1252", _without_signs("mac_roman", 2, "zo’n", "zoín"))],
    ),  # was mac_roman
    "nl_s_hertogenbosch": (
        "id,plaats\n1,’s-Hertogenbosch\n2,’s-Gravenhage\n", "cp1252", "cp1252",
        [_uncertain("cp1252", _without_signs("cp850, mac_roman, cp932, gb18030", 2, "’s-Hertogenbosch", "Æs-Hertogenbosch"))],
    ),  # was cp850: Æs-Hertogenbosch, mac_roman named
    "nl_s_avonds_t": (
        "id,note\n1,’s avonds open\n2,’t is dicht\n", "cp1252", "cp1252",
        [_uncertain("cp1252", _without_signs("cp850, mac_roman, cp932, gb18030", 2, "’s", "Æs"))],
    ),  # was cp850
    # Afrikaans ’n (the indefinite article)
    "af_n": (
        "id,nota\n1,’n Boer\n2,’n huis\n", "cp1252", "cp1252",
        [_uncertain("cp1252", _without_signs("cp850, mac_roman, cp932, gb18030", 2, "’n", "Æn"))],
    ),  # was cp850: Æn Boer
    # E2/E4: English
    "en_rock_n_roll": (
        "id,name\n1,Rock ’n’ Roll Records\n2,Fish ’n’ Chips\n", "cp1252", "cp1252",
        [_uncertain("cp1252", _without_signs("mac_roman", 2, "’n’", "íní"))],
    ),  # was mac_roman, no warning: Rock íní Roll Records (in/enc/en.csv)
    "en_short_words": (
        "id,note\n1,y’all\n2,ma’am\n3,o’clock\n", "cp1252", "cp1252", [_uncertain("cp1252", _without_signs("mac_roman", 2, "y’all", "yíall"))],
    ),  # was mac_roman, no warning: yíall, maíam, oíclock
    "en_em_90s": (
        "id,note\n1,give ’em hell\n2,the ’90s\n", "cp1252", "cp1252",
        [_uncertain("cp1252", _without_signs("cp850, mac_roman", 2, "’em", "Æem"))],
    ),  # was cp850: Æem, mac_roman named
    "en_year": (
        "id,note\n1,class of ’99\n2,summer ’21\n", "cp1252", "cp1252",
        [_uncertain("cp1252", _without_signs("cp850, cp866, mac_roman", 2, "’99", "Æ99"))],
    ),  # was cp1252 on a tie
    "en_plural_possessive": (
        "id,note\n1,students’ union\n2,the Joneses’ car\n", "cp1252", "cp1252",
        [_uncertain("cp1252", _without_signs("mac_roman", 2, "students’", "studentsí"))],
    ),  # was mac_roman, no warning: studentsí union
    # the ʻokina written as a left single quote (Pukui & Elbert)
    "haw_okina": (
        "id,place\n1,Hawai‘i\n2,O‘ahu\n", "cp1252", "cp1252", [_uncertain("cp1252", _without_signs("cp850, mac_roman", 2, "Hawai‘i", "Hawaiæi"))],
    ),  # was cp850: Hawaiæi, Oæahu
    # footnote marks and bullets
    "footnote_marks": ("id,p\n1,Price† – see note\n2,Item‡\n", "cp1252", "cp1252", []),  # was cp850, no warning: Priceå û, Itemç
    "dagger_only": (
        "id,p\n1,Price†\n2,Total†\n", "cp1252", "cp1252", [_uncertain("cp1252", _without_signs("cp850", 2, "Price†", "Priceå"))],
    ),  # was cp850, no warning
    "bullets": (
        "id,note\n1,• item one\n2,• item two\n", "cp1252", "cp1252",
        [_uncertain("cp1252", _without_signs("koi8-r, cp850, cp866, mac_roman", 2, "•", "∙"))],
    ),  # a tie before: the same reading, warned as tied
}


@pytest.mark.parametrize(("text", "written", "read", "warnings"), CASES.values(), ids=CASES.keys())
def test_the_file_is_read_in_its_encoding_and_every_value_lands_as_written(text: str, written: str, read: str, warnings: list[str]) -> None:
    parsed = parse_csv(text.encode(written), "export.csv")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert (parsed.encoding, parsed.warnings) == (read, warnings)
    assert [parsed.header, *parsed.records] == rows


# Where the letters cannot tell, the reading stays as before and the warning now names the reading that differs only in
# signs next to letters (before: silent, or naming another rival only). (text, written as, read as, warnings)
NAMED = {
    "bullets_inside_words": (
        "id,note\n1,• item one\n2,•item two\n3,a•b\n", "cp1252", "cp850",
        [_uncertain("cp850", _tied("mac_roman", 2, "ò", "ï"), _signs_at_letters("cp1252", 2, "ò", "•", them=True))],
    ),  # •item and a•b are no typist's bullets; was cp850 naming mac_roman only
    "double_dagger_alone": (
        "id,p\n1,Item‡\n", "cp1252", "cp850",
        [_uncertain("cp850", _tied("mac_roman", 2, "Itemç", "Itemá"), _signs_at_letters("cp1252", 2, "Itemç", "Item‡", them=True))],
    ),  # ‡ counts only beside a †: Mac Roman's á is cp1252's ‡ (Spanish está read as est‡)
    "es_mac_esta": (
        "id,note\n1,Ya está\n2,Panamá\n", "mac_roman", "cp850",
        [_uncertain("cp850", _tied("mac_roman", 2, "estç", "está"), _signs_at_letters("cp1252", 2, "estç", "est‡", them=True))],
    ),  # as before (a tie, mac_roman named), cp1252 named too; not read as cp1252
    "da_cp850": (
        "id,note\n1,på vej\n2,også\n", "cp850", "cp850", [_uncertain("cp850", _signs_at_letters("cp1252", 2, "på", "p†"))],
    ),  # cp850's å is cp1252's †: ogs† after a small word is no footnote; was silent
    "es_mac_martin": (
        "id,nombre\n1,Martín\n2,Asunción\n", "mac_roman", "mac_roman", [_uncertain("mac_roman", _signs_at_letters("cp1252", 2, "Martín", "Mart’n"))],
    ),  # Mart’n has z’n's shape: was silent
}


@pytest.mark.parametrize(("text", "written", "read", "warnings"), NAMED.values(), ids=NAMED.keys())
def test_a_reading_that_differs_only_in_signs_next_to_letters_is_named(text: str, written: str, read: str, warnings: list[str]) -> None:
    parsed = parse_csv(text.encode(written), "export.csv")
    assert (parsed.encoding, parsed.warnings) == (read, warnings)


def test_the_rivals_and_reason_of_the_dutch_file() -> None:
    decision = encoding_decision(NL_FILE.encode("cp1252"), complete=True)
    assert (decision.encoding, decision.rivals) == ("cp1252", ["mac_roman"])
    assert decision.reason.startswith("most plausible reading of 20 candidate encodings (-12 points, 4 typographic signs (’) in their usual places")


def test_mac_roman_spanish_stays_mac_roman_and_silent_where_cp1252_differs_in_more_than_signs() -> None:
    text = "id,nota\n1,Así es\n2,Sí señor\n"  # así, sí: as’, S’ (no plural possessive: too short); ñ is cp1252's ñ
    parsed = parse_csv(text.encode("mac_roman"), "export.csv")
    assert (parsed.encoding, parsed.warnings, parsed.records) == ("mac_roman", [], [["1", "Así es"], ["2", "Sí señor"]])


@pytest.mark.parametrize(
    ("text", "signs"),
    [
        # where the orthographies put them
        ("z’n", 1), ("m’n", 1), ("d’r", 1), ("zo’n", 1), ("’t is", 1), ("’s-Hertogenbosch", 1), ("’s avonds", 1), ("’n Boer", 1),
        ("rock ’n’ roll", 2), ("Fish ’n’ Chips", 2), ("y’all", 1), ("ma’am", 1), ("o’clock", 1), ("give ’em", 1), ("the ’90s", 1),
        ("class of ’99", 1), ("students’ union", 1), ("the Joneses’ car", 1), ("Hawai‘i", 1), ("O‘ahu", 1), ("• item", 1),
        ("Price†", 1), ("Price† and Item‡", 2),
        # where they split a word another reading keeps whole, or stand where no typist puts them
        ("as’", 0), ("s’", 0), ("pa’s", 0), ("d’a", 0), ("l’mite", 0), ("Mart’n", 0), ("est‡", 0), ("ogs†", 0), ("price†", 0),
        ("Item‡", 0), ("Idee‘n", 0), ("•item", 0), ("a•b", 0), ("x ’ y", 0), ("10’s", 0), ("ab’99", 0),
    ],
)
def test_where_an_apostrophe_bullet_or_footnote_mark_counts(text: str, signs: int) -> None:
    assert typography(text)[0] == signs
