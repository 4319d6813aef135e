"""Column names: every header convention lands on snake_case, and which names identify rather than describe."""

from __future__ import annotations

import re
import unicodedata

from headwater.invisible import remove_invisible

# Currency signs in a header name the column's currency (``Amount (€)``, breaker3 #11): the ISO 4217 code of the one
# currency a sign writes (€ EUR, £ GBP, ₹ INR...), or, for a sign several currencies write, the word of its Unicode
# name ($ DOLLAR SIGN: US, Canadian, Australian dollars and pesos; ¥ YEN SIGN: yen and yuan; ¢ CENT SIGN). Fullwidth
# and small forms (＄ ￥ ￡ ￦ ﹩ ￠) as their sign. text-unidecode spells them "$", "PS", "Y=", "[?]", so the table is ours.
_CURRENCY_WORDS = {
    "$": "dollar", "＄": "dollar", "﹩": "dollar", "¢": "cent", "￠": "cent", "€": "eur", "£": "gbp", "￡": "gbp",
    "¥": "yen", "￥": "yen", "₹": "inr", "₽": "rub", "₩": "krw", "￦": "krw", "₺": "try", "₪": "ils", "₫": "vnd",
    "₴": "uah", "₦": "ngn", "₱": "php",
}
# Letters NFKD does not decompose into ASCII, and symbols that carry meaning in a header.
_LETTERS_AND_SYMBOLS = {
    "ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "OE", "đ": "d", "Đ": "D",
    "ł": "l", "Ł": "L", "þ": "th", "Þ": "TH", "%": " pct ", "#": " num ",
    "№": "No",  # NFKD's own reading; text-unidecode drops the sign, so under transliterate ``№`` became ``column_N``
}
_TRANSLITERATE = str.maketrans(_LETTERS_AND_SYMBOLS | {sign: f" {word} " for sign, word in _CURRENCY_WORDS.items()})
_TRANSLITERATE_NO_CURRENCY = str.maketrans(_LETTERS_AND_SYMBOLS)
_WORD = ("L", "N", "M")  # Unicode general categories kept in a name: letters, digits and numbers, marks
# The numero sign written with a degree sign (``N°``, U+00B0, its look-alike on keyboards without ``º`` U+00BA, which NFKD
# reads as ``o``; breaker9 #10): an N that starts a word, then ``°`` (not a temperature's ``°C``, ``°F``), is ``No`` like
# ``Nº`` and ``№``, not ``n``.
_NUMERO_DEGREE = re.compile(r"(?<![^\W_])([Nn])°(?![CF](?![^\W\d_]))")


def _is_latin(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith("LATIN ")


def _fold_latin_accents(text: str) -> str:
    """NFKD, less the accents of Latin letters (``Prénom`` -> ``Prenom``); other scripts keep theirs (``Край``), NFC again."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(ch) and out and _is_latin(out[-1]):
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def _split_camel(text: str) -> str:
    """``customerId`` -> ``customer Id``, ``HTTPStatus`` -> ``HTTP Status``, in any cased script (``имяКлиента``)."""
    out: list[str] = []
    for i, ch in enumerate(text):
        if i and ch.isupper():
            before, after = text[i - 1], text[i + 1 : i + 2]
            if before.islower() or before.isdigit() or (before.isupper() and after.islower()):
                out.append(" ")
        out.append(ch)
    return "".join(out)


def standardize_name(name: str, position: int, transliterate: bool = False, currency: bool = True) -> str:
    """``" Customer ID "``, ``customerId``, ``CUSTOMER-ID`` -> ``customer_id``; ``Имя`` -> ``имя``.

    Letters and digits of every script are kept, lower-cased (Unicode-aware snake_case): ``Город``
    -> ``город``, ``Όνομα Πελάτη`` -> ``όνομα_πελάτη``, ``顧客番号`` stays. Accents of Latin letters are
    stripped (``Prénom`` -> ``prenom``), ``%`` and ``#`` become ``pct`` and ``num`` (``Discount %``
    -> ``discount_pct``), currency signs their currency (``_CURRENCY_WORDS``: ``Amount ($)`` -> ``amount_dollar``,
    ``Amount (€)`` -> ``amount_eur``), other punctuation and symbols separate words. ``transliterate`` turns
    every letter into ASCII first (text-unidecode: ``Имя`` -> ``imia``, ``名前`` -> ``ming_qian``).
    Invisible format characters go first (headwater.invisible: ``\\u200bemail``, ``e\\u200bmail``, ``E\\u00admail``
    -> ``email``; a ZWNJ separates words like other format characters). ``N°`` (a degree sign) is ``no`` like ``Nº`` and
    ``№`` (``_NUMERO_DEGREE``). Blank names become ``column_<position>`` (1-based) and names starting with a digit get a
    ``col_`` prefix so they stay valid identifiers. ``currency=False``: currency signs separate words
    like other symbols (``Amount ($)`` -> ``amount``, the name before breaker3 #11; column mapping matches it too).
    """
    text = _NUMERO_DEGREE.sub(r"\1o", remove_invisible(str(name))).translate(_TRANSLITERATE if currency else _TRANSLITERATE_NO_CURRENCY)
    if transliterate:
        from text_unidecode import unidecode

        text = unidecode(text)
    text = _split_camel(_fold_latin_accents(text).strip())
    text = "".join(ch if unicodedata.category(ch)[0] in _WORD else " " for ch in text)
    text = "_".join(text.split()).lower()
    if not text:
        return f"column_{position}"
    if text[0].isdigit():
        return f"col_{text}"
    return text


def standardize_columns(names: list[str], transliterate: bool = False) -> list[str]:
    """Standardize every name; a column whose standardized name is free keeps it, the others get ``_2``, ``_3``...

    Each name standardized (standardize_name) is kept by the first column that has it, written names before the
    generated ``column_<position>`` of a blank one (no letter or digit in it). The later columns with that name take the first
    ``<name>_2``, ``<name>_3``... that no column of the header has as its own name (breaker5 #4: in
    ``Name,name,name_2`` the file's ``name_2`` keeps its name and its ``name`` is loaded as ``name_3``; in
    ``,column_1`` the blank column is ``column_1_2``), in header order.
    """
    bases = [standardize_name(raw, i, transliterate) for i, raw in enumerate(names, start=1)]
    out: list[str | None] = [None] * len(bases)
    taken: set[str] = set()
    for generated in (False, True):  # written names claim theirs first, then the generated names of blank ones
        for i, (raw, base) in enumerate(zip(names, bases)):
            if (not any(ch.isalnum() for ch in str(raw))) == generated and base not in taken:
                out[i] = base
                taken.add(base)
    reserved = taken | set(bases)
    for i, base in enumerate(bases):
        if out[i] is None:
            n = 2
            while f"{base}_{n}" in reserved:
                n += 1
            out[i] = f"{base}_{n}"
            reserved.add(out[i])
    return [name for name in out if name is not None]


_ID_NAME = re.compile(r"(^|_)(id|uuid|guid|key|sku|code)$")


def looks_like_identifier(name: str) -> bool:
    """``customer_id``, ``order_uuid``, ``sku``: names that identify rather than describe."""
    return bool(_ID_NAME.search(name))


# Names of columns of long digit strings that number something without being an id by name: article numbers (EAN, GTIN,
# UPC, ISBN), barcodes, bank accounts (IBAN) and phone numbers. Excel writes such a value of 12 or more digits in
# scientific notation just as it does an id (breaker9 #14: ``4.00638E+12`` in a column ``ean``).
_LONG_NUMBER_NAME = re.compile(
    r"(^|_)(ean(_?(8|13))?|gtin(_?(8|12|13|14))?|upc(_?a)?|isbn(_?(10|13))?|sku|barcode|bar_code|iban|"
    r"account_(number|no|num)|phone(_(number|no|num))?|telephone|mobile(_(number|no|num))?)$"
)


def looks_like_long_number(name: str) -> bool:
    """``looks_like_identifier``, or a name of long digit strings (``_LONG_NUMBER_NAME``): ``ean``, ``product_gtin``,
    ``upc``, ``isbn_13``, ``barcode``, ``iban``, ``account_number``, ``phone``, ``mobile_number``. Used where Excel's
    scientific notation of such a value is looked for (headwater.clean.steps.coerce_types.EXCEL_SCIENTIFIC), not where
    an identifier's other rules apply (type inference, imputation, row documents)."""
    return looks_like_identifier(name) or bool(_LONG_NUMBER_NAME.search(name))
