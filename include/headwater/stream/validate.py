"""One message -> a record of the stream's columns as text, or the reason it is a dead letter.

The message's JSON text is parsed with numbers kept as written (``1.10`` stays ``1.10``, never a
float; a name repeated inside one object, at any depth, is a dead letter: RFC 8259 section 4 leaves
its meaning unpredictable and Python's ``json`` would keep the last value silently), then checked against the stream's JSON Schema (``jsonschema``, the validator class the
schema's ``$schema`` names; Draft 2020-12 by default). Its values become staging text, as a CSV
field would be: strings as they are, numbers as written, booleans ``true``/``false``, null and
absent properties missing, objects and arrays as compact JSON text. The cleaning steps type them.
Source: https://python-jsonschema.readthedocs.io/en/stable/validate/ (``best_match``,
``validator_for``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from headwater.config.stream import StreamOptions
from headwater.stream.source import Message


class _Written:
    """A parsed JSON number that keeps the text it was written as (``text``), and shows it as its repr."""

    text: str

    def __new__(cls, text: str) -> Any:
        number = super().__new__(cls, text)  # type: ignore[call-arg]  # Decimal or int, next in the MRO
        number.text = text
        return number

    def __repr__(self) -> str:  # as written, in schema error messages
        return self.text


class WrittenNumber(_Written, Decimal):
    """A JSON number that remembers its text (``text``); a ``numbers.Number`` for the schema's checks."""


class WrittenInt(_Written, int):
    """A JSON integer that remembers its text (``-0`` stays ``-0``); an ``int`` for the schema's ``integer`` type."""


@dataclass(frozen=True)
class Parsed:
    """A valid message: its values as text (None: missing), one per column of the stream, in order."""

    message: Message
    values: list[str | None]


@dataclass(frozen=True)
class Rejected:
    """An invalid message and why: ``reason`` says what, where and what to do."""

    message: Message
    reason: str


class DuplicateKey(ValueError):
    """A JSON object names one key twice (``key``: the name)."""

    def __init__(self, key: str) -> None:
        super().__init__(f"duplicate key {json.dumps(key, ensure_ascii=False)}")
        self.key = key


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``json.loads``'s ``object_pairs_hook`` (called for every object, nested ones too): the object as a dict.

    Raises DuplicateKey on the first name the object holds twice (Python docs, ``json.loads``:
    "object_pairs_hook ... is called with the result of any object literal decoded with an ordered list of pairs").
    """
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise DuplicateKey(key)
        out[key] = value
    return out


def _constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number (RFC 8259)")


def _as_json(value: Any) -> str:
    """Compact JSON text of a parsed value, numbers as written."""
    if isinstance(value, (WrittenNumber, WrittenInt)):
        return value.text
    if isinstance(value, dict):
        return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + _as_json(v) for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_as_json(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def as_text(value: Any) -> str | None:
    """A JSON value as staging text: None for null, strings as they are, everything else as its JSON text."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return _as_json(value)


@lru_cache(maxsize=64)
def _validator(schema_text: str) -> Any:
    import jsonschema

    schema = json.loads(schema_text)
    return jsonschema.validators.validator_for(schema)(schema)


def check(message: Message, options: StreamOptions) -> Parsed | Rejected:
    """Parse and validate one message (``options.payload_field`` holds its JSON text)."""
    import jsonschema

    text = message.fields.get(options.payload_field)
    if text is None:
        present = ", ".join(sorted(message.fields)) or "none"
        return Rejected(message, f"missing field: the entry has no {options.payload_field!r} field (fields: {present}) — put the JSON text there")
    try:
        data = json.loads(text, parse_float=WrittenNumber, parse_int=WrittenInt, parse_constant=_constant, object_pairs_hook=_unique_object)
    except DuplicateKey as exc:
        return Rejected(message, f"bad JSON: {exc}: an object holds this name twice, and only one value could be kept — send each name once")
    except (ValueError, InvalidOperation) as exc:
        return Rejected(message, f"bad JSON: {exc}")
    if not isinstance(data, dict):
        return Rejected(message, f"not a JSON object: the payload is a JSON {type(data).__name__}, the stream expects an object")
    fields = options.fields
    undeclared = [k for k in data if k not in fields]
    if undeclared:
        return Rejected(message, f"undeclared field: {', '.join(undeclared)} not among the schema's properties ({', '.join(fields)})")
    error = jsonschema.exceptions.best_match(_validator(json.dumps(options.schema, sort_keys=True)).iter_errors(data))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(the object)"
        return Rejected(message, f"schema: {where}: {error.message}")
    return Parsed(message, [as_text(data.get(name)) for name in fields])
