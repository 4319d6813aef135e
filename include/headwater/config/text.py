"""How free-text values are normalized (YAML section ``text:`` of a source config), and what counts as free text."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

PiiAction = Literal["keep", "remove", "mask"]
PII_ACTIONS: tuple[str, ...] = ("keep", "remove", "mask")
MASKS = {"urls": "[URL]", "emails": "[EMAIL]", "phones": "[PHONE]"}


@dataclass(frozen=True)
class TextColumnRule:
    """A column is free text when its values are long and wordy on average (chunked, never imputed)."""

    min_mean_chars: int = 40
    min_mean_words: float = 6.0


@dataclass(frozen=True)
class TextOptions:
    """How free-text values are normalized (YAML section ``text:`` of a source config)."""

    repair_unicode: bool = field(default=True, metadata={"help": "Repair mojibake and odd Unicode with ftfy (cafÃ© -> café)."})
    strip_html: bool = field(default=True, metadata={"help": "Remove HTML tags and entities; keep paragraph breaks and link targets."})
    urls: PiiAction = field(default="keep", metadata={"help": "URLs inside text: keep, remove, or mask as [URL]."})
    emails: PiiAction = field(default="mask", metadata={"help": "E-mail addresses inside text: keep, remove, or mask as [EMAIL]."})
    phones: PiiAction = field(default="mask", metadata={"help": "Phone numbers inside text: keep, remove, or mask as [PHONE]."})
    mask_field_values: bool = field(
        default=False,
        metadata={
            "help": "Also remove/mask a value that is nothing but one URL, e-mail or phone number (a contact "
            "column). Off: contact columns stay usable for analysis and dedup; addresses inside prose are masked."
        },
    )
    whitespace: bool = field(default=True, metadata={"help": "Collapse runs of spaces, drop blank lines, trim."})
    columns: list[str] | None = field(
        default=None, metadata={"help": "Columns to normalize (standardized names). Default: every text column."}
    )

    def __post_init__(self) -> None:
        for key in ("repair_unicode", "strip_html", "mask_field_values", "whitespace"):
            if not isinstance(getattr(self, key), bool):
                raise ValueError(f"{key}: must be true or false, got {getattr(self, key)!r}")
        for key in MASKS:
            if getattr(self, key) not in PII_ACTIONS:
                raise ValueError(f"{key}: must be one of {', '.join(PII_ACTIONS)}, got {getattr(self, key)!r}")
        if self.columns is not None and (
            not isinstance(self.columns, (list, tuple)) or not all(isinstance(c, str) for c in self.columns)
        ):
            raise ValueError(f"columns: must be a list of column names, got {self.columns!r}")

    def pii_actions(self) -> dict[str, str]:
        """The categories that change text, in the order they are applied (URLs first: they may hold '@' or digits)."""
        return {k: getattr(self, k) for k in ("urls", "emails", "phones") if getattr(self, k) != "keep"}
