"""What the fine-tuning export holds besides the chunks (the headwater_finetune DAG's ``fields`` Param)."""

from __future__ import annotations

from dataclasses import dataclass, field

FIELDS_CHOICES = ("all", "text", "none")


@dataclass(frozen=True)
class ExportOptions:
    """What goes into the fine-tuning export besides the chunks."""

    fields: str = field(
        default="all",
        metadata={
            "help": "Curated values of columns that were not chunked: 'all' (every non-empty value), "
            "'text' (string values of at least min_words words) or 'none' (chunks only)."
        },
    )
    min_words: int = field(default=3, metadata={"help": "With fields='text': the fewest words a value needs."})

    def __post_init__(self) -> None:
        if self.fields not in FIELDS_CHOICES:
            raise ValueError(f"ExportOptions.fields={self.fields!r}: must be one of {', '.join(FIELDS_CHOICES)}")
        if self.min_words < 1:
            raise ValueError(f"ExportOptions.min_words={self.min_words}: must be >= 1")
