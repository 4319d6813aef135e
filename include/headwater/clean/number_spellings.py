"""Number spellings other than ASCII digits and an ASCII sign: what each denotes, and the reason code kept with it.

A number column may hold values written with

* another minus sign than ASCII ``-`` (U+002D): ``−12.00`` (U+2212 MINUS SIGN), U+2012 FIGURE DASH, U+2013 EN DASH,
  U+FE63 SMALL HYPHEN-MINUS, U+FF0D FULLWIDTH HYPHEN-MINUS -> reason ``unicode_minus``;
* a trailing minus (SAP and mainframe exports: ``100.00-``, ``1.234,56-`` with the file's decimal mark) -> ``trailing_minus``;
* digits of another script (Unicode category Nd: Arabic-Indic ``١٢٣``, Extended Arabic-Indic/Persian ``۱۲۳``,
  full-width ``１２３``, Devanagari ``१२३``) -> ``other_script_digits``; their separators: U+066B ARABIC DECIMAL
  SEPARATOR (the decimal mark whatever the file's), U+066C ARABIC THOUSANDS SEPARATOR (a thousands separator),
  U+FF0E/U+FF0C full-width ``．``/``，`` (ASCII ``.``/``,``: the file's decimal mark decides which is which),
  U+066A ARABIC PERCENT SIGN and U+FF05 ``％`` (``%``), U+FF0B ``＋`` -> ``other_script_separator`` when the digits are ASCII;
* an accounting ``CR``/``DR`` suffix (``100.00 CR``): **not read**. Whether a credit is negative depends on the
  ledger (on a bank statement CR is money in; in a ledger of debit balances a credit lowers it), which a file does
  not say; the value stays missing, its text kept, reason ``credit_debit_suffix``;
* digits of more than one script in one number (``1٢3``): **not read** (a corrupted or hand-edited value; which
  digit is right is not guessed) -> ``mixed_digit_scripts``.

``respell`` rewrites one value into the ASCII spelling headwater.clean.values.parse_decimal reads. Digit values come
from the Unicode Character Database (Python's ``unicodedata.digit``); the script of a digit is told by its zero's
code point (``ord(ch) - digit(ch)``: every Nd block runs 0-9 in order, Unicode chapter 4.6).
"""

from __future__ import annotations

import re
import unicodedata

UNICODE_MINUS = "unicode_minus"
TRAILING_MINUS = "trailing_minus"
OTHER_SCRIPT_DIGITS = "other_script_digits"
OTHER_SCRIPT_SEPARATOR = "other_script_separator"
CREDIT_DEBIT = "credit_debit_suffix"
MIXED_SCRIPTS = "mixed_digit_scripts"
READ = (UNICODE_MINUS, TRAILING_MINUS, OTHER_SCRIPT_DIGITS, OTHER_SCRIPT_SEPARATOR)  # spellings read as the number they write
NOT_READ = (CREDIT_DEBIT, MIXED_SCRIPTS)  # spellings whose number is not certain: missing, text kept

MINUS_SIGNS = "\u2212\u2012\u2013\ufe63\uff0d"
_MINUS = str.maketrans(dict.fromkeys(MINUS_SIGNS, "-"))
ARABIC_DECIMAL, ARABIC_THOUSANDS = "\u066b", "\u066c"
# separators and signs that are ASCII ones in another width or script (the decimal mark's pair is per file: ``_separators``)
_WIDE = {"\uff0e": ".", "\uff0c": ",", "\uff05": "%", "\u066a": "%", "\uff0b": "+"}
_CREDIT_DEBIT = re.compile(r"^(.*[0-9])\s*(?:CR|DR|Cr|Dr|cr|dr)\.?$")
# a value that may be one of these spellings: a character outside ASCII, a trailing '-', or a CR/DR suffix
CANDIDATE = r"[^\x00-\x7f]|[0-9]-\s*$|(?i:[cd]r)\.?\s*$"
# What every CANDIDATE holds (a non-ASCII character, a digit and '-', or c/d and r in any case), with neither ``\s`` nor
# ``$``: pandas runs it in RE2 (CANDIDATE's ``\s`` sends every value through Python's ``re``), so CANDIDATE itself is
# tried only on the few values this finds; the same values match (a superset, then the exact pattern).
CANDIDATE_PREFILTER = r"[^\x00-\x7f]|[0-9]-|[cCdD][rR]"


def _separators(decimal: str) -> dict[int, str]:
    thousands = "," if decimal == "." else "."
    return str.maketrans({ARABIC_DECIMAL: decimal, ARABIC_THOUSANDS: thousands, **_WIDE})


def digit_scripts(value: str) -> set[int]:
    """The zero code points of the decimal digits (category Nd) in ``value``: ``{48}`` for ASCII ``123``, ``{0x660, 48}`` for ``1٢3``."""
    return {ord(ch) - unicodedata.digit(ch) for ch in value if ch.isdecimal()}


def respell(value: str, decimal: str = ".") -> tuple[str | None, tuple[str, ...]]:
    """``value`` rewritten in ASCII as headwater.clean.values.parse_decimal reads it, and the reason codes of what was rewritten.

    ``decimal``: the file's decimal mark ('.' or ','). Returns ``(text, reasons)``: ``("-12.00", ("unicode_minus",))`` for
    ``−12.00``; ``("-1.234,56", ("trailing_minus",))`` for ``1.234,56-``; ``("12,5", ("other_script_digits",))`` for
    ``١٢٫٥`` with decimal ','; ``(None, ("credit_debit_suffix",))`` for ``100.00 CR`` and ``(None, ("mixed_digit_scripts",))``
    for ``1٢3`` (not read); ``(None, ())`` when none of these spellings is in the value. Whether ``text`` is a number is
    the caller's to check (``12–15``, an en-dash range, respells to ``12-15``, which is none).
    """
    s = value.strip()
    reasons: list[str] = []
    if not s.isascii():
        scripts = digit_scripts(s)
        if len(scripts) > 1:
            return None, (MIXED_SCRIPTS,)
        if scripts and scripts != {48}:
            zero = scripts.pop()
            s = "".join(str(ord(ch) - zero) if ch.isdecimal() else ch for ch in s)
            reasons.append(OTHER_SCRIPT_DIGITS)
        separated = s.translate(_separators(decimal))
        if separated != s:
            s = separated
            if not reasons:
                reasons.append(OTHER_SCRIPT_SEPARATOR)
        signed = s.translate(_MINUS)
        if signed != s:
            s = signed
            reasons.append(UNICODE_MINUS)
    credit = _CREDIT_DEBIT.match(s)
    if credit:
        return None, (CREDIT_DEBIT,)
    if len(s) > 1 and s.endswith("-") and s[-2].isdigit() and s[0] not in "+-(":
        s = "-" + s[:-1]
        reasons.append(TRAILING_MINUS)
    return (s, tuple(reasons)) if reasons else (None, ())
