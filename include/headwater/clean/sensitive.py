"""Payment card numbers and IBANs inside text: found on evidence (a check digit), counted, masked only when asked.

A **payment card number** (PAN, ISO/IEC 7812-1) is 13 to 19 digits, written together or grouped by one kind of
separator throughout (``CARD_SEPARATORS``: a space, a hyphen or en dash, spaced or not, a slash, a dot, an underscore) in a layout cards
are printed in (``CARD_LAYOUTS``: 4-4-4-4, 4-6-5, 4-4-4-4-3 ...), that

* starts with the issuer prefix of a major network and has a length that network issues (``CARD_NETWORKS``:
  the IIN ranges and lengths of Wikipedia's "Payment card number" table, which cites each network's own
  published ranges: Visa, Mastercard, American Express, Discover, JCB, Diners Club, UnionPay, Maestro),
* has a valid Luhn check digit (ISO/IEC 7812-1 Annex B),
* is not glued to a word (a letter right before or after it; a card word glued before it is none, ``visa4111...``,
  ``VISA4111 1111 1111 1111``: ``_glued_card_word``), does not start inside a longer number (a 4-digit group
  and the same separator right before its first 4-digit group: a run of 20 digits in fours, unless the first is a
  year, ``Paid 2026 4111 1111 1111 1111``, an expiry MMYY, ``0926 4111 ...``, or a code after a card word, ``cvv
  1234 4111 ...``; after any other group, ``12 4111 1111 1111 1111``, ``+44 4111 ...``, it starts: ``_may_start``),
  and when it starts after a group of its run, the groups do not go on after it as an account number's do (``Konto
  44 6281 5472 3801 1933 1351 2131``, an NRB: ``_goes_on``), is not a run of 20 digits or more, nor the fraction of
  a decimal number (``0.5555555555554444``; its integer part is a card, ``Visa,4111111111111111,12``,
  ``4111111111111111.50``: ``_decimal_part``), and is not labelled as a product code (``EAN``,
  ``UPC``, ``GTIN``, ``ISBN``, ``ISSN``: ``_NOT_CARD_LABEL``).

What follows a card number stays: its expiry and CVV (``4111 1111 1111 1111 12/26 123``), a year, a second card.
Where the groups go on (``5555 5555 5555 4444 0926``, ``3782 822463 10005 1234``) the longest layout that is a card
number is taken (``card_matches``). Digits of other scripts (fullwidth ``４１１１...``, Arabic-Indic) are read as
the digits they are (Unicode category Nd, ``unicodedata.decimal``) and masked as written. A card-like number glued to
a document code by a hyphen (``SO-4000000000000002``, ``INV-...``: ``ID_CODES``, in capitals), with no card word in
the 24 characters before the code (``card: SO-4111...`` is a card; a card word is a whole word, ``_CARD_TERM``:
``Discredited``, ``Amexco``, ``credit note`` are none), is reported as an id (``card_id_spans``), not
masked; any other code (``Karte-``, ``CCN-``, ``No-``, ``Order-``) is no id's.

An **IBAN** (ISO 13616-1) is a country code, two check digits (02-98) and the country's BBAN, in capitals or small
letters, written together or in groups of four separated by single spaces (the paper format, ISO 13616-1 section
5.3.2) or single hyphens, the country code apart from the check digits or not (``DE89 3704 ...``, ``NL 91 ABNA 0417
1643 00``, ``at-13-4469-...``), of exactly the length and the BBAN structure (digits, letters, either, where) the
SWIFT IBAN Registry gives that country (``IBAN_BBANS``, ``IBAN_LENGTHS``), whose mod-97 (ISO 7064 MOD 97-10, the
letters read as 10..35) is 1, that no letter or digit touches and whose last group of four no further group of four
digits follows (``AT 70 4111 1111 1111 1111 0926`` is a longer number: ``iban_spans``). A card's layout inside an
IBAN (an Austrian BBAN's 16 digits in fours) is both: the IBAN's where IBANs are masked too (or only counted) and no
card word names it, a card's where a card word names it (``card: AT 70 4111 1111 1111 1111``) or cards are masked and
IBANs are not, so that masking cards never leaves one in an IBAN kept as written (``card_matches``' ``iban_wins``).

So a 16-digit order id that fails Luhn or has no network's prefix, a tracking number (``1Z 999 AA1 01 2345 6784``),
an EAN-13, a phone number or ``GB29 NWBK 6016 1331 9268 18`` (a wrong check) is none of them.

Each finder has an RE2 pre-filter (``CARD_CANDIDATE_RE``, ``IBAN_CANDIDATE_RE``: 13 digits with at most a
separator between them; two letters and two digits, maybe apart) that every value holding one matches, so Arrow's kernel
sorts out the values that cannot (most prose) and only the rest are read in Python.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# Kinds, as text.cards / text.ibans name them (the masked kinds of ``text_masked``), with the manifest's
# ``sensitive_numbers`` names and the masks.
SENSITIVE_KINDS = ("cards", "ibans")
SENSITIVE_NAMES = {"cards": "payment_card", "ibans": "iban", "card_ids": "card_like_id"}
# A card-like number written as an id (``card_id_spans``, ``id_column``): counted under this kind, never masked.
CARD_IDS = "card_ids"
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

# SWIFT IBAN Registry (iban-registry_1.txt, https://www.swift.com/node/11971): country code -> the structure of its
# BBAN, in the registry's notation: ``n`` digits, ``a`` capital letters, ``c`` letters or digits, ``4!`` that
# many exactly (``4!a10!n``: a Dutch BBAN is four letters, the bank, and ten digits). Checked entry by entry against the
# registry as python-stdnum ships it (stdnum/iban.dat, "generated from iban-registry_1.txt"): 89 countries, equal.
IBAN_BBANS = {
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
_BBAN_PART = re.compile(r"(\d+)!([nac])")
# country code -> IBAN length (the country code, the two check digits and the BBAN)
IBAN_LENGTHS = {c: 4 + sum(int(n) for n, _ in _BBAN_PART.findall(f)) for c, f in IBAN_BBANS.items()}
_BBAN_CLASS = {"n": "[0-9]", "a": "[A-Za-z]", "c": "[0-9A-Za-z]"}  # small letters too: an IBAN may be written in them
# country code -> the BBAN's shape, one compiled pattern (``iban_valid``)
_BBAN_RE = {c: re.compile("".join("%s{%s}" % (_BBAN_CLASS[k], n) for n, k in _BBAN_PART.findall(f))) for c, f in IBAN_BBANS.items()}

# RE2 pre-filters (headwater.clean.text and ``find_sensitive`` run them with Arrow's RE2 kernel): a value holding a card
# number matches the first (13 digits of any script with at most a grouping separator, ``CARD_SEPARATORS``, between
# them), one holding an IBAN the second (either case).
CARD_CANDIDATE_RE = r"\p{Nd}(?:(?: [-\x{2013}] |[ ._/\x{2013}-])?\p{Nd}){12}"
# an IBAN's start (two letters, two digits) that no letter or digit precedes, and 11 more letters or digits (Norway's
# 15 in all), with spaces or hyphens between: so ``john42@example.com`` goes no further; or a country code, a space or
# hyphen, the check digits, two groups of exactly four letters or digits and the start of a third, after single spaces
# or hyphens (``AT 61 1904 3002 3457 3201``, ``NL 91 ABNA 0417 1643 00``, ``AT-13-4469-...``; the shortest BBAN,
# Norway's, has 11 characters: 4, 4 and 3), in either case: so ``at 10 this morning`` goes no further
IBAN_CANDIDATE_RE = ("(?:^|[^0-9A-Za-z])[A-Za-z]{2}[0-9]{2}(?:[ -]?[0-9A-Za-z]){11}"
                     "|(?:^|[^0-9A-Za-z])[A-Za-z]{2}[ -][0-9]{2}(?:[ -][0-9A-Za-z]{4}){2}[ -][0-9A-Za-z]")
CANDIDATE_RE = {"cards": CARD_CANDIDATE_RE, "ibans": IBAN_CANDIDATE_RE, "card_ids": CARD_CANDIDATE_RE, "cards_and_ids": CARD_CANDIDATE_RE}
SHORTEST = 13  # bytes of the shortest value that can hold either (13 digits; the shortest IBAN, Norway's, has 15)

# How the groups of a card number are separated when it is written grouped: one of these, the same throughout (a space,
# a hyphen or an en dash, spaced or not, a slash, a dot, an underscore: 4111 1111 1111 1111, 4111-1111-...,
# 4111 - 1111 - ..., 4111–1111–... (breaker12 C3: word processors turn a hyphen into an en dash), 4111/1111/...,
# 4111.1111...). A slash joins a date's or an expiry's groups too (12/26), whose groups no card layout holds.
CARD_SEPARATORS = (" - ", " \u2013 ", " ", "-", "\u2013", "/", ".", "_")
# A run of digit groups: the groups of a card number and what is written next to it (its expiry, CVV, a date before it);
# ``:`` and ``,`` join groups of a run (12:30, 4,111,111) but never group a card number.
_RUN = re.compile(r"[0-9]+(?:(?: [-\u2013] |[ ._/:,\u2013-])[0-9]+)*")
_RUN_PARTS = re.compile(r"( [-\u2013] |[ ._/:,\u2013-])")
# A decimal digit of another script (Unicode category Nd: fullwidth ４, Arabic-Indic ٤, Devanagari ४...): read as its
# ASCII digit, one character for one, so a span found in the translation is the span of the value as written.
_OTHER_DIGIT = re.compile(r"(?![0-9])\d")
# an IBAN's start: its country code (group 1) and check digits (group 3), together (``AT61``, ``at61``) or with the
# separator of the BBAN's groups between them (group 2: ``AT 13 4469 ...``, ``nl 91 abna ...``, ``AT-13-4469-...``, a
# variant of the paper format), that no letter or digit precedes (``iban_spans``)
_IBAN_START = re.compile(r"(?<![0-9A-Za-z])([A-Za-z]{2})([ -]?)([0-9]{2})")
_NOT_CARD_LABEL = re.compile(r"(?i)\b(?:ean|upc|gtin|isbn|issn)(?:-?1[03])?[\s:#.-]*(?:no\.?|nr\.?|number|code)?[\s:#.-]*$")
# An id's code glued to a number by a hyphen (``SO-4000000000000002``, ``INV-...``, ``PO-...``): one of a closed list
# of document codes (``ID_CODES``), in capitals as the systems that print them write them, and no card word
# (``CARD_WORDS``, ``CARD_TERMS``) in the ``CARD_WORD_WINDOW`` characters before it (``card: SO-4111...`` is a card).
_ID_PREFIX = re.compile(r"(?<![0-9A-Za-z])([A-Z]{2,4})-$")
# The document-type codes ERP, shop and ticketing systems prefix to their own sequence numbers: sales order, purchase
# order, invoice, order, reference, return merchandise authorisation, ticket, case, service request, work order (the
# prefixes of Odoo's, NetSuite's and Dynamics' default document sequences and of the usual ticket numbers). A spelled
# word (``Order-``, ``Karte-``), a number's label (``No-``, ``Nr-``, ``ID-``) or any other code is none: a number glued
# to it is masked as a card (a masked id stays joinable by its digest; an unmasked card number is a leak).
ID_CODES = frozenset({"SO", "PO", "INV", "ORD", "REF", "RMA", "TKT", "CASE", "SR", "WO"})
# Words that say a card or a payment by card (English, German, French, Spanish, Portuguese, Italian, Scandinavian),
# matched as whole words (no letter right before or after: ``_CARD_TERM``) in any case, with their plurals and
# possessives: ``CARD_WORDS`` (abbreviations), a card's name and its compounds (``card``, ``cards``, ``card's``,
# ``creditcard``, ``cardholder``; ``Karte``, ``Kreditkarte``, ``EC-Karte``, ``Kartennummer``; ``carte``, ``carte
# bancaire``, ``carte de crédit``; ``tarjeta``, ``cartão``, ``carta di credito``; ``kreditkort``), a network's name
# (``Visa``, ``Amex``, ``Mastercard``, ``Maestro``, ``JCB``, ``UnionPay``), ``credit``, ``debit``, ``kredit`` and the
# words of a payment (``payment``, ``Zahlung``, ``Kartenzahlung``, ``Zahlungsart``). A word that only holds one is
# none (``Discredited``, ``creditor``, ``Kreditor``, ``visage``, ``Amexco``, ``cardinal``, ``Cardiff``, ``discard``,
# ``Mastercardiology``, ``Kartell``, ``Landkarte``): pan16, a break test's ids masked after them.
CARD_WORDS = frozenset({"cc", "ccn", "pan", "kk", "pay", "mc", "acct", "cb", "ec", "cvv", "cvc"})
CARD_TERMS = (
    r"(?:credit|debit|bank|pay|charge|master|visa|prepaid)?[ -]?cards?(?:holders?|members?|numbers?|num|no|nr)?",
    r"(?:kredit|debit|ec|giro|bank|geld|zahlungs|visa|master|maestro|prepaid)?-?karten?"
    r"(?:nummer|nr|inhaber(?:in)?|zahlung(?:en)?|daten|pr[üu]e?fnummer)?",
    r"cart[ae]s?(?:\s+(?:bancaires?|bleues?|(?:de|di)\s+(?:cr[ée]dit[oa]?|d[ée]bit[oa]?|paiement)))?",
    r"tarjetas?(?:\s+de\s+(?:cr[ée]dito|d[ée]bito))?",
    r"cart(?:ão|ao|ões|oes)(?:\s+de\s+(?:cr[ée]dito|d[ée]bito))?",
    r"(?:kredit|debit|bank|betal)?kort(?:et|s)?",
    r"visa|amex|maestro|jcb|unionpay|credit|debit|kredit",
    r"(?:pre)?payments?|[^\W\d_]*zahlung(?:en|s[^\W\d_]*)?",
)  # fmt: skip
# Terms with a card word in them that name no card (``_card_words``): an invoice's credit or debit note or memo
# (``Credit note INV-4539...``), a bank transfer or direct debit, a shop's or the tax office's credit, a credit union.
NOT_CARD_TERMS = (
    r"credit[\s-]*(?:notes?|memos?|memorandum|transfers?|unions?|vouchers?)",
    r"debit[\s-]*(?:notes?|memos?|memorandum)",
    r"(?:direct|sepa)[\s-]+debits?",
    r"(?:store|shop|tax|in-store)[\s-]+credits?",
)
_NOT_CARD_TERM = re.compile(r"(?i)(?<![^\W\d_])(?:%s)(?![^\W\d_])" % "|".join(NOT_CARD_TERMS))
CARD_WORD_WINDOW = 24
# The card's security code or PIN, written before the card number (``cvv 1234 4111 1111 1111 1111``: an Amex CID has
# four digits): with the card words, the words that let a card start after the run's first 4-digit group
# (``_may_start``).
CARD_CODE_WORDS = frozenset({"cvv", "cvc", "cid", "csc", "pin"})
_TERMS = "|".join([*sorted(CARD_WORDS), *CARD_TERMS])
# a card word (``CARD_WORDS``, ``CARD_TERMS``) with its possessive (``card's``, ``cards'``): no letter right before or after
_CARD_TERM = re.compile(r"(?i)(?<![^\W\d_])(?:%s)(?:['\u2019]s?)?(?![^\W\d_])" % _TERMS)
# the same or a card code's word (``CARD_CODE_WORDS``) ending a text, then nothing but spaces and ``:#.=-``
_CARD_TERM_LAST = re.compile(
    r"(?i)(?<![^\W\d_])(?:%s|%s)(?:['\u2019]s?)?(?![^\W\d_])[ :#.=\t-]*$" % (_TERMS, "|".join(sorted(CARD_CODE_WORDS))))
_LETTER = re.compile(r"[^\W\d_]")
# the ASCII letters glued right before a run of digits (a ``_`` between allowed), that no other letter precedes
_GLUED_WORD = re.compile(r"(?<![A-Za-z])([A-Za-z]+)_?$")
# a card word that names a card (``CARD_WORDS`` but ``pay``, ``CARD_TERMS`` but the payment words: an IBAN is paid to
# as well) ending a text, then nothing but spaces and ``:#.=-`` (``_card_names``)
_CARD_NAME_LAST = re.compile(r"(?i)(?<![^\W\d_])(?:%s)(?:['\u2019]s?)?(?![^\W\d_])[ :#.=\t-]*$"
                             % "|".join([*sorted(CARD_WORDS - {"pay"}), *CARD_TERMS[:-1]]))


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
    """Whether ``written`` (digits, maybe grouped by one kind of separator of ``CARD_SEPARATORS`` in a layout of
    ``CARD_LAYOUTS``) is a payment card number: a network's prefix and length (``card_network``), Luhn valid."""
    parts = _RUN_PARTS.split(written)
    groups, seps = parts[::2], set(parts[1::2])
    if len(seps) > 1 or not seps <= set(CARD_SEPARATORS) or not all(g.isdigit() and g.isascii() for g in groups):
        return False
    if seps and tuple(len(g) for g in groups) not in CARD_LAYOUTS:
        return False
    digits = "".join(groups)
    return 13 <= len(digits) <= 19 and card_network(digits) is not None and luhn_valid(digits)


def _ascii_digits(value: str) -> str:
    """``value`` with every decimal digit of another script as its ASCII digit (``_OTHER_DIGIT``), length kept."""
    return value if value.isascii() else _OTHER_DIGIT.sub(lambda m: str(unicodedata.decimal(m.group())), value)


def _decimal_part(groups: list[str], seps: list[str], at: int) -> bool:
    """Whether the single group ``groups[at]`` (13-19 digits) is the fraction of a decimal number, not a card number:
    a group of fewer than 13 digits and a decimal mark, ``.``/``,``, right before it (``0.5555555555554444``); not when
    that group ends a date or time (``12/26,4111111111111111``, ``2026-11-20,4111...``). Its integer part never is
    (breaker12 C1): a 13-19 digit integer part is 10^12 or more of a currency, an amount no one writes, while a card
    number and a field after a comma (``Visa,4111111111111111,12``, ``4111111111111111.99``) is what a CSV line or
    a note holds; the CVV or expiry after it (``4111111111111111,123``, ``,12/26``) stays as written."""
    if at and seps[at - 1] in ".," and len(groups[at - 1]) < 13:
        return at < 2 or seps[at - 2] not in ("/", ":", "-", " - ", "\u2013", " \u2013 ")  # not after a date or time
    return False


def _year(group: str) -> bool:
    """Whether the digit group ``group`` is a year of four digits, 1900-2099 (``Paid 2026 4111 1111 1111 1111``)."""
    return len(group) == 4 and group[:2] in ("19", "20")


def _expiry(group: str) -> bool:
    """Whether the digit group ``group`` is an expiry date written MMYY, month 01-12 (``0926 4111 1111 1111 1111``)."""
    return len(group) == 4 and 1 <= int(group[:2]) <= 12


def _card_words(text: str, at: int) -> str:
    """The ``CARD_WORD_WINDOW`` characters before ``text[at]``, from the start of the word the window's start cuts
    (``Mastercardiology`` is read whole, not as ``cardiology``), with the terms that name no card (``NOT_CARD_TERMS``:
    ``credit note``, ``direct debit``, ``store credit``) blanked: what ``_CARD_TERM`` is looked for in."""
    lo = max(0, at - CARD_WORD_WINDOW)
    while lo and _LETTER.match(text, lo - 1):
        lo -= 1
    return _NOT_CARD_TERM.sub(lambda m: " " * len(m.group()), text[lo:at])


def _card_word_before(text: str, start: int) -> bool:
    """Whether the last word before ``text[start]`` (within ``CARD_WORD_WINDOW`` characters, nothing but spaces and
    ``:#.=-`` between) is a card word (``_CARD_TERM``: ``CARD_WORDS``, ``CARD_TERMS``, whole words, not in a
    ``NOT_CARD_TERMS``) or a card code's (``CARD_CODE_WORDS``)."""
    return _CARD_TERM_LAST.search(_card_words(text, start)) is not None


def _glued_card_word(text: str, start: int) -> bool:
    """Whether the letters glued right before ``text[start]`` (a ``_`` between allowed) are one whole card word
    (``_CARD_TERM``: ``visa4111...``, ``VISA4111 1111 ...``, ``Kreditkarte4111...``, ``cc_4111...``; not ``x4111``,
    ``ABC4111``, ``Japan4111``, nor a card word inside a longer word, ``Cardiff4111``)."""
    word = _GLUED_WORD.search(text, max(0, start - CARD_WORD_WINDOW), start)
    return word is not None and _CARD_TERM.fullmatch(word.group(1)) is not None


def _card_names(text: str, at: int) -> bool:
    """Whether the last word before ``text[at]`` (within ``CARD_WORD_WINDOW`` characters, nothing but spaces and
    ``:#.=-`` between) names a card (``_CARD_NAME_LAST``: a card word, not a payment's nor a card code's), so that the
    IBAN starting at ``at`` is read as a card where one lies in it (``card_matches``: ``card: AT 70 4111 1111 1111
    1111``; ``Payment: AT70 ...``, ``IBAN AT70 ...`` stay IBANs)."""
    return _CARD_NAME_LAST.search(_card_words(text, at)) is not None


def _may_start(groups: list[str], seps: list[str], i: int, starts: list[bool], card_word: bool = False) -> bool:
    """Whether a card number may start at ``groups[i]`` of a run (``card_matches``; ``starts``: the answer for the
    groups before it): at the run's start, where its separator changes (``2026-11-20 4111 1111 1111 1111``), at a
    single group of 13-19 digits (the only layout it can be part of is itself: ``12345 4111111111111111 6``), at a
    4-digit group after a group that no card layout holds right before a 4-digit group (a layout starts with 4
    digits and has 4 or 6 before a 4-digit group: so after 1-3, 5 or 7 or more digits, ``Room 12 4111 1111 1111
    1111``, ``+44 4111 ...``, ``cvv 123 4111 ...``, or after 6 not preceded by 4, ``Ref 123456 4111 ...``), or after
    a year that itself may start a card (``Paid 2026 4111 ...``), or after the run's first 4-digit group when it is an
    expiry MMYY (``0926 4111 1111 1111 1111``) or a card word (``card_word``: ``_card_word_before``) is written right
    before the run (``cvv 1234 4111 ...``, ``PIN 0000 4111 ...``: breaker12 C3). A 4-digit group after another
    4-digit group that is none of these starts none: a run of 20 digits in fours (an ICCID, ``8944 1100 0000 0000
    0002``) holds no card. A card that starts after a group of its run must also end the run (``card_matches``)."""
    if i == 0 or (i >= 2 and seps[i - 2] != seps[i - 1]) or 13 <= len(groups[i]) <= 19:
        return True
    if len(groups[i]) != 4:
        return False
    before = len(groups[i - 1])
    if before == 6:  # the middle of a 4-6-4 layout only after a 4-digit group with the same separator
        return i < 2 or len(groups[i - 2]) != 4 or seps[i - 2] != seps[i - 1]
    if i == 1 and before == 4 and (card_word or _expiry(groups[0])):
        return True
    return before != 4 or _year(groups[i - 1]) and starts[i - 1]


def _goes_on(groups: list[str], seps: list[str], i: int, j: int) -> bool:
    """Whether the groups of a run go on after a card number's ``groups[i:j]`` as a longer grouped number's do: a
    4-digit group with the card's separator (a Polish account number, NRB, 2 digits and six groups of four, ``44 6281
    5472 3801 1933 1351 2131``; an IBAN's body, ``76 3000 6000 0112 3456 7890 189``), or a last group of 1-2 digits
    with it (the body of a 22-character IBAN, ``89 3704 0044 0532 0130 00``, or a 21-character one). A card's CVV
    (``12 4111 1111 1111 1111 123``) or expiry (``... 1111 12/26``) after it is no such group."""
    if j >= len(groups) or seps[j - 1] != seps[i]:
        return False
    return len(groups[j]) == 4 or len(groups[j]) <= 2 and (j + 1 == len(groups) or seps[j] != seps[i] and seps[j] not in "/:,")


def _card_at(groups: list[str], seps: list[str], j: int) -> bool:
    """Whether the groups from ``groups[j]`` on, with ``seps[j]`` between them, start with a card number in a layout
    (``is_card_number``): a second card after the first (``Room 12 4111 1111 1111 1111 5555 5555 5555 4444``)."""
    for k in range(2, min(5, len(groups) - j) + 1):
        if any(sep != seps[j] for sep in seps[j : j + k - 1]):
            return False
        if is_card_number("".join(g + (seps[j + n] if n < k - 1 else "") for n, g in enumerate(groups[j : j + k]))):
            return True
    return False


def _id_code(text: str, lo: int) -> bool:
    """Whether the card-like number starting at ``text[lo]`` is glued to an id's code (``_ID_PREFIX``, ``ID_CODES``)
    with no card word (``_CARD_TERM``: whole words, not in a ``NOT_CARD_TERMS``, ``Credit note INV-...``) in the
    ``CARD_WORD_WINDOW`` characters before the code (``_card_words``)."""
    glued = _ID_PREFIX.search(text[max(0, lo - 5) : lo])
    if not glued or glued.group(1) not in ID_CODES:
        return False
    return _CARD_TERM.search(_card_words(text, lo - len(glued.group(0)))) is None


def card_matches(value: str, iban_wins: bool = True) -> list[tuple[int, int, bool]]:
    """The (start, end, id_like) of each payment card number in ``value`` (module docstring); ``id_like``: written as
    an id (a document code and a hyphen glued to it, ``SO-4000000000000002``, no card word before it: ``_id_code``),
    reported but not masked.

    Read per run of digit groups (``_RUN``): a card starts where ``_may_start`` allows (the run's start, right after
    a card found in it, where the run's separator changes, at a 13-19 digit group, at a 4-digit group after one that
    no layout holds before it); from there the longest layout of the groups (``CARD_LAYOUTS``, one separator of
    ``CARD_SEPARATORS``) or a single group of 13-19 digits that is a card number (``is_card_number``) is taken, and
    what follows stays (its expiry ``12/26``, CVV ``123``, ``2026``). A card that starts after a group of its run (not
    at the run's start nor right after a card) must end the run's groups of four: when another 4-digit group with its
    separator follows, it is part of a longer grouped number (a Polish account number, NRB, ``44 6281 5472 3801 1933
    1351 2131``; an IBAN's body), not a card (breaker12 C2). A group of 20 digits or more holds none; nor does a
    decimal number's fraction (``_decimal_part``). A run glued to a word (a letter or ``_`` right before it) starts
    no card at its first group (``x4111111111111111``, ``ABC4111 1111 ...``) unless that word is a card word
    (``_glued_card_word``: ``visa4111111111111111``, ``VISA4111 1111 1111 1111``, ``card_4111...``; breaker13 F6); a
    later group may start one (``AT70 4111 1111 1111 1111``, a card after an IBAN's check digits). A card glued to a
    word after it (``4111111111111111x``) is none, unless a card word glued before it names it: then a letter right
    after its last digit ends it (``visa4111111111111111exp0926``, ``visa4111111111111111visa5500000000000004``:
    breaker14 G1); a digit never does (``visa41111111111111112`` is 17 digits, no card).

    A card number's layout inside an IBAN (``iban_spans``: ``AT 13 4469 6291 3702 8587``, 16 digits in fours after a
    2-digit group) is both; ``iban_wins`` (True where IBANs are masked too, or only counted) reads it as the IBAN's,
    no card, unless a card word names the IBAN (``_card_names``: ``card: AT 70 4111 1111 1111 1111``); False (cards
    masked, IBANs not: breaker13 F1) reads it as a card, so what is masked never depends on a 1-in-97 chance."""
    text = _ascii_digits(value)
    found: list[tuple[int, int, bool]] = []
    for run in _RUN.finditer(text):
        start = run.start()
        glued = bool(start) and (text[start - 1].isascii() and text[start - 1].isalpha() or text[start - 1] == "_")
        word_glued = glued and _glued_card_word(text, start)
        if word_glued:
            glued = False  # visa4111..., card_4111...: a card word says what follows
        if start and text[start - 1] in ".," and not (start > 1 and text[start - 2].isalpha()):
            continue  # .4111... a fraction (but No.4111... a label)
        parts = _RUN_PARTS.split(run.group(0))
        groups, seps = parts[::2], parts[1::2]
        offsets = [start]
        for g, sep in zip(groups, seps):
            offsets.append(offsets[-1] + len(g) + len(sep))
        # a card word right before the run counts only where a card may start after a first 4-digit group (``_may_start``)
        card_word = len(groups) > 1 and len(groups[0]) == len(groups[1]) == 4 and not _expiry(groups[0]) and _card_word_before(text, start)
        i, after_card = 0, False
        starts = [False] * len(groups)
        while i < len(groups):
            mid_run = bool(i) and not after_card
            if glued and i == 0:  # glued to a word (x4111..., AT70 4111 ...): the next group may start one
                i += 1
                continue
            starts[i] = after_card or _may_start(groups, seps, i, starts, card_word)
            after_card = False
            best = 0
            if starts[i]:
                for k in range(1, len(groups) - i + 1):
                    if k > 1 and (seps[i + k - 2] not in CARD_SEPARATORS or seps[i + k - 2] != seps[i]):
                        break
                    if sum(len(g) for g in groups[i : i + k]) > 19:
                        break
                    if k == 1 and (len(groups[i]) < 13 or _decimal_part(groups, seps, i)):
                        continue
                    if k > 1 and mid_run and len(groups[i + k - 1]) <= 2:
                        continue  # after another group, 4-4-4-4-2 is an IBAN's body's end (89 3704 0044 0532 0130 00)
                    if is_card_number(text[offsets[i] : offsets[i + k - 1] + len(groups[i + k - 1])]):
                        best = k
            if best > 1 and mid_run and _goes_on(groups, seps, i, i + best) and not _card_at(groups, seps, i + best):
                best = 0  # it starts after a group and the groups go on: a longer grouped number (NRB, an IBAN's body)
            if not best:
                i += 1
                continue
            lo, hi = offsets[i], offsets[i + best - 1] + len(groups[i + best - 1])
            i += best
            after_card = True
            if hi == run.end() and hi < len(text) and text[hi].isascii() and text[hi].isalpha() and not (word_glued and lo == start):
                continue  # glued to a word: 4111111111111111x; but visa4111111111111111exp0926 (a card word before it)
            if _NOT_CARD_LABEL.search(text[max(0, lo - 24) : lo]):
                continue
            found.append((lo, hi, lo == start and best == 1 and _id_code(text, lo)))
    if iban_wins and found and _IBAN_START.search(value):  # a card's layout inside an IBAN is the IBAN's: AT 13 4469 ...
        ibans = [(a, b) for a, b in iban_spans(value) if not _card_names(text, a)]
        found = [f for f in found if not any(a <= f[0] and f[1] <= b for a, b in ibans)]
    return found


def cards_in_ibans(value: str, iban_wins: bool = True) -> list[tuple[int, int]]:
    """The (start, end) of each card number of ``card_matches(value, iban_wins)`` that lies inside an IBAN
    (``iban_spans``): a number that is both, read as a card (a card word names it, or ``iban_wins`` is False)."""
    if not _IBAN_START.search(value):
        return []
    cards = card_matches(value, iban_wins)
    ibans = iban_spans(value) if cards else []
    return [(lo, hi) for lo, hi, _ in cards if any(a <= lo and hi <= b for a, b in ibans)]


def card_spans(value: str) -> list[tuple[int, int]]:
    """The (start, end) of each payment card number in ``value`` to mask (``card_matches``, not written as an id)."""
    return [(lo, hi) for lo, hi, id_like in card_matches(value) if not id_like]


def card_id_spans(value: str) -> list[tuple[int, int]]:
    """The (start, end) of each card-like number in ``value`` written as an id (``SO-4000000000000002``: ``card_matches``),
    reported, never masked."""
    return [(lo, hi) for lo, hi, id_like in card_matches(value) if id_like]


def iban_valid(compact: str) -> bool:
    """Whether ``compact`` (letters and digits, no spaces; either case) is an IBAN (ISO 13616-1): a country of the
    SWIFT IBAN Registry with its length (``IBAN_LENGTHS``) and a BBAN of its structure (``IBAN_BBANS``), check digits
    02-98 and a mod-97 (ISO 7064 MOD 97-10, the letters read as 10..35) of 1."""
    compact = compact.upper()
    country, check = compact[:2], compact[2:4]
    if IBAN_LENGTHS.get(country) != len(compact) or not (check.isdigit() and "02" <= check <= "98"):
        return False
    if not _BBAN_RE[country].fullmatch(compact, 4):
        return False
    moved = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


@functools.lru_cache(maxsize=None)
def _iban_body(rest: int, sep: str | None) -> re.Pattern[str]:
    """The pattern of an IBAN's ``rest`` characters after its check digits (``iban_spans``): together (``sep`` None)
    or in groups of four with ``sep`` before each, the last group shorter when ``rest`` is no multiple of four; no
    letter or digit right after it, and, when its last group has four, not ``sep`` and another group of four digits
    (``AT 70 4111 1111 1111 1111 0926`` is a longer grouped number, no IBAN: breaker13 F13)."""
    if sep is None:
        return re.compile("[0-9A-Za-z]{%d}(?![0-9A-Za-z])" % rest)
    s = re.escape(sep)
    body = "(?:%s[0-9A-Za-z]{4}){%d}" % (s, rest // 4) + ("%s[0-9A-Za-z]{%d}" % (s, rest % 4) if rest % 4 else "")
    return re.compile(body + "(?![0-9A-Za-z])" + ("" if rest % 4 else "(?!%s[0-9]{4}(?![0-9A-Za-z]))" % s))


def iban_spans(value: str) -> list[tuple[int, int]]:
    """The (start, end) of each IBAN in ``value`` (``iban_valid``), in capitals or small letters, written together
    (``DE89370400440532013000``), in groups of four after the check digits (the paper format, ISO 13616-1 section
    5.3.2: ``DE89 3704 0044 0532 0130 00``), or with the country code apart too (``DE 89 3704 0044 0532 0130 00``,
    ``NL 91 ABNA 0417 1643 00``), the groups separated by single spaces or by single hyphens, one kind throughout
    (``AT-13-4469-6291-3702-8587``); no letter or digit right before or after it, and no further group of four digits
    after its last group of four (``_iban_body``)."""
    spans: list[tuple[int, int]] = []
    for m in _IBAN_START.finditer(value):
        country, sep, check = m.groups()
        length = IBAN_LENGTHS.get(country.upper())
        if length is None or spans and m.start() < spans[-1][1]:
            continue
        for body_sep in (sep,) if sep else (None, " ", "-"):
            found = _iban_body(length - 4, body_sep).match(value, m.end())
            if found and iban_valid(country + check + found.group(0).replace(body_sep or " ", "")):
                spans.append((m.start(), found.end()))
                break
    return spans


# A column whose name says id (its last word: ``order_no``, ``invoice_id``, ``ref``) and names no card or account; a
# credit or debit note's or memo's, a credit transfer's name names none (``credit_note_id``: ``NOT_CARD_TERMS``).
ID_NAME_RE = re.compile(r"(?:^|_)(?:id|no|nr|num|number|ref|reference|key)$")
CARD_NAME_RE = re.compile(r"(?:^|_)(?:cards?|pan|cc|credit(?!_(?:notes?|memos?|transfers?)(?:_|$))|debit(?!_(?:notes?|memos?)(?:_|$))"
                          r"|payment|account|acct|iban|bank|billing)(?:_|$)")
# A whole value that is one id: digits only (13-19), an id's letter code and a hyphen before them allowed (``SO-...``).
ID_VALUE_RE = "^(?:[A-Za-z]{1,6}-)?[0-9]{13,19}$"
ID_SPREAD_DIGITS = 10  # sequential ids lie within 10**(len - 10) of one another (a million for 16 digits)


def id_column(name: str, arr: pa.Array) -> bool:
    """Whether the column ``name`` of string values ``arr`` holds ids, not card numbers: its name says id and no card
    (``ID_NAME_RE``, ``CARD_NAME_RE``), every filled value is one number of 13-19 digits (``ID_VALUE_RE``), all of one
    length, and the distinct numbers, two or more, are sequential: they lie within ``10 ** (length - 10)`` of one
    another (``4000000000000002``, ``4000000000000010``: 8 apart). Card numbers, even of one issuer (an 8-digit IIN,
    ISO/IEC 7812-1:2017), spread over the 10**7 or more of the digits after it: two from one issuer lie that close by
    chance 1 time in 50 or less, and every further one divides that by 50 again."""
    if not ID_NAME_RE.search(name) or CARD_NAME_RE.search(name):
        return False
    filled = pc.drop_null(arr)
    if not len(filled) or not pc.all(pc.match_substring_regex(filled, ID_VALUE_RE)).as_py():
        return False
    numbers = {v.rsplit("-", 1)[-1] for v in pc.unique(filled).to_pylist()}
    if len(numbers) < 2 or len({len(n) for n in numbers}) != 1:
        return False
    ints = [int(n) for n in numbers]
    return max(ints) - min(ints) < 10 ** (len(next(iter(numbers))) - ID_SPREAD_DIGITS)


SPANS = {"cards": card_spans, "ibans": iban_spans, "card_ids": card_id_spans, "cards_and_ids": lambda v: [m[:2] for m in card_matches(v)]}


def mask_sensitive(value: str, kind: str, token: str, ids: bool = False, iban_wins: bool = True) -> str:
    """``value`` with every ``kind`` (cards, ibans) replaced by ``token``; ``ids``: the card-like numbers written as ids
    too (``card_id_spans``; text.card_ids: mask); ``iban_wins``: a card number's layout inside an IBAN is the IBAN's
    (``card_matches``: pass False where cards are masked and IBANs are not)."""
    if kind == "cards":
        spans = [(lo, hi) for lo, hi, id_like in card_matches(value, iban_wins) if ids or not id_like]
    else:
        spans = SPANS[kind](value)
    for start, end in reversed(spans):
        value = value[:start] + token + value[end:]
    return value


def find_sensitive(arr: pa.Array, kinds: tuple[str, ...] | list[str]) -> dict[str, np.ndarray]:
    """Per kind of ``kinds``, a bool per value of the string array ``arr`` (False for null): it holds one.

    One RE2 pass of the kinds' pre-filters over every value, then each kind's over the values it matched; the spans are
    looked for in Python only in the values a kind's pre-filter matches."""
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
    matched = pc.filter(longer, either)
    values = matched.to_pylist()
    for kind in kinds:
        # the kind's own pre-filter over the values either matched (RE2 again: Python's ``re`` costs more per value)
        mine = np.flatnonzero(pc.fill_null(pc.match_substring_regex(matched, CANDIDATE_RE[kind]), False).to_numpy(zero_copy_only=False))
        found = np.zeros(len(arr), dtype=bool)
        found[at[mine]] = [bool(SPANS[kind](values[i])) for i in mine.tolist()]
        if found.any():
            out[kind] = found
    return out
