"""How landing files are read (YAML section ``read:`` of a source config)."""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field

from headwater.config.checks import check_choice, check_range

DELIMITERS = (",", ";", "\t", "|")


@dataclass
class ReadOptions:
    """How a landing file is read."""

    max_field_chars: int = field(default=1_048_576, metadata={"help": "A row with a longer field is quarantined (the file goes on)."})
    encoding: str | None = field(default=None, metadata={"help": "Force an encoding (e.g. cp1252) instead of detecting it."})
    delimiter: str | None = field(default=None, metadata={"help": "Force a delimiter (, ; tab |) instead of sniffing it."})
    max_nul_share: float = field(default=0.05, metadata={"help": "More NUL/control bytes than this share of the first 64 KiB: the file is binary."})

    def __post_init__(self) -> None:
        check_range("max_field_chars", self.max_field_chars, 1)
        if self.encoding is not None:
            try:
                codecs.lookup(self.encoding)
            except LookupError:
                raise ValueError(f"encoding: {self.encoding!r} is not a known codec") from None
        if self.delimiter is not None:
            if self.delimiter in ("tab", "\\t"):
                self.delimiter = "\t"
            check_choice("delimiter", self.delimiter, DELIMITERS)
        check_range("max_nul_share", self.max_nul_share, 0, 1)

