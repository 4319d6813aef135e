"""What every configuration model shares: unknown keys are errors, and errors read ``key: problem``.

pydantic (v2) validates; this module only words its errors the way Headwater always has,
so a message names the key, the value and what is allowed, e.g.
``types.on_error: 'drop' is not one of keep_raw, quarantine`` or
``HEADWATER_CHUNK_TOKENS='many': expected an integer``. The YAML loader prefixes the file.
Source: pydantic's error types, https://docs.pydantic.dev/latest/errors/validation_errors/
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import annotated_types
from pydantic import BaseModel, ConfigDict, ValidationError


class ConfigError(ValueError):
    """A configuration value is invalid; the message names where (file or variable), the key and the problem."""


class ConfigModel(BaseModel):
    """Base of the source-config sections: unknown keys are errors; types are checked strictly
    (``yes`` is not a boolean, ``"80"`` not an integer) so a typo never changes meaning."""

    model_config = ConfigDict(extra="forbid", strict=True, validate_assignment=False, frozen=False)

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise ConfigError(describe_errors(exc, type(self))) from None


def _fmt_bound(value: float | None, default: str) -> str:
    return default if value is None or (isinstance(value, float) and math.isinf(value)) else str(value)


def _bounds(model: type[BaseModel] | None, loc: tuple[Any, ...]) -> str | None:
    """``[lo, hi]`` / ``(lo, hi]`` of a constrained number field, from its annotated_types metadata."""
    field = None
    for part in loc:
        if model is None or not isinstance(part, str) or part not in model.model_fields:
            return None
        field = model.model_fields[part]
        ann = field.annotation
        model = ann if isinstance(ann, type) and issubclass(ann, BaseModel) else None
    if field is None:
        return None
    lo = hi = None
    lo_open = hi_open = False
    for meta in field.metadata:
        if isinstance(meta, annotated_types.Ge):
            lo = meta.ge
        elif isinstance(meta, annotated_types.Gt):
            lo, lo_open = meta.gt, True
        elif isinstance(meta, annotated_types.Le):
            hi = meta.le
        elif isinstance(meta, annotated_types.Lt):
            hi, hi_open = meta.lt, True
    if lo is None and hi is None:
        return None
    return f"{'(' if lo_open else '['}{_fmt_bound(lo, '-inf')}, {_fmt_bound(hi, 'inf')}{')' if hi_open else ']'}"


def _choices(expected: str) -> str:
    """pydantic's ``'a', 'b' or 'c'`` -> ``a, b, c``."""
    return ", ".join(p.strip().strip("'") for p in re.split(r",| or ", expected) if p.strip())


def error_message(error: dict[str, Any], model: type[BaseModel] | None = None) -> str:
    """One pydantic error as Headwater words it (without the key)."""
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"expected an integer, got {value!r}"
    if kind in ("float_parsing", "float_type"):
        return f"expected a number, got {value!r}"
    if kind in ("bool_parsing", "bool_type"):
        return f"expected true or false, got {value!r}"
    if kind in ("string_type",):
        return f"expected a string, got {value!r}"
    if kind in ("list_type", "tuple_type"):
        return f"expected a list, got {value!r}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"expected a mapping, got {type(value).__name__} {value!r}"
    if kind == "literal_error":
        return f"{value!r} is not one of {_choices(str(ctx.get('expected', '')))}"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        bounds = _bounds(model, tuple(error["loc"]))
        return f"{value!r} must be in {bounds}" if bounds else error["msg"]
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "missing"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    return error["msg"]


def describe_errors(exc: ValidationError, model: type[BaseModel] | None = None,
                    name: Callable[[tuple[Any, ...]], str] | None = None) -> str:
    """``key: problem`` for the first error (the one to fix first), the key dotted (``columns.body.strategy``).

    A validator that raises ``ValueError("key: problem")`` for a key of its own keeps that key.
    """
    error = exc.errors(include_url=False)[0]
    loc = tuple(error["loc"])
    message = error_message(error, model)
    key = name(loc) if name else ".".join(str(p) for p in loc)
    if error["type"] == "value_error" and re.match(r"^[A-Za-z_][\w.]*: ", message):
        return f"{key}.{message}" if key else message
    shown = repr(error.get("input"))
    if key.endswith("=" + shown) and message.startswith(shown + " "):
        message = message[len(shown) + 1 :]  # HEADWATER_X='2': must be in [8, inf]
    return f"{key}: {message}" if key else message
