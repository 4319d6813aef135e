"""How free-text values are normalized (YAML section ``text:`` of a source config), and what counts as free text."""

from __future__ import annotations

import typing
from typing import Literal

from pydantic import ConfigDict, Field

from headwater.config.base import ColumnNames, ConfigModel

PiiAction = Literal["keep", "remove", "mask"]
PII_ACTIONS: tuple[str, ...] = typing.get_args(PiiAction)
MASKS = {"urls": "[URL]", "emails": "[EMAIL]", "phones": "[PHONE]", "cards": "[CARD]", "ibans": "[IBAN]"}
# Payment card numbers and IBANs (headwater.clean.sensitive): keep (not looked for), warn (counted in the manifest's
# ``sensitive_numbers`` and a warning, values kept as written), remove, or mask.
SensitiveAction = Literal["keep", "warn", "remove", "mask"]
# A card-like number written as an id (headwater.clean.sensitive: ``SO-4000000000000002``, an id column's sequential ids):
# warn (counted as card_like_id, kept as written) or mask (taken for a card number like any other: text.cards says how).
CardIdAction = Literal["warn", "mask"]


class TextColumnRule(ConfigModel):
    """A column is free text when its values are long and wordy on average (chunked, never imputed).

    ``TextColumnRule(40, 6.0)`` gives the fields by position.
    """

    model_config = ConfigDict(frozen=True)
    positional = ("min_mean_chars", "min_mean_words")

    min_mean_chars: float = Field(
        default=40, ge=0, description="Mean characters per value at or above which a column is free text (a Han, kana or Hangul character counts two)."
    )
    min_mean_words: float = Field(
        default=6.0,
        ge=0,
        description="Mean words per value at or above which a column is free text (unspaced scripts: a word per Han or kana character, per 4 Thai characters).",
    )


class TextOptions(ConfigModel):
    """How free-text values are normalized: Unicode repair, HTML, personal data inside text, whitespace."""

    model_config = ConfigDict(frozen=True)

    repair_unicode: bool = Field(default=True, description="Repair mojibake and odd Unicode with ftfy (cafÃ© -> café).")
    fold_quotes: bool = Field(default=False, description="Fold typographic quotes to ASCII (O’Keeffe -> O'Keeffe, “a” -> \"a\"); off: kept as written.")
    fold_ligatures: bool = Field(
        default=False,
        description="Fold Latin ligatures to letters (ﬁnance -> finance, ftfy's fix_latin_ligatures); off: kept as written (a compatibility fold, like NFKC).",
    )
    fold_width: bool = Field(
        default=False, description="Fold fullwidth letters and digits and halfwidth katakana (ＡＢＣ１ -> ABC1, ｶﾀｶﾅ -> カタカナ); off: kept as written."
    )
    strip_html: bool = Field(
        default=True,
        description="Decode HTML: remove markup from values that are HTML (parsed; `x < y` in prose stays), decode character references once (`&amp;lt;` -> `&lt;`).",
    )
    urls: PiiAction = Field(default="keep", description="URLs inside text: keep, remove, or mask as [URL].")
    emails: PiiAction = Field(default="mask", description="E-mail addresses inside text: keep, remove, or mask as [EMAIL].")
    phones: PiiAction = Field(default="mask", description="Phone numbers inside text: keep, remove, or mask as [PHONE].")
    cards: SensitiveAction = Field(
        default="warn",
        description="Payment card numbers in text (network prefix, Luhn digit): keep, warn (counted, kept as written), remove, "
        "or mask as [CARD] (one in an IBAN too, unless ibans: mask and no card word names it).",
    )
    ibans: SensitiveAction = Field(
        default="warn",
        description="IBANs in text (ISO 13616: the country's length and BBAN structure, mod-97; together, in fours, spaced "
        "or hyphenated, either case): keep, warn (counted, kept as written), remove, or mask as [IBAN].",
    )
    card_ids: CardIdAction = Field(
        default="warn",
        description="Card-like numbers written as ids (SO-4000..., sequential ids of an id-named column): warn (counted as "
        "card_like_id, kept as written) or mask (handled as text.cards says).",
    )
    phone_region: str = Field(
        default="US",
        pattern="^[A-Z]{2}$",
        description="Region (ISO 3166-1 alpha-2) a phone number written without +country code is read in, by libphonenumber.",
    )
    mask_field_values: bool = Field(
        default=False,
        description="Also remove/mask a value that is nothing but one URL, e-mail or phone number (off: contact columns stay usable).",
    )
    whitespace: bool = Field(
        default=True,
        description="Line breaks as \\n, invisible format characters removed (zero-width space, word joiner, BOM, soft hyphen, "
        "bidi marks; never ZWJ/ZWNJ), runs of spaces collapsed, blank lines dropped, trimmed.",
    )
    columns: ColumnNames | None = Field(
        default=None, description="Columns to normalize (standardized names).", json_schema_extra={"shown_default": "every text column"}
    )

    def pii_actions(self) -> dict[str, str]:
        """The categories that change text, in the order they are applied (URLs first: they may hold '@' or digits)."""
        return {k: getattr(self, k) for k in ("urls", "emails", "phones") if getattr(self, k) != "keep"}

    def sensitive_masks(self) -> dict[str, str]:
        """Card numbers / IBANs removed or masked (``remove``/``mask``), applied before the URL, e-mail and phone masks."""
        return {k: getattr(self, k) for k in ("cards", "ibans") if getattr(self, k) in ("remove", "mask")}

    def sensitive_warned(self) -> tuple[str, ...]:
        """Card numbers / IBANs looked for and counted but kept as written (``warn``)."""
        return tuple(k for k in ("cards", "ibans") if getattr(self, k) == "warn")
