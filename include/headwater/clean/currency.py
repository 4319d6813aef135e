"""Currencies: the currency a number is written in, and whether it contradicts a column's declared unit.

A column declared with a currency unit (``schema.columns.<c>.unit: USD``) holds amounts in that
currency. A value written in another one (``€12.50``, ``12.50 GBP``, ``US$5`` under ``CAD``) is
not an amount in the column's unit: it must never be stored as one (headwater.clean.steps.coerce_types
stores it as missing and keeps its text with reason ``currency_differs_from_unit``).

A symbol may name several currencies (``$``: the US, Canadian, Australian... dollar; ``¥``: the yen
and the yuan): a mark matches a unit when one of the currencies it may name is the unit's
(``$12.50`` under ``CAD`` is fine; ``US$12.50`` under ``CAD`` is not). The table below is small on
purpose; a mark it does not know is no currency here (the value then fails its number type, text
kept, as before).

Sources: ISO 4217 (the three-letter codes, https://www.iso.org/iso-4217-currency-codes.html) and the
Unicode CLDR currency symbols and narrow symbols (common/main/*.xml ``<currency type="...">
<symbol alt="narrow">``; e.g. ``$`` is the narrow symbol of USD, CAD, AUD, NZD, MXN, HKD, SGD, TWD,
ARS, CLP, COP; ``£`` of GBP, EGP, FKP, GIP, LBP, SHP, SSP, SYP; ``¥`` of JPY and CNY; ``kr`` of
SEK, NOK, DKK, ISK; ``C$`` is the Nicaraguan córdoba's symbol and a common Canadian-dollar one).
"""

from __future__ import annotations

import re

DOLLARS = frozenset({"USD", "CAD", "AUD", "NZD", "MXN", "HKD", "SGD", "TWD", "ARS", "CLP", "COP"})
POUNDS = frozenset({"GBP", "EGP", "FKP", "GIP", "LBP", "SHP", "SSP", "SYP"})
YEN_YUAN = frozenset({"JPY", "CNY"})

# A written symbol -> the ISO 4217 currencies it may name (module docstring: CLDR symbols and narrow symbols).
SYMBOLS: dict[str, frozenset[str]] = {
    "$": DOLLARS,
    "US$": frozenset({"USD"}),
    "CA$": frozenset({"CAD"}),
    "C$": frozenset({"CAD", "NIO"}),
    "A$": frozenset({"AUD"}),
    "AU$": frozenset({"AUD"}),
    "NZ$": frozenset({"NZD"}),
    "HK$": frozenset({"HKD"}),
    "S$": frozenset({"SGD"}),
    "MX$": frozenset({"MXN"}),
    "NT$": frozenset({"TWD"}),
    "R$": frozenset({"BRL"}),
    "€": frozenset({"EUR"}),
    "£": POUNDS,
    "¥": YEN_YUAN,
    "￥": YEN_YUAN,  # the full-width yen sign
    "₹": frozenset({"INR"}),
    "₩": frozenset({"KRW", "KPW"}),
    "₽": frozenset({"RUB"}),
    "₺": frozenset({"TRY"}),
    "₪": frozenset({"ILS"}),
    "₫": frozenset({"VND"}),
    "₱": frozenset({"PHP"}),
    "₦": frozenset({"NGN"}),
    "₴": frozenset({"UAH"}),
    "₸": frozenset({"KZT"}),
    "฿": frozenset({"THB"}),
    "zł": frozenset({"PLN"}),
    "Kč": frozenset({"CZK"}),
    "kr": frozenset({"SEK", "NOK", "DKK", "ISK"}),
}

# A declared unit written as an English currency name (``unit: dollars``) -> the currencies it may name, as its symbol.
NAMES: dict[str, frozenset[str]] = {
    "dollar": DOLLARS, "dollars": DOLLARS, "euro": frozenset({"EUR"}), "euros": frozenset({"EUR"}),
    "pound": POUNDS, "pounds": POUNDS, "yen": frozenset({"JPY"}), "yuan": frozenset({"CNY"}),
}

# ISO 4217 codes recognised next to a number (active codes of the currencies above and other widely traded ones).
CODES = frozenset({
    "USD", "EUR", "GBP", "JPY", "CNY", "CHF", "CAD", "AUD", "NZD", "HKD", "SGD", "TWD", "KRW", "KPW", "INR", "PKR",
    "RUB", "UAH", "KZT", "TRY", "ILS", "SEK", "NOK", "DKK", "ISK", "PLN", "CZK", "HUF", "RON", "BGN", "THB", "VND",
    "PHP", "IDR", "MYR", "BRL", "MXN", "ARS", "CLP", "COP", "PEN", "ZAR", "NGN", "EGP", "SAR", "AED", "QAR", "KWD",
    "NIO", "FKP", "GIP", "LBP", "SHP", "SSP", "SYP",
})
# Codes read in any case (``5.00 usd``): the ones headwater.clean.values.parse_decimal reads; any other code counts
# only in capitals (``12 try`` is no Turkish lira).
ANY_CASE_CODES = frozenset({"USD", "EUR", "GBP", "CHF", "JPY", "CAD", "AUD"})

_MARK = "|".join(re.escape(s) for s in sorted(SYMBOLS, key=len, reverse=True)) + "|[A-Za-z]{3}"
_NUMBER = r"[+\-\u2212]?[\d.,'\s\u00a0\u202f]*\d[\d.,'\s\u00a0\u202f]*[\-\u2212]?"
_BEFORE = re.compile(rf"^({_MARK})\s*({_NUMBER})$")
_AFTER = re.compile(rf"^({_NUMBER})\s*({_MARK})$")


def _as_mark(written: str) -> str:
    """A matched mark as a currency mark: a symbol as written, a known code in capitals; ``""`` for neither."""
    if written in SYMBOLS:
        return written
    code = written.upper()
    if code in CODES and (written == code or code in ANY_CASE_CODES):
        return code
    return ""


def written_currency(value: str) -> str:
    """The currency mark a number is written with, before or after it: a symbol of ``SYMBOLS`` as written (``€``,
    ``US$``, ``R$``) or an ISO 4217 code of ``CODES`` in capitals (``EUR``, ``usd`` -> ``USD``); ``""`` for none.

    ``€12.50`` -> ``€``; ``12.50 GBP`` -> ``GBP``; ``-US$5`` and ``(R$ 1.234,50)`` -> ``US$``, ``R$``;
    ``12.50`` and ``12%`` and ``12 kg`` -> ``""``. A sign, parentheses and spaces around the number are allowed.
    """
    s = value.strip()
    if s.startswith("(") and s.endswith(")"):
        s = s[1:-1].strip()
    s = s.lstrip("+-\u2212 ")
    m = _BEFORE.match(s)
    if m:
        return _as_mark(m.group(1))
    m = _AFTER.match(s)
    return _as_mark(m.group(2)) if m else ""


def amount_text(value: str) -> str:
    """``value`` without its currency mark (``written_currency``), for the number parser: ``US$12.50`` -> ``12.50``,
    ``-R$ 5`` -> ``-5``, ``(₺1.234,50)`` -> ``(1.234,50)``, ``12.50 SEK`` -> ``12.50``; a value with no mark as it is.

    Used only where the mark is the column's declared unit (headwater.clean.steps.coerce_types), so the marks the
    number parser does not know (``US$``, ``R$``, ``₺``) are read there as ``$`` and ``€`` are everywhere.
    """
    s = value.strip()
    close = s.startswith("(") and s.endswith(")")
    inner = s[1:-1].strip() if close else s
    body = inner.lstrip("+-\u2212 ")
    sign = inner[: len(inner) - len(body)].replace(" ", "")
    m = _BEFORE.match(body)
    if m and _as_mark(m.group(1)):
        number = m.group(2)
    else:
        m = _AFTER.match(body)
        if not (m and _as_mark(m.group(2))):
            return value
        number = m.group(1)
    number = sign + number.strip()
    return f"({number})" if close else number


def currencies_of(mark: str) -> frozenset[str]:
    """The ISO 4217 currencies a mark (``written_currency``'s answer, or a declared unit) may name: ``$`` -> the
    dollars of ``DOLLARS``; ``EUR`` or ``eur`` -> {EUR}; a declared name (``NAMES``: ``dollars``, ``euros``) as its
    symbol; empty for what is no currency here (``kg``, ``%``, ``""``)."""
    mark = mark.strip()
    if mark in SYMBOLS:
        return SYMBOLS[mark]
    if mark.lower() in NAMES:
        return NAMES[mark.lower()]
    return frozenset({mark.upper()}) if mark.upper() in CODES else frozenset()


def currency_differs(mark: str, unit: str) -> bool:
    """True when a number written with the currency ``mark`` is not an amount in the declared ``unit``: no currency
    the mark may name is the unit's (``€`` under ``USD``; ``US$`` under ``CAD``), or the unit is no currency (``kg``,
    ``%``). ``$`` under ``CAD`` and ``¥`` under ``CNY`` match; a value with no mark (``""``) never differs."""
    if not mark:
        return False
    return not (currencies_of(mark) & currencies_of(unit))
