"""Small checks shared by the config dataclasses: each raises ValueError starting with the key.

The YAML loader (headwater.sources) prefixes the file and section, so a bad value
reads ``config/sources/crm.yaml: types.on_error: 'drop' is not one of keep_raw, quarantine``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def check_choice(key: str, value: Any, choices: Iterable[Any]) -> None:
    choices = tuple(choices)
    if value not in choices:
        raise ValueError(f"{key}: {value!r} is not one of {', '.join(map(str, choices))}")


def check_range(key: str, value: Any, low: float | None = None, high: float | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{key}: expected a number, got {value!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        lo = "-inf" if low is None else low
        hi = "inf" if high is None else high
        raise ValueError(f"{key}: {value!r} must be in [{lo}, {hi}]")


def check_type(key: str, value: Any, kind: type | tuple[type, ...], what: str) -> None:
    if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
        raise ValueError(f"{key}: expected {what}, got {value!r}")
    if not isinstance(value, kind):
        raise ValueError(f"{key}: expected {what}, got {value!r}")


def help_text(cls: type) -> dict[str, str]:
    """field name -> help text, for docs and error hints."""
    from dataclasses import fields

    return {f.name: f.metadata.get("help", "") for f in fields(cls)}
