"""The configuration reference, generated from the models: README tables and the source YAML's JSON Schema.

* ``settings_reference()``: one Markdown table per group of ``Settings`` (variable, type, default, meaning).
* ``source_reference()``: one Markdown table per section of a source YAML (key, type, default,
  allowed values, description), walked from ``SourceConfig``.
* ``source_schema()``: the JSON Schema (draft 2020-12) of a source YAML file, from
  ``SourceConfig.model_json_schema()`` (https://docs.pydantic.dev/latest/concepts/json_schema/).

``python -m headwater.config.reference`` prints the two README regions; ``--write`` replaces
them in README.md (between ``<!-- BEGIN GENERATED: <name> ... -->`` and
``<!-- END GENERATED: <name> -->``) and rewrites ``config/source.schema.json``; ``--check``
exits 1 when either is stale. ``--root`` is the repository root (default: the working directory).
tests/include/headwater/config/test_reference.py fails when the committed files and the models disagree.
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import sys
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator
from pydantic.fields import FieldInfo

from headwater.config.base import bounds, choices, model_of, unwrap, yaml_keys
from headwater.config.settings import Settings, describe, env_name
from headwater.config.source import SourceConfig

README = Path("README.md")
SCHEMA = Path("config") / "source.schema.json"
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SETTINGS_REGION = "settings reference"
SOURCE_REGION = "source reference"
_NAMES = {bool: "boolean", int: "integer", float: "number", str: "string", Path: "path", datetime.date: "date"}


# ------------------------------------------------------------------ types, defaults, choices as the docs show them


def _input_type(field: FieldInfo) -> Any:
    """The type a YAML value of the field may have: a shorthand validator's input type, else the field's type."""
    for meta in field.metadata:
        if isinstance(meta, BeforeValidator) and meta.json_schema_input_type is not Any:
            return meta.json_schema_input_type
    return field.annotation


def _input_of(annotation: Any) -> Any:
    """``Annotated[X, BeforeValidator(..., json_schema_input_type=Y)]`` -> Y; anything else unchanged."""
    if typing.get_origin(annotation) is Annotated:
        for meta in typing.get_args(annotation)[1:]:
            if isinstance(meta, BeforeValidator) and meta.json_schema_input_type is not Any:
                return meta.json_schema_input_type
    return annotation


def _members(annotation: Any) -> list[Any]:
    """The non-null members of a union (one member for anything else), shorthand inputs expanded."""
    annotation = _input_of(annotation)
    if typing.get_origin(annotation) is Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [m for a in typing.get_args(annotation) if a is not type(None) for m in _members(a)]
    return [annotation]


def type_label(annotation: Any) -> str:
    """``integer``, ``choice``, ``string or list``, ``choice or mapping`` ... for the reference tables."""
    labels: list[str] = []
    for member in _members(annotation):
        origin = typing.get_origin(member)
        if origin is Literal:
            label = "choice"
        elif origin in (list, tuple):
            label = "list"
        elif origin is dict or model_of(member) is not None:
            label = "mapping"
        elif member is Any:
            label = "any"
        else:
            label = _NAMES.get(member, getattr(member, "__name__", str(member)))
        if label not in labels:
            labels.append(label)
    return " or ".join(labels)


def allowed_values(field: FieldInfo) -> str:
    """The choices of a Literal (also a shorthand's), or the interval of a bounded number; '' when free."""
    found = [c for member in [field.annotation, *_members(_input_type(field))] for c in choices(member)]
    if found:
        return ", ".join(f"`{_choice(c)}`" for c in dict.fromkeys(found))
    interval = bounds(field)
    return f"`{interval}`" if interval else ""


def _words_or_value(text: str) -> str:
    """A derived default as written in the field's metadata: words stay words, a name or path becomes code."""
    return f"`{text}`" if text and " " not in text else text


def _choice(value: Any) -> str:
    """A choice as YAML writes it: ``keep_raw``, ``true``, ``","``, ``"\\t"`` (a tab)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) and re.fullmatch(r"[\w.-]+", value) else json.dumps(value)


def _value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    if isinstance(value, BaseModel):
        return ""
    if isinstance(value, str):
        return f"`{_choice(value)}`" if value else '`""`'
    return f"`{json.dumps(value)}`"


def default_label(field: FieldInfo) -> str:
    """How the reference shows a field's default (its metadata's ``shown_default`` when it is derived)."""
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    if "shown_default" in extra:
        return _words_or_value(str(extra["shown_default"]))
    if "only_for" in extra:
        default = _value(extra["strategy_default"]) or "required"
        return f"{default} ({extra['only_for']})"
    if field.default_factory is not None:
        return _value(field.default_factory())  # type: ignore[call-arg]
    if field.is_required():
        return "required"
    return _value(field.default)


def _cell(text: str) -> str:
    """Text for a Markdown table cell: pipes escaped; outside `code`, ``<`` and ``*`` too (``<col>__raw``, ``*.csv``)."""
    parts = text.replace("\n", " ").split("`")
    for i in range(0, len(parts), 2):  # even parts are outside code spans
        parts[i] = parts[i].replace("<", "&lt;").replace("*", "\\*")
    return "`".join(parts).replace("|", "\\|")


# ------------------------------------------------------------------ settings


def settings_reference() -> str:
    """Markdown: one table per settings group, in declaration order."""
    fields = Settings.model_fields
    out: list[str] = []
    field_of = {env_name(name): name for name in fields}
    current = None
    for group, variable, default, description in describe():
        if group != current:
            if current is not None:
                out.append("")
            out += [f"**{group}**", "", "| variable | type | default | meaning |", "|---|---|---|---|"]
            current = group
        field = fields[field_of[variable]]
        kind = type_label(field.annotation)
        interval = bounds(field)
        kind = f"{kind} in `{interval}`" if interval else kind
        shown = _words_or_value(default)
        out.append(f"| `{variable}` | {kind} | {_cell(shown)} | {_cell(description)} |")
    return "\n".join(out)


# ------------------------------------------------------------------ source YAML


def _sections(model: type[BaseModel], path: str) -> Iterator[tuple[str, type[BaseModel]]]:
    """(YAML path, model) of every mapping of a source file, parents first (``schema.columns.<name>``)."""
    yield path, model
    for name in yaml_keys(model):
        field = model.model_fields[name]
        child = f"{path}.{name}" if path else name
        tp = unwrap(field.annotation)
        origin, args = typing.get_origin(tp), typing.get_args(tp)
        if model_of(tp) is not None:
            yield from _sections(model_of(tp), child)  # type: ignore[arg-type]
        elif origin is dict and model_of(args[1]) is not None:
            yield from _sections(model_of(args[1]), f"{child}.<column>")  # type: ignore[arg-type]
        elif origin is list and args and model_of(args[0]) is not None:
            item = model_of(args[0])
            yield from _sections(item, f"{child}.<{item.keyed_by or 'item'}>")  # type: ignore[arg-type, union-attr]


def _summary(model: type[BaseModel]) -> str:
    """The first paragraph of the model's docstring, on one line, reST ``code`` as Markdown `code`."""
    doc = (model.__doc__ or "").strip().split("\n\n")[0]
    return " ".join(doc.split()).replace("``", "`")


def source_reference() -> str:
    """Markdown: one table per mapping of a source YAML file, in the order the file declares them."""
    by_model: dict[type[BaseModel], list[str]] = {}
    for path, model in _sections(SourceConfig, ""):
        by_model.setdefault(model, []).append(path)
    out: list[str] = []
    for model, paths in by_model.items():
        where = ", ".join(f"`{p}`" for p in paths if p) or "top level"
        if out:
            out.append("")
        out += [f"**{where}**: {_cell(_summary(model))}", "", "| key | type | default | allowed | description |", "|---|---|---|---|---|"]
        for name in yaml_keys(model):
            field = model.model_fields[name]
            row = (f"`{name}`", type_label(_input_type(field)), default_label(field), allowed_values(field), field.description or "")
            out.append("| " + " | ".join(_cell(c) for c in row) + " |")
    return "\n".join(out)


def source_schema() -> dict[str, Any]:
    """The JSON Schema of a source YAML file (what editors validate ``config/sources/*.yaml`` against).

    pydantic's schema, with each model described by its docstring's first paragraph and the
    reference-only field metadata (``shown_default``, ``only_for``) folded into the descriptions.
    """
    schema = SourceConfig.model_json_schema(mode="validation")
    _tidy(schema)
    for model in schema.get("$defs", {}).values():
        _tidy(model)
    return {"$schema": SCHEMA_DIALECT, "title": "Headwater source configuration", **{k: v for k, v in schema.items() if k != "title"}}


def _tidy(model: dict[str, Any]) -> None:
    if "description" in model:
        model["description"] = " ".join(model["description"].split("\n\n")[0].split())
    for prop in model.get("properties", {}).values():
        notes = []
        if "shown_default" in prop:
            prop.pop("default", None)
            notes.append(f"Default: {prop.pop('shown_default')}.")
        if "only_for" in prop:
            strategy, default = prop.pop("only_for"), prop.pop("strategy_default")
            notes.append(f"Strategy {strategy} only; " + ("required." if default is None else f"default {json.dumps(default)}."))
        if notes:
            prop["description"] = " ".join([prop.get("description", ""), *notes]).strip()


def schema_text() -> str:
    return json.dumps(source_schema(), indent=2, ensure_ascii=False) + "\n"


# ------------------------------------------------------------------ README regions


def _region(name: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- BEGIN GENERATED: {re.escape(name)}\b[^>]*-->\n)(.*?)(<!-- END GENERATED: {re.escape(name)} -->)", re.DOTALL)


def read_region(text: str, name: str) -> str:
    """The text between a region's markers (without them); raises ValueError when the markers are missing."""
    match = _region(name).search(text)
    if match is None:
        raise ValueError(f"README.md: no <!-- BEGIN GENERATED: {name} --> ... <!-- END GENERATED: {name} --> markers")
    return match.group(2)


def replace_region(text: str, name: str, body: str) -> str:
    """``text`` with the region ``name`` holding exactly ``body`` (plus a final newline); the markers stay."""
    read_region(text, name)
    return _region(name).sub(lambda m: m.group(1) + body.rstrip("\n") + "\n" + m.group(3), text, count=1)


def regions() -> dict[str, str]:
    return {SETTINGS_REGION: settings_reference(), SOURCE_REGION: source_reference()}


def render_readme(text: str) -> str:
    for name, body in regions().items():
        text = replace_region(text, name, body)
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m headwater.config.reference", description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="repository root (holds README.md and config/)")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--write", action="store_true", help="rewrite the README regions and config/source.schema.json")
    action.add_argument("--check", action="store_true", help="exit 1 when README.md or config/source.schema.json is stale")
    args = parser.parse_args(argv)
    readme, schema = args.root / README, args.root / SCHEMA
    if not (args.write or args.check):
        for name, body in regions().items():
            print(f"<!-- {name} -->\n{body}\n")
        return 0
    current = readme.read_text(encoding="utf-8")
    wanted = render_readme(current)
    stale = [str(p) for p, now, new in [(readme, current, wanted), (schema, schema.read_text(encoding="utf-8") if schema.exists() else "", schema_text())] if now != new]
    if args.check:
        for path in stale:
            print(f"{path} is stale: run make docs", file=sys.stderr)
        return 1 if stale else 0
    readme.write_text(wanted, encoding="utf-8")
    schema.parent.mkdir(parents=True, exist_ok=True)
    schema.write_text(schema_text(), encoding="utf-8")
    for path in stale:
        print(f"rewrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
