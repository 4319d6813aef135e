"""How duplicates are found (YAML section ``dedup:`` of a source config)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

from headwater.config.checks import check_choice, check_range, check_type

Scope = Literal["file", "run", "history"]
SCOPES = ("file", "run", "history")


@dataclass(frozen=True)
class DedupOptions:
    """How duplicates are found (YAML section ``dedup:`` of a source config)."""

    exact: bool = field(default=True, metadata={"help": "Drop rows whose normalized content equals an earlier row's."})
    near: bool = field(default=True, metadata={"help": "Drop near-duplicates: MinHash LSH on the record text, rapidfuzz on short fields."})
    columns: list[str] | None = field(
        default=None,
        metadata={"help": "Columns compared for near-duplicates. Default: every data column except identifiers (a re-registered customer gets a new id)."},
    )
    ignore: list[str] = field(default_factory=list, metadata={"help": "Columns never compared (added to the identifiers)."})
    threshold: float = field(default=0.8, metadata={"help": "Similarity in (0, 1] at or above which two records are duplicates."})
    num_perm: int = field(default=128, metadata={"help": "MinHash signature length."})
    bands: int = field(default=16, metadata={"help": "LSH bands; num_perm / bands rows each. More bands: more candidates, higher recall."})
    shingle_size: int = field(default=5, metadata={"help": "Characters (UTF-8 bytes) per shingle, 1-8."})
    short_field_chars: int = field(
        default=64, metadata={"help": "Fields up to this length are also compared with rapidfuzz (names, addresses, e-mails)."}
    )
    scope: Scope = field(
        default="history",
        metadata={"help": "file: within a file; run: also earlier files of the same date; history: also earlier dates (persistent index)."},
    )
    history_days: int = field(default=30, metadata={"help": "scope=history: how many earlier dates the index reaches back (each file loads those shards)."})
    seed: int = field(default=1, metadata={"help": "Hash seed; changing it invalidates the persistent index."})

    def __post_init__(self) -> None:
        for key in ("exact", "near"):
            check_type(key, getattr(self, key), bool, "true or false")
        for key in ("columns", "ignore"):
            value = getattr(self, key)
            if value is not None and (not isinstance(value, (list, tuple)) or not all(isinstance(c, str) for c in value)):
                raise ValueError(f"{key}: expected a list of column names, got {value!r}")
        check_range("threshold", self.threshold, 0.0, 1.0)
        if self.threshold <= 0:
            raise ValueError(f"threshold: {self.threshold!r} must be in (0, 1]")
        for key in ("num_perm", "bands", "shingle_size", "short_field_chars", "history_days", "seed"):
            check_type(key, getattr(self, key), int, "an integer")
        check_range("num_perm", self.num_perm, 8, 1024)
        check_range("bands", self.bands, 1, self.num_perm)
        if self.num_perm % self.bands:
            raise ValueError(f"bands: {self.bands} must divide num_perm={self.num_perm}")
        check_range("shingle_size", self.shingle_size, 1, 8)
        check_range("short_field_chars", self.short_field_chars, 0)
        check_range("history_days", self.history_days, 0)
        check_choice("scope", self.scope, SCOPES)

    @property
    def rows_per_band(self) -> int:
        return self.num_perm // self.bands

    def index_settings(self) -> dict[str, int]:
        """What must match for signatures stored by another run to be comparable."""
        return {"num_perm": self.num_perm, "bands": self.bands, "shingle_size": self.shingle_size, "seed": self.seed}


def describe(options: DedupOptions) -> dict[str, object]:
    return asdict(options)
