"""How values are read as numbers, booleans and dates (YAML section ``types:`` of a source config)."""

from __future__ import annotations

import re
import typing
import zoneinfo
from typing import Literal

from pydantic import Field, field_validator, model_validator

from headwater.config.base import ConfigModel, Strings

# Spellings of a missing value every source gets (after trimming), in the case forms exporters write: NA, na, NULL,
# null, None, none... but not Nan, Null or Nil, which are names. types.na_values adds more and types.not_na_values
# removes some (both case-insensitive); schema.columns.<c>.na_values / .not_na_values do the same for one column.
NA_SPELLINGS = frozenset({
    "", "NA", "na", "N/A", "n/a", "#N/A", "#n/a", "NaN", "nan", "NAN", "NULL", "null", "None", "none", "NONE", "nil", "NIL", "-", "--", "?",
})
OnError = Literal["keep_raw", "quarantine"]
ON_ERROR: tuple[str, ...] = typing.get_args(OnError)
DecimalMark = Literal[".", ","]


def spelling(value: str) -> str:
    """A missing-value spelling as it is compared: trimmed and lower-cased."""
    return value.strip().lower()


def overlap(add: list[str], remove: list[str]) -> str | None:
    """The spellings named both as missing and as data (compared as ``spelling`` does), or None."""
    both = sorted({spelling(s) for s in add} & {spelling(s) for s in remove})
    return ", ".join(repr(s) for s in both) if both else None


def iana_zone(name: str | None) -> str | None:
    """``name`` when it is an IANA time zone name the zone database knows (Python's zoneinfo), e.g. Europe/Paris; None stays None.

    Raises ValueError naming the problem otherwise.
    """
    if name is not None:
        try:
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{name!r} is not an IANA time zone name (like America/New_York or Europe/Paris)") from None
    return name


class TypeOptions(ConfigModel):
    """How values are read as numbers, booleans and dates."""

    on_error: OnError = Field(
        default="keep_raw",
        description="A value that fails coercion: keep_raw (kept in <col>__raw, cell left empty) or quarantine (the row).",
    )
    infer: bool = Field(default=True, description="Infer types of columns the schema does not declare (all columns when there is no schema).")
    infer_min_share: float = Field(default=0.9, ge=0.5, le=1.0, description="Share of non-missing values that must parse for a type to be inferred.")
    dayfirst: Literal["auto", True, False] = Field(
        default="auto",
        description="Numeric dates like 03/04/2024: true (3 April), false (4 March) or auto (per file, per column; none shown: "
        "an earlier date's, else month first, text kept in <col>__raw); 01.03.2024: day first.",
    )
    decimal: Literal["auto", ".", ","] = Field(
        default="auto",
        description="Decimal mark: '.', ',' or auto (decided per file from the unambiguous values of every numeric column, "
        "like 1.234,50 or 0,125; '.' when nothing tells).",
    )
    na_values: Strings = Field(
        default_factory=list,
        description="Extra spellings of a missing value (case-insensitive), added to NA, N/A, NULL, null, NaN, None, -, ?, blank... (those match as written)",
    )
    not_na_values: Strings = Field(
        default_factory=list, description="Default missing-value spellings that are data in this source (case-insensitive), e.g. NA for Namibia."
    )
    na_codes_are_data: bool = Field(
        default=True,
        description="A default spelling shaped like a column's codes is data, not missing: NA among EU, AS, OC (2-letter uppercase codes).",
    )
    timezone: str | None = Field(
        default=None,
        description="IANA zone (America/New_York) of date-times written without an offset: stored as UTC instants, DST gaps/folds "
        "kept in <col>__raw; none: they stay local (no zone). Offsets always kept.",
    )

    @field_validator("timezone")
    @classmethod
    def _iana(cls, name: str | None) -> str | None:
        return iana_zone(name)

    tz_abbreviations: dict[str, str] = Field(
        default_factory=dict,
        description="Zone abbreviations written after times, each with the IANA zone it means (EST: America/New_York); read where "
        "that zone uses it then, text kept in <col>__raw. Others (IST) stay text.",
    )

    @field_validator("tz_abbreviations")
    @classmethod
    def _abbreviations(cls, mapping: dict[str, str]) -> dict[str, str]:
        """Each key an abbreviation as written after a time (2-5 capital letters, not UTC/GMT/UT/Z/AM/PM, which are read
        already), each value an IANA zone name (Python's zoneinfo)."""
        for abbreviation, name in mapping.items():
            if not re.fullmatch(r"[A-Z]{2,5}", abbreviation) or abbreviation in ("UTC", "GMT", "UT", "AM", "PM"):
                raise ValueError(f"{abbreviation!r} is not a time zone abbreviation to map (2-5 capital letters like EST; UTC and GMT are read already)")
            iana_zone(name)
        return mapping

    warn_failed_share: float = Field(
        default=0.5, ge=0.0, le=1.0, description="A column where more than this share of values fail its type is a warning in the run report."
    )

    @model_validator(mode="after")
    def _disjoint(self) -> TypeOptions:
        both = overlap(self.na_values, self.not_na_values)
        if both:
            raise ValueError(f"not_na_values: {both} is also in na_values; a spelling is either missing or data")
        return self
