"""What every configuration model shares: unknown keys are errors, and errors read ``key: problem``.

pydantic (v2) validates; this module only words its errors the way Headwater always has,
so a message names the key, the value and what is allowed, e.g.
``types.on_error: 'drop' is not one of keep_raw, quarantine``,
``types.on_eror: unknown key (did you mean on_error?); expected one of on_error, infer, ...`` or
``HEADWATER_CHUNK_TOKENS='many': expected an integer``. The YAML loader prefixes the file.
Source: pydantic's error types, https://docs.pydantic.dev/latest/errors/validation_errors/
"""

from __future__ import annotations

import difflib
import math
import re
import types
import typing
from collections.abc import Callable, Mapping
from typing import Annotated, Any, ClassVar, Literal

import annotated_types
from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError
from pydantic.fields import FieldInfo


class ConfigError(ValueError):
    """A configuration value is invalid; the message names where (file or variable), the key and the problem."""


class ConfigModel(BaseModel):
    """Base of the source-config sections: unknown keys are errors; types are checked strictly
    (the string ``"yes"`` is not a boolean, ``"80"`` not an integer) so a typo never changes meaning.

    ``Model(**values)`` and ``Model.from_mapping(mapping)`` raise ConfigError (a ValueError) worded
    by ``describe_errors``; ``positional`` names the fields a caller may also pass by position,
    as with the dataclasses these models replaced (``ImputeSpec("median")``).
    Source: https://docs.pydantic.dev/latest/concepts/models/
    """

    model_config = ConfigDict(extra="forbid", strict=True, validate_assignment=False, frozen=False)

    positional: ClassVar[tuple[str, ...]] = ()
    # The field that is the key of the mapping this model sits in (schema.columns.<name>): not a YAML key.
    keyed_by: ClassVar[str | None] = None

    def __init__(self, /, *args: Any, **data: Any) -> None:
        if len(args) > len(self.positional):
            raise TypeError(f"{type(self).__name__} takes at most {len(self.positional)} positional arguments ({len(args)} given)")
        for name, value in zip(self.positional, args):
            if name in data:
                raise TypeError(f"{type(self).__name__} got two values for {name}")
            data[name] = value
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise ConfigError(describe_errors(exc, type(self), data=data, prefix=self.error_prefix(data))) from None

    # Marks this __init__ as pydantic's own (as BaseModel.__init__ and RootModel.__init__ are marked):
    # a model nested in another is then validated by pydantic-core directly, not through this
    # __init__, so its errors keep their location (schema.columns.amount.type) instead of being
    # worded once per level. Source: pydantic/_internal/_model_construction.py (__pydantic_custom_init__).
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @classmethod
    def error_prefix(cls, data: Mapping[str, Any]) -> str:
        """The key errors of a directly built instance start with ('' here; a column's name for ColumnSpec)."""
        return ""

    @classmethod
    def from_mapping(cls, mapping: Any) -> typing.Self:
        """Build from a parsed YAML mapping (None: the defaults); raise ConfigError naming the dotted key."""
        data = {} if mapping is None else mapping
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise ConfigError(describe_errors(exc, cls, data=data)) from None


# ------------------------------------------------------------------ shared field types


def _column_names(value: Any) -> Any:
    if isinstance(value, tuple):
        value = list(value)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"expected a list of column names, got {value!r}")
    return value


def _strings(value: Any) -> Any:
    """A YAML list of names or spellings: one string stands for a list of one; YAML integers (2024, -999) are names too."""
    if isinstance(value, str):
        value = [value]
    if isinstance(value, (list, tuple)):
        return [str(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in value]
    return value


def strategy_shorthand(model: type[BaseModel]) -> Callable[[Any], Any]:
    """A pydantic before-validator reading ``name: <strategy>`` as ``name: {strategy: <strategy>}``.

    What passes: a strategy name (as the mapping), a mapping or an instance of ``model`` (as is).
    Raises ValueError (pydantic reports only that) for anything else.
    """

    def read(value: Any) -> Any:
        if isinstance(value, str):
            return {"strategy": value}
        if not isinstance(value, (Mapping, model)):
            raise ValueError(f"expected a strategy name or a mapping, got {type(value).__name__}")  # noqa: TRY004 - pydantic reports ValueError only
        return value

    return read


# A list of column names (standardized or canonical names as they appear in the curated table).
ColumnNames = Annotated[list[str], BeforeValidator(_column_names, json_schema_input_type=list[str])]
# A list of strings, written as one string or a list; YAML integers are read as their digits.
Strings = Annotated[list[str], BeforeValidator(_strings, json_schema_input_type=str | list[str | int])]


# ------------------------------------------------------------------ reading a model's fields


def unwrap(annotation: Any) -> Any:
    """``Annotated[X, ...]`` -> X and ``X | None`` -> X (the type a value of the field has once set)."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


def model_of(annotation: Any) -> type[BaseModel] | None:
    tp = unwrap(annotation)
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def choices(annotation: Any) -> tuple[Any, ...]:
    """The allowed values of a ``Literal`` field (also inside Optional/Annotated), else ()."""
    tp = unwrap(annotation)
    return typing.get_args(tp) if typing.get_origin(tp) is Literal else ()


def show_choice(value: Any) -> str:
    """``keep_raw``, ``True``, ``'\\t'``: plain words bare, anything else as Python writes it."""
    return value if isinstance(value, str) and re.fullmatch(r"[\w.-]+", value) else repr(value) if isinstance(value, str) else str(value)


def bounds(field: FieldInfo) -> str | None:
    """``[lo, hi]`` / ``(lo, hi]`` of a constrained number field, from its annotated_types metadata."""
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


def _fmt_bound(value: Any, default: str) -> str:
    return default if value is None or (isinstance(value, float) and math.isinf(value)) else str(value)


def yaml_keys(model: type[BaseModel]) -> list[str]:
    """The keys a YAML mapping of ``model`` may hold (its fields, less the one that is its mapping key)."""
    keyed_by = getattr(model, "keyed_by", None)
    return [name for name in model.model_fields if name != keyed_by]


def _resolve(model: type[BaseModel] | None, loc: tuple[Any, ...]) -> tuple[Any, FieldInfo | None]:
    """(the type of the value at ``loc``, the field of its last key when that key is a model field),
    walking model fields, dict values and list items; (None, None) when ``loc`` leaves the models."""
    current: Any = model
    field: FieldInfo | None = None
    for part in loc:
        current_model = model_of(current)
        field = None
        if current_model is not None:
            if not isinstance(part, str) or part not in current_model.model_fields:
                return None, None
            field = current_model.model_fields[part]
            current = field.annotation
            continue
        tp = unwrap(current)
        origin, args = typing.get_origin(tp), typing.get_args(tp)
        if origin is dict and len(args) == 2:
            current = args[1]
        elif origin in (list, tuple) and args:
            current = args[0]
        else:
            return None, None
    return current, field


# ------------------------------------------------------------------ wording errors


def error_message(error: Mapping[str, Any], model: type[BaseModel] | None = None) -> str:
    """One pydantic error as Headwater words it (without the key)."""
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    loc = tuple(error["loc"])
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"expected an integer, got {value!r}"
    if kind in ("float_parsing", "float_type"):
        return f"expected a number, got {value!r}"
    if kind in ("bool_parsing", "bool_type"):
        return f"expected true or false, got {value!r}"
    if kind.startswith("date_") or kind in ("date_type",):
        return f"expected a date (YYYY-MM-DD), got {value!r}"
    if kind in ("string_type",):
        return f"expected a string, got {value!r}"
    if kind in ("list_type", "tuple_type"):
        return f"expected a list, got {value!r}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"expected a mapping, got {type(value).__name__} {value!r}"
    if kind == "literal_error":
        _, field = _resolve(model, loc)
        allowed = choices(field.annotation) if field is not None else ()
        shown = ", ".join(map(show_choice, allowed)) if allowed else _split_expected(str(ctx.get("expected", "")))
        return f"{value!r} is not one of {shown}"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        _, field = _resolve(model, loc)
        interval = bounds(field) if field is not None else None
        return f"{value!r} must be in {interval}" if interval else error["msg"]
    if kind == "extra_forbidden":
        owner = model_of(_resolve(model, loc[:-1])[0])
        if owner is None:
            return "unknown key"
        known = yaml_keys(owner)
        close = difflib.get_close_matches(str(loc[-1]), known, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        return f"unknown key{hint}; expected one of {', '.join(known)}"
    if kind == "missing":
        return "missing"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    return error["msg"]


def _split_expected(expected: str) -> str:
    """pydantic's ``'a', 'b' or 'c'`` -> ``a, b, c`` (when the field's Literal cannot be found)."""
    return ", ".join(p.strip().strip("'") for p in re.split(r",| or ", expected) if p.strip())


def dotted(loc: tuple[Any, ...], data: Any = None) -> str:
    """The dotted key of an error location, read against the input: a list index that stands for a
    mapping key (``schema.columns`` is a mapping in YAML, a list once validated) becomes that key."""
    parts: list[str] = []
    current = data
    for part in loc:
        if isinstance(current, Mapping):
            if part in current:
                current = current[part]
            elif isinstance(part, int) and 0 <= part < len(current):
                part = list(current)[part]
                current = current[part]
            else:
                current = None
        elif isinstance(current, (list, tuple)) and isinstance(part, int) and 0 <= part < len(current):
            current = current[part]
        else:
            current = None
        parts.append(str(part))
    return ".".join(parts)


_KEYED = re.compile(r"^[A-Za-z_][\w.]*: ")


def describe_errors(
    exc: ValidationError,
    model: type[BaseModel] | None = None,
    name: Callable[[tuple[Any, ...]], str] | None = None,
    data: Any = None,
    prefix: str = "",
) -> str:
    """``key: problem`` for the first error (the one to fix first), the key dotted (``columns.body.strategy``).

    ``data`` is the validated input (it names list positions that were mapping keys); ``prefix``
    starts every key. A validator that raises ``ValueError("key: problem")`` for a key of its own
    keeps that key, appended to the error's location.
    """
    error = exc.errors(include_url=False)[0]
    loc = tuple(error["loc"])
    message = error_message(error, model)
    key = name(loc) if name else dotted(loc, data)
    key = ".".join(p for p in (prefix, key) if p)
    if error["type"] == "value_error" and _KEYED.match(message):
        return f"{key}.{message}" if key else message
    shown = repr(error.get("input"))
    if key.endswith("=" + shown) and message.startswith(shown + " "):
        message = message[len(shown) + 1 :]  # HEADWATER_X='2': must be in [8, inf]
    return f"{key}: {message}" if key else message
