"""Row documents (YAML section ``rows:`` of a source config): which rows become text documents, and how.

A row document is one curated row written for reading (headwater.chunk.rows): one
``Label: value`` line per shown column, or a Jinja2 template. By default (``mode: auto``) a
table gets row documents when it has no free-text column, so a table of records is
searchable and reaches the fine-tune as whole records; in a table with one, the rows whose
free-text columns are all empty or hold no words get them (they have no chunk), the others keep their chunks. The template is checked here, when the
config loads: its syntax, and (with a schema) every name it uses (``template_names``); the
rendering itself is sandboxed with undefined names as errors (headwater.chunk.rows).
"""

from __future__ import annotations

import typing
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, field_validator

from headwater.config.base import ColumnNames, ConfigModel

SECTION = "rows"  # the key of these options in a source's YAML
ROW_COLUMN = "_row"  # the ``column`` of a row document (chunk table, vector store, export): never a data column's name
ROW_STRATEGY = "row"  # the ``strategy`` of a row document
Mode = Literal["auto", "on", "off"]
MODES: tuple[str, ...] = typing.get_args(Mode)
# What a template may use besides the table's columns (headwater.chunk.rows.RowContext).
TEMPLATE_VARIABLES = ("fields", "chunks", "table", "source_file", "line")


def template_names(template: str) -> set[str]:
    """The variables ``template`` reads (Jinja2 ``meta.find_undeclared_variables``); raises ValueError
    naming the line for a syntax error. Source: https://jinja.palletsprojects.com/en/3.1.x/api/#the-meta-api"""
    from jinja2 import TemplateSyntaxError, meta
    from jinja2.sandbox import SandboxedEnvironment

    try:
        return set(meta.find_undeclared_variables(SandboxedEnvironment().parse(template)))
    except TemplateSyntaxError as exc:
        raise ValueError(f"template line {exc.lineno}: {exc.message}") from None


def _on_off(value: Any) -> Any:
    """YAML 1.1 reads a bare ``on``/``off`` as a boolean: ``mode: on`` means "on"."""
    return ("on" if value else "off") if isinstance(value, bool) else value


class RowDocumentOptions(ConfigModel):
    """Which rows of a table become text documents, which columns they show, and how they are written."""

    mode: Annotated[Mode, BeforeValidator(_on_off, json_schema_input_type=Mode | bool)] = Field(
        default="auto",
        description=(
            "auto: a document per row when the table has no free-text column, else per row whose free-text columns are "
            "all empty or hold no words (., -, 👍, [EMAIL]: shown in the document, not chunked); on (true): every row; "
            "off (false): none."
        ),
    )
    columns: ColumnNames | None = Field(
        default=None,
        description="Columns shown, in this order (identifiers included if listed).",
        json_schema_extra={"shown_default": "every value column but identifiers and free-text columns"},
    )
    exclude: ColumnNames = Field(default_factory=list, description="Columns never shown, even when listed in columns.")
    labels: dict[str, str] = Field(default_factory=dict, description="Column -> its label; default: the name in words (business_name -> Business name).")
    template: str | None = Field(
        default=None,
        description=(
            "Jinja2 template of the document (sandboxed; an unknown name is an error): each column by name (its value "
            "formatted for reading, '' when empty), fields (label/value pairs shown), chunks (text column -> chunk texts), "
            "table, source_file, line."
        ),
        json_schema_extra={"shown_default": "one 'Label: value' line per shown field"},
    )
    text_chunks: int = Field(default=0, ge=0, description="Chunks of each free-text column added to the document as context (0: none).")

    @field_validator("template")
    @classmethod
    def _parses(cls, value: str | None) -> str | None:
        if value is not None:
            if not value.strip():
                raise ValueError("empty template; leave template out for 'Label: value' lines")
            template_names(value)
        return value
