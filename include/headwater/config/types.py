"""How values are read as numbers, booleans and dates (YAML section ``types:`` of a source config)."""

from __future__ import annotations

from dataclasses import dataclass, field

from headwater.config.checks import check_choice, check_range, check_type

# Spellings of a missing value every source gets (case-insensitive, after trimming); types.na_values adds more.
NA_SPELLINGS = frozenset({"", "na", "n/a", "nan", "null", "none", "nil", "-", "--", "?", "#n/a"})
ON_ERROR = ("keep_raw", "quarantine")


@dataclass
class TypeOptions:
    """How values are read as numbers, booleans and dates."""

    on_error: str = field(default="keep_raw", metadata={"help": "A value that fails coercion: keep_raw (kept in <col>__raw, cell left empty) or quarantine (the row)."})
    infer: bool = field(default=True, metadata={"help": "Infer types of columns the schema does not declare (all columns when there is no schema)."})
    infer_min_share: float = field(default=0.9, metadata={"help": "Share of non-missing values that must parse for a type to be inferred."})
    dayfirst: str | bool = field(default="auto", metadata={"help": "Numeric dates like 03/04/2024: true (3 April), false (4 March) or auto (decided per column from values like 15/02/2024; month first when nothing tells). Dotted dates (01.03.2024) are always day first."})
    decimal: str = field(default="auto", metadata={"help": "Decimal mark: '.', ',' or auto (decided per column from unambiguous values like 1.234,50)."})
    na_values: list[str] = field(default_factory=list, metadata={"help": "Extra spellings of a missing value (case-insensitive), added to NA, N/A, null, -, ?, none, blank..."})

    def __post_init__(self) -> None:
        check_choice("on_error", self.on_error, ON_ERROR)
        check_type("infer", self.infer, bool, "true or false")
        check_range("infer_min_share", self.infer_min_share, 0.5, 1.0)
        check_choice("dayfirst", self.dayfirst, ("auto", True, False))
        check_choice("decimal", self.decimal, ("auto", ".", ","))
        check_type("na_values", self.na_values, list, "a list of strings")
