"""What the fine-tuning export holds besides the chunks (the headwater_finetune DAG's ``fields`` Param)."""

from __future__ import annotations

import typing
from typing import Literal

from pydantic import ConfigDict, Field

from headwater.config.base import ConfigModel

Fields = Literal["all", "text", "none"]
FIELDS_CHOICES: tuple[str, ...] = typing.get_args(Fields)


class ExportOptions(ConfigModel):
    """What goes into the fine-tuning export besides the chunks."""

    model_config = ConfigDict(frozen=True)

    fields: Fields = Field(
        default="all",
        description="Curated values of columns that were not chunked: all (every non-empty value), "
        "text (string values of at least min_words words) or none (chunks only).",
    )
    min_words: int = Field(default=3, ge=1, description="With fields text: the fewest words a value needs.")
