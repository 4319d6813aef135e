"""Column names: every header convention lands on snake_case, and which names identify rather than describe."""

from __future__ import annotations

import re
import unicodedata

_CAMEL_1 = re.compile(r"([a-z0-9])([A-Z])")
_CAMEL_2 = re.compile(r"([A-Z]+)([A-Z][a-z])")
_NON_WORD = re.compile(r"[^0-9a-zA-Z]+")
# Letters NFKD does not decompose into ASCII, and symbols that carry meaning in a header.
_TRANSLITERATE = str.maketrans(
    {"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "OE", "đ": "d", "Đ": "D",
     "ł": "l", "Ł": "L", "þ": "th", "Þ": "TH", "%": " pct ", "#": " num "}
)


def standardize_name(name: str, position: int) -> str:
    """``" Customer ID "``, ``customerId``, ``CUSTOMER-ID`` -> ``customer_id``.

    Accents are stripped (``Prénom`` -> ``prenom``), ``%`` and ``#`` become ``pct``
    and ``num`` (``Discount %`` -> ``discount_pct``), other punctuation is dropped.
    Blank names become ``column_<position>`` (1-based) and names starting with a
    digit get a ``col_`` prefix so they stay valid identifiers.
    """
    text = str(name).translate(_TRANSLITERATE)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = _CAMEL_2.sub(r"\1_\2", _CAMEL_1.sub(r"\1_\2", text.strip()))
    text = _NON_WORD.sub("_", text).strip("_").lower()
    if not text:
        return f"column_{position}"
    if text[0].isdigit():
        return f"col_{text}"
    return text


def standardize_columns(names: list[str]) -> list[str]:
    """Standardize every name; later collisions get ``_2``, ``_3``... in header order."""
    seen: set[str] = set()
    out: list[str] = []
    for i, raw in enumerate(names, start=1):
        base = standardize_name(raw, i)
        candidate, n = base, 1
        while candidate in seen:
            n += 1
            candidate = f"{base}_{n}"
        seen.add(candidate)
        out.append(candidate)
    return out


_ID_NAME = re.compile(r"(^|_)(id|uuid|guid|key|sku|code)$")


def looks_like_identifier(name: str) -> bool:
    """``customer_id``, ``order_uuid``, ``sku``: names that identify rather than describe."""
    return bool(_ID_NAME.search(name))
