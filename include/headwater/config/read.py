"""How landing files are read (YAML section ``read:`` of a source config)."""

from __future__ import annotations

import codecs
from collections.abc import Iterable
from typing import Annotated, Literal

from pydantic import Field, PrivateAttr, field_validator

from headwater.config.base import ConfigModel

Delimiter = Literal[",", ";", "\t", "|", "tab", "\\t"]  # 'tab' and '\t' (as typed) stand for a tab
DELIMITERS = (",", ";", "\t", "|")  # what the sniffer tries, and what a forced delimiter ends up as


class ReadOptions(ConfigModel):
    """How a landing file is read.

    ``delimiter: tab`` (or ``'\\t'``) is stored as a tab character. ``known_names`` is no YAML key: the source's
    schema sets it (``declaring``).
    """

    max_field_chars: int = Field(default=1_048_576, ge=1, description="A row with a longer field is quarantined (the file goes on).")
    encoding: str | None = Field(default=None, description="Force an encoding (e.g. cp1252) instead of detecting it.")
    delimiter: Delimiter | None = Field(default=None, description="Force a delimiter (, ; tab |) instead of sniffing it.")
    max_nul_share: float = Field(
        default=0.05, ge=0, le=1, description="More NUL/control bytes than this share of the first 64 KiB: the file is binary."
    )
    header: Literal["auto", "none"] | Annotated[int, Field(ge=1)] = Field(
        default="auto",
        description="auto: find the header (or its absence) and the lines above it; none: no header, columns column_1...; N: the header is line N.",
    )
    skip_lines: int | None = Field(
        default=None, ge=0, description="Lines above the table (title, notes) to skip; unset: detected. The header (or first record) follows."
    )
    quotechar: Literal['"', "'"] | None = Field(default=None, description="Force the quote character instead of detecting it (\" or ').")
    engine: Literal["arrow", "python"] = Field(
        default="arrow",
        description="arrow: runs of plain lines parsed by pyarrow's CSV reader, the rest by the careful reader (same result, faster); python: the careful reader only.",
    )
    max_decompressed_bytes: int = Field(
        default=64 * 2**30, ge=1, description="A compressed file (or zip member) that decompresses to more bytes than this is quarantined."
    )
    max_compression_ratio: float = Field(
        default=200, gt=1,
        description="A compressed file that expands more than this many times (checked past its first 16 MiB) is quarantined as a decompression bomb.",
    )

    # The standardized column names and aliases the source's schema declares (SchemaSpec.known_names), header evidence
    # for table.find_table; empty without a schema. A private attribute (https://docs.pydantic.dev/latest/concepts/models/#private-model-attributes):
    # not a field, so not a key of the YAML, the configuration reference or model_dump; model_copy keeps it.
    _known_names: frozenset[str] = PrivateAttr(default=frozenset())

    @property
    def known_names(self) -> frozenset[str]:
        """The standardized column names and aliases the source's schema declares (``declaring``); empty by default."""
        return self._known_names

    def declaring(self, names: Iterable[str]) -> ReadOptions:
        """A copy of these options whose ``known_names`` are ``names`` (SchemaSpec.known_names: standardized by
        headwater.names.standardize_name), every field as it is here."""
        copy = self.model_copy()
        copy._known_names = frozenset(names)
        return copy

    @field_validator("encoding")
    @classmethod
    def _known_codec(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                codecs.lookup(value)
            except LookupError:
                raise ValueError(f"{value!r} is not a known codec") from None
        return value

    @field_validator("delimiter")
    @classmethod
    def _tab(cls, value: str | None) -> str | None:
        return "\t" if value in ("tab", "\\t") else value
