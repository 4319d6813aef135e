"""Payment card numbers and IBANs inside text: found on evidence (a check digit), counted, masked only when asked.

A **payment card number** (PAN, ISO/IEC 7812-1) is 13 to 19 ASCII digits, written together or grouped by
single spaces or single hyphens (one separator throughout) in a layout cards are printed in (``CARD_LAYOUTS``:
4-4-4-4, 4-6-5, 4-4-4-4-3 ...), that

* starts with the issuer prefix of a major network and has a length that network issues (``CARD_NETWORKS``:
  the IIN ranges and lengths of Wikipedia's "Payment card number" table, which cites each network's own
  published ranges: Visa, Mastercard, American Express, Discover, JCB, Diners Club, UnionPay, Maestro),
* has a valid Luhn check digit (ISO/IEC 7812-1 Annex B),
* is not part of a longer run of digits (a digit, or a separator and a digit, right before or after it) nor of
  a word (a letter right before or after it), and is not labelled as a product code (``EAN``, ``UPC``, ``GTIN``,
  ``ISBN``, ``ISSN``: ``_NOT_CARD_LABEL``).

An **IBAN** (ISO 13616-1) is a country code, two check digits and the country's BBAN, in capitals, written
together or in groups of four separated by single spaces (the paper format, ISO 13616-1 section 5.3.2), of exactly
the length the SWIFT IBAN Registry gives that country (``IBAN_LENGTHS``), whose mod-97 (ISO 7064 MOD 97-10, the
letters read as 10..35) is 1, and that no letter or digit touches.

So a 16-digit order id that fails Luhn or has no network's prefix, a tracking number (``1Z 999 AA1 01 2345 6784``),
an EAN-13, a phone number or ``GB29 NWBK 6016 1331 9268 18`` (a wrong check) is none of them.

Each finder has an RE2 pre-filter (``CARD_CANDIDATE_RE``, ``IBAN_CANDIDATE_RE``: 13 digits with at most single
separators between them; two capitals and two digits) that every value holding one matches, so Arrow's kernel
sorts out the values that cannot (most prose) and only the rest are read in Python.
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# Kinds, as text.cards / text.ibans name them (the masked kinds of ``text_masked``), with the manifest's
# ``sensitive_numbers`` names and the masks.
SENSITIVE_KINDS = ("cards", "ibans")
SENSITIVE_NAMES = {"cards": "payment_card", "ibans": "iban"}
SENSITIVE_MASKS = {"cards": "[CARD]", "ibans": "[IBAN]"}

# (first digits low, high (inclusive, as prefixes of one length), lengths) per network. Source: Wikipedia, "Payment
# card number", IIN ranges table (retrieved 2026-11), which cites the networks' published BIN ranges.
CARD_NETWORKS: dict[str, tuple[tuple[int, int, frozenset[int]], ...]] = {
    "visa": ((4, 4, frozenset({13, 16, 19})),),
    "mastercard": ((51, 55, frozenset({16})), (2221, 2720, frozenset({16}))),
    "amex": ((34, 34, frozenset({15})), (37, 37, frozenset({15}))),
    "discover": ((6011, 6011, frozenset(range(16, 20))), (644, 649, frozenset(range(16, 20))), (65, 65, frozenset(range(16, 20))),
                 (622126, 622925, frozenset(range(16, 20)))),
    "jcb": ((3528, 3589, frozenset(range(16, 20))),),
    "diners": ((36, 36, frozenset(range(14, 20))), (300, 305, frozenset(range(16, 20))), (38, 39, frozenset(range(16, 20)))),
    "unionpay": ((62, 62, frozenset(range(16, 20))),),
    "maestro": tuple((p, p, frozenset(range(13, 20))) for p in (5018, 5020, 5038, 5893, 6304, 6759, 6761, 6762, 6763)),
}  # fmt: skip
# Group lengths of a card number written with separators (as cards are embossed and printed: 16 digits 4-4-4-4,
# American Express 4-6-5, Diners 14 digits 4-6-4, 19 digits 4-4-4-4-3, and the shorter 4-4-4-n / 4-4-5).
CARD_LAYOUTS = frozenset({(4, 4, 4, 4), (4, 6, 5), (4, 6, 4), (4, 4, 4, 4, 3), (4, 4, 4, 4, 2), (4, 4, 4, 4, 1), (4, 4, 4, 3),
                          (4, 4, 4, 2), (4, 4, 4, 1), (4, 4, 5)})  # fmt: skip

# SWIFT IBAN Registry: country code -> IBAN length. Checked entry by entry against the registry as python-stdnum 2.1
# ships it (stdnum/iban.dat, "generated from iban-registry_1.txt", https://www.swift.com/node/11971): 89 countries, equal.
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27, "BR": 29, "BY": 28,
    "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18,
    "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28, "IE": 22,
    "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
    "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18,
    "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24, "SC": 31,
    "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29,
    "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}  # fmt: skip

# RE2 pre-filters (RE2 and Python alike): a value holding a card number matches the first, one holding an IBAN the second.
CARD_CANDIDATE_RE = "[0-9](?:[ -]?[0-9]){12}"
IBAN_CANDIDATE_RE = "[A-Z]{2}[0-9]{2}"
CANDIDATE_RE = {"cards": CARD_CANDIDATE_RE, "ibans": IBAN_CANDIDATE_RE}
SHORTEST = 13  # bytes of the shortest value that can hold either (13 digits; the shortest IBAN, Norway's, has 15)

_CARD = re.compile(r"(?<![0-9A-Za-z])(?<![0-9][ -])[0-9](?:[ -]?[0-9]){12,18}(?![0-9A-Za-z])(?![ -][0-9])")
_IBAN_START = re.compile(r"(?<![0-9A-Za-z])([A-Z]{2})[0-9]{2}")
_NOT_CARD_LABEL = re.compile(r"(?i)\b(?:ean|upc|gtin|isbn|issn)(?:-?1[03])?[\s:#.-]*(?:no\.?|nr\.?|number|code)?[\s:#.-]*$")


def luhn_valid(digits: str) -> bool:
    """Whether the ASCII digit string ``digits`` ends with a valid Luhn check digit (ISO/IEC 7812-1 Annex B)."""
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = ord(c) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def card_network(digits: str) -> str | None:
    """The network (``CARD_NETWORKS``) whose prefix and lengths ``digits`` has, or None."""
    for network, ranges in CARD_NETWORKS.items():
        for low, high, lengths in ranges:
            width = len(str(low))
            if len(digits) in lengths and low <= int(digits[:width]) <= high:
                return network
    return None


def is_card_number(written: str) -> bool:
    """Whether ``written`` (digits, maybe grouped by one kind of single separator) is a payment card number."""
    seps = set(re.findall("[ -]", written))
    if len(seps) > 1:
        return False
    digits = written.replace(" ", "").replace("-", "")
    if seps and tuple(len(g) for g in re.split("[ -]", written)) not in CARD_LAYOUTS:
        return False
    return 13 <= len(digits) <= 19 and card_network(digits) is not None and luhn_valid(digits)


def card_spans(value: str) -> list[tuple[int, int]]:
    """The (start, end) of each payment card number in ``value`` (module docstring)."""
    return [
        m.span() for m in _CARD.finditer(value)
        if is_card_number(m.group(0)) and not _NOT_CARD_LABEL.search(value[max(0, m.start() - 24) : m.start()])
    ]  # fmt: skip


def iban_valid(compact: str) -> bool:
    """Whether ``compact`` (capitals and digits, no spaces) is an IBAN: its country's length, mod-97 = 1 (ISO 13616-1)."""
    if IBAN_LENGTHS.get(compact[:2]) != len(compact) or not compact[2:4].isdigit():
        return False
    moved = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def iban_spans(value: str) -> list[tuple[int, int]]:
    """The (start, end) of each IBAN in ``value``, written together or in groups of four (module docstring)."""
    spans = []
    for m in _IBAN_START.finditer(value):
        length = IBAN_LENGTHS.get(m.group(1))
        if length is None:
            continue
        rest = length - 4
        groups = "(?: [A-Z0-9]{4}){%d}" % (rest // 4) + ("(?: [A-Z0-9]{%d})" % (rest % 4) if rest % 4 else "")
        for shape in ("[A-Z0-9]{%d}" % rest, groups):
            found = re.compile(shape + "(?![0-9A-Za-z])").match(value, m.end())
            if found and iban_valid((value[m.start() : m.end()] + found.group(0)).replace(" ", "")):
                spans.append((m.start(), found.end()))
                break
    return spans


SPANS = {"cards": card_spans, "ibans": iban_spans}


def mask_sensitive(value: str, kind: str, token: str) -> str:
    """``value`` with every ``kind`` (cards, ibans) replaced by ``token``."""
    for start, end in reversed(SPANS[kind](value)):
        value = value[:start] + token + value[end:]
    return value


def find_sensitive(arr: pa.Array, kinds: tuple[str, ...] | list[str]) -> dict[str, np.ndarray]:
    """Per kind of ``kinds``, a bool per value of the string array ``arr`` (False for null): it holds one.

    One RE2 pass of the kinds' pre-filters over every value; the spans are looked for in Python only in the values
    it matches."""
    out: dict[str, np.ndarray] = {}
    if not kinds or len(arr) == 0:
        return out
    # a value shorter than 13 bytes holds neither (a card number has 13 digits or more, an IBAN 15 characters or more):
    # Arrow's length kernel sorts those out first, so a column of names, cities or dates pays no regex pass
    long = pc.fill_null(pc.greater_equal(pc.binary_length(arr), SHORTEST), False)
    if not pc.any(long).as_py():
        return out
    where = np.flatnonzero(long.to_numpy(zero_copy_only=False))
    longer = pc.filter(arr, long)
    either = pc.fill_null(pc.match_substring_regex(longer, "|".join(f"(?:{CANDIDATE_RE[k]})" for k in kinds)), False)
    if not pc.any(either).as_py():
        return out
    at = where[np.flatnonzero(either.to_numpy(zero_copy_only=False))]
    values = pc.filter(longer, either).to_pylist()
    for kind in kinds:
        candidate = re.compile(CANDIDATE_RE[kind])
        found = np.zeros(len(arr), dtype=bool)
        found[at] = [bool(candidate.search(v) and SPANS[kind](v)) for v in values]
        if found.any():
            out[kind] = found
    return out
