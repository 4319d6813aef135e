"""IBANs in every form ISO 13616 writes them (pan17: breaker13 F4, F5, F13; headwater.clean.sensitive ``iban_spans``).

F4: a spaced IBAN with letters in its BBAN (``NL 91 ABNA 0417 1643 00``, ``GB 82 WEST 1234 5698 7654 32``) stayed
unmasked under ``text.ibans: mask``. F5: the spaced form in small letters or with hyphens (``at 13 4469 ...``,
``AT-13-4469-...``) was masked as a card (``at 13 [CARD]``) and counted as one. F13: ``AT 70 4111 1111 1111 1111
0926`` was read as an IBAN over its first 25 characters though a fifth group follows. Every country of the SWIFT IBAN
Registry is checked in each form, with an IBAN built here from the registry's BBAN structure and check digits computed
here (ISO 7064 MOD 97-10), so the test does not lean on the code it checks. Exact spans and masked texts."""

from __future__ import annotations

import random
import re

import numpy as np
import pyarrow as pa
import pytest

from headwater.clean.sensitive import IBAN_LENGTHS, card_spans, find_sensitive, iban_spans, iban_valid
from headwater.clean.text import normalize_column, normalize_text
from headwater.config.text import TextOptions

BOTH = TextOptions(cards="mask", ibans="mask", phones="keep")
IBANS = TextOptions(ibans="mask", phones="keep")
WARN = TextOptions(phones="keep")

# the SWIFT IBAN Registry's 89 countries (iban-registry_1.txt) and each one's BBAN structure, as the registry writes it
REGISTRY = {
    "AD": "4!n4!n12!c", "AE": "3!n16!n", "AL": "8!n16!c", "AT": "5!n11!n", "AZ": "4!a20!c", "BA": "3!n3!n8!n2!n",
    "BE": "3!n7!n2!n", "BG": "4!a4!n2!n8!c", "BH": "4!a14!c", "BI": "5!n5!n11!n2!n", "BR": "8!n5!n10!n1!a1!c",
    "BY": "4!c4!n16!c", "CH": "5!n12!c", "CR": "4!n14!n", "CY": "3!n5!n16!c", "CZ": "4!n6!n10!n", "DE": "8!n10!n",
    "DJ": "5!n5!n11!n2!n", "DK": "4!n9!n1!n", "DO": "4!c20!n", "EE": "2!n14!n", "EG": "4!n4!n17!n",
    "ES": "4!n4!n1!n1!n10!n", "FI": "3!n11!n", "FK": "2!a12!n", "FO": "4!n9!n1!n", "FR": "5!n5!n11!c2!n",
    "GB": "4!a6!n8!n", "GE": "2!a16!n", "GI": "4!a15!c", "GL": "4!n9!n1!n", "GR": "3!n4!n16!c", "GT": "4!c20!c",
    "HN": "4!a20!n", "HR": "7!n10!n", "HU": "3!n4!n1!n15!n1!n", "IE": "4!a6!n8!n", "IL": "3!n3!n13!n",
    "IQ": "4!a3!n12!n", "IS": "4!n2!n6!n10!n", "IT": "1!a5!n5!n12!c", "JO": "4!a4!n18!c", "KW": "4!a22!c",
    "KZ": "3!n13!c", "LB": "4!n20!c", "LC": "4!a24!c", "LI": "5!n12!c", "LT": "5!n11!n", "LU": "3!n13!c",
    "LV": "4!a13!c", "LY": "3!n3!n15!n", "MC": "5!n5!n11!c2!n", "MD": "2!c18!c", "ME": "3!n13!n2!n", "MK": "3!n10!c2!n",
    "MN": "4!n12!n", "MR": "5!n5!n11!n2!n", "MT": "4!a5!n18!c", "MU": "4!a2!n2!n12!n3!n3!a", "NI": "4!a20!n",
    "NL": "4!a10!n", "NO": "4!n6!n1!n", "OM": "3!n16!c", "PK": "4!a16!c", "PL": "8!n16!n", "PS": "4!a21!c",
    "PT": "4!n4!n11!n2!n", "QA": "4!a21!c", "RO": "4!a16!c", "RS": "3!n13!n2!n", "RU": "9!n5!n15!c", "SA": "2!n18!c",
    "SC": "4!a2!n2!n16!n3!a", "SD": "2!n12!n", "SE": "3!n16!n1!n", "SI": "5!n8!n2!n", "SK": "4!n6!n10!n",
    "SM": "1!a5!n5!n12!c", "SO": "4!n3!n12!n", "ST": "8!n11!n2!n", "SV": "4!a20!n", "TL": "3!n14!n2!n",
    "TN": "2!n3!n13!n2!n", "TR": "5!n1!n16!c", "UA": "6!n19!c", "VA": "3!n15!n", "VG": "4!a16!n", "XK": "4!n10!n2!n",
    "YE": "4!a4!n18!c",
}  # fmt: skip
REGISTRY_LENGTHS = {c: 4 + sum(int(n) for n in re.findall(r"(\d+)!", f)) for c, f in REGISTRY.items()}


def _check_digits(country: str, bban: str) -> str:
    """ISO 7064 MOD 97-10 as ISO 13616-1 applies it: the BBAN, the country code and 00, letters as 10..35."""
    number = int("".join(str(int(c, 36)) for c in bban + country + "00"))
    return "%02d" % (98 - number % 97)


def _bban(country: str, rng: random.Random) -> str:
    """A BBAN of ``country``'s registry structure (``4!a10!n``: 4 capitals, 10 digits; ``c``: letters or digits)."""
    out = []
    for count, kind in re.findall(r"(\d+)!([nac])", REGISTRY[country]):
        for k in range(int(count)):
            digit = str(rng.randrange(10))
            letter = chr(65 + rng.randrange(26))
            out.append(digit if kind == "n" or kind == "c" and k % 2 else letter)
    return "".join(out)


def _fours(text: str, sep: str) -> str:
    return sep.join(text[i : i + 4] for i in range(0, len(text), 4))


def _forms(country: str, seed: int = 13616) -> list[str]:
    """One IBAN of ``country`` written together, in the paper format with spaces, with hyphens in small letters, with the
    country code apart (spaces), and with the country code apart by hyphens in small letters."""
    bban = _bban(country, random.Random(f"{seed}{country}"))
    check = _check_digits(country, bban)
    compact = country + check + bban
    return [
        compact,
        _fours(compact, " "),
        _fours(compact, "-").lower(),
        f"{country} {check} " + _fours(bban, " "),
        (f"{country}-{check}-" + _fours(bban, "-")).lower(),
    ]


def test_the_registry_table_has_every_country_and_length() -> None:
    from headwater.clean import sensitive

    assert IBAN_LENGTHS == REGISTRY_LENGTHS and len(REGISTRY) == 89
    assert getattr(sensitive, "IBAN_BBANS", None) == REGISTRY


@pytest.mark.parametrize("country", sorted(REGISTRY_LENGTHS))
def test_every_registry_country_in_every_form(country: str) -> None:
    for form in _forms(country):
        value = f"IBAN {form} ok"
        assert iban_spans(value) == [(5, 5 + len(form))], form
        assert normalize_text(value, BOTH) == "IBAN [IBAN] ok", form
        assert normalize_text(value, IBANS) == "IBAN [IBAN] ok", form
        assert normalize_text(value, WARN) == value
        # a wrong check digit pair (still 02-98): none
        check = form[2:4] if form[2:4].isdigit() else form[3:5]
        wrong = form.replace(check, "%02d" % (2 + (int(check) - 1) % 97), 1)
        assert iban_spans(f"IBAN {wrong} ok") == [], wrong


def test_the_pre_filter_passes_every_form() -> None:
    """The RE2 pre-filter (``IBAN_CANDIDATE_RE``) lets every form through: ``find_sensitive`` flags each value."""
    values = [f"pay to {form}, thanks" for country in sorted(REGISTRY_LENGTHS) for form in _forms(country)]
    found = find_sensitive(pa.array(values + ["plain text", None]), ("ibans",))
    assert np.flatnonzero(found["ibans"]).tolist() == list(range(len(values)))


MASKED = [
    # F4: a BBAN with letters, the country code apart (the registry's examples: Dutch, British)
    ("NL 91 ABNA 0417 1643 00", (0, 23), "[IBAN]"),
    ("GB 82 WEST 1234 5698 7654 32", (0, 28), "[IBAN]"),
    ("Bitte an NL 91 ABNA 0417 1643 00 überweisen", (9, 32), "Bitte an [IBAN] überweisen"),
    ("IE 29 AIBK 9311 5212 3456 78.", (0, 28), "[IBAN]."),  # Irish
    ("IT 60 X054 2811 1010 0000 0123 456", (0, 34), "[IBAN]"),  # Italian: a letter first, a last group of 3
    ("FR76 3000 6000 0112 3456 7890 189", (0, 33), "[IBAN]"),
    ("DE89 3704 0044 0532 0130 00", (0, 27), "[IBAN]"),
    # F5: small letters or hyphens in the spaced form
    ("at 13 4469 6291 3702 8587", (0, 25), "[IBAN]"),
    ("AT-13-4469-6291-3702-8587", (0, 25), "[IBAN]"),
    ("iban: at-13-4469-6291-3702-8587;", (6, 31), "iban: [IBAN];"),
    ("nl 91 abna 0417 1643 00", (0, 23), "[IBAN]"),
    ("Gb 82 West 1234 5698 7654 32", (0, 28), "[IBAN]"),  # mixed case
    # F13: its last group short, so what follows is no group of it
    ("DE89 3704 0044 0532 0130 00 1234", (0, 27), "[IBAN] 1234"),
    # a word after its last group of four is no group of it
    ("AT13 4469 6291 3702 8587 BIC RZOOAT2L", (0, 24), "[IBAN] BIC RZOOAT2L"),
]


@pytest.mark.parametrize(("value", "span", "masked"), MASKED)
def test_spaced_lower_case_and_hyphenated_ibans_are_masked_as_ibans(value: str, span: tuple[int, int], masked: str) -> None:
    assert iban_spans(value) == [span]
    assert card_spans(value) == []
    assert normalize_text(value, BOTH) == masked
    assert normalize_text(value, IBANS) == masked
    assert normalize_text(value, WARN) == value  # the default (warn) changes no value


def test_counted_as_ibans_not_cards() -> None:
    """F5: ``at 13 4469 ...`` and ``AT-13-4469-...`` were counted as payment cards; they are IBANs."""
    values = ["at 13 4469 6291 3702 8587", "AT-13-4469-6291-3702-8587", "NL 91 ABNA 0417 1643 00", "GB 82 WEST 1234 5698 7654 32", None]
    found = find_sensitive(pa.array(values), ("cards", "ibans"))
    assert {k: np.flatnonzero(v).tolist() for k, v in found.items()} == {"ibans": [0, 1, 2, 3]}
    result = normalize_column(pa.array(values), BOTH)
    assert result.values.to_pylist() == ["[IBAN]", "[IBAN]", "[IBAN]", "[IBAN]", None]
    assert {k: np.flatnonzero(v).tolist() for k, v in result.masked.items()} == {"ibans": [0, 1, 2, 3]}
    assert normalize_column(pa.array(values), WARN).values.to_pylist() == values


NOT_IBANS = [
    # F13: a fifth group of four digits after the 20 characters: a longer grouped number, neither IBAN nor card
    ("AT 70 4111 1111 1111 1111 0926", []),
    ("AT70 4111 1111 1111 1111 0926", []),
    ("AT-70-4111-1111-1111-1111-0926", []),
    ("at 70 4111 1111 1111 1111 0926 ok", []),
    # separators mixed, or groups not of four
    ("NL 91 ABNA0417 1643 00", []),
    ("NL 91-ABNA-0417-1643-00", []),
    ("DE 89 37040044 0532 0130 00", []),
    # a wrong check, a BBAN out of its country's structure (mod-97 valid: GB's bank code is 4 letters, NL's too),
    # check digits 00, 01, 99 (ISO 13616: 02-98; DE97/DE98/DE02... are valid, 00/01/99 pass mod-97 alike)
    ("GB 82 WEST 1234 5698 7654 33", []),
    ("GB58 1234 6016 1331 9268 19", []),
    ("NL47 0417 ABNA 1643 00", []),
    ("DE01 3704 0044 1000 0000 08", []),
    ("DE00 3704 0044 1000 0000 26", []),
    ("DE99 3704 0044 1000 0000 87", []),
    # prose, ids, order numbers, amounts
    ("meet at 12 noon with them", []),
    ("is 12 more than that? be 10 days late", []),
    ("Order 1234 5678 9012 3456 7890", []),
    ("Total EUR 1 234 567,89", []),
    ("EAN 4006381333931", []),
    ("at 12 1234 5678 9012 3456", []),  # mod-97 is not 1
]


@pytest.mark.parametrize(("value", "spans"), NOT_IBANS)
def test_things_that_are_not_ibans_stay(value: str, spans: list) -> None:
    assert iban_spans(value) == spans
    assert normalize_text(value, BOTH) == value


def test_check_digits_02_to_98_only() -> None:
    assert iban_valid("DE98370400441000000008") and not iban_valid("DE01370400441000000008")
    assert iban_valid("DE97370400441000000026") and not iban_valid("DE00370400441000000026")
    assert iban_valid("DE02370400441000000087") and not iban_valid("DE99370400441000000087")
    assert not iban_valid("GB58123460161331926819") and not iban_valid("NL470417ABNA164300")  # BBAN out of structure
