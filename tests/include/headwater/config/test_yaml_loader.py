"""Source YAML read strictly (breaker4 #18, #19): a key written twice is an error, and only YAML 1.2's
``true``/``false`` are booleans (``NO`` is Norway, not False)."""

from __future__ import annotations

from pathlib import Path

import pytest

from headwater.config.base import ConfigError
from headwater.config.source import load_source

SHIP = """files: [ship*.csv]
schema:
  name: ship
  columns:
    id: {{type: string, identifier: true}}
    country: {{type: string, allowed: [{allowed}]}}
    weight: {{type: number, max: 1000}}
{extra}"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ship.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("extra", "line", "key", "first"),
    [
        ("    weight: {type: number}\n", 8, "weight", 7),  # the breaker's example: the max rule would vanish
        ("types: {dayfirst: true}\ntypes: {on_error: keep_raw}\n", 9, "types", 8),  # a section twice: dayfirst would vanish
        ("types: {dayfirst: true, dayfirst: false}\n", 8, "dayfirst", 8),  # inside a flow mapping
    ],
)
def test_a_key_written_twice_is_an_error_naming_both_lines(tmp_path: Path, extra: str, line: int, key: str, first: int) -> None:
    path = _write(tmp_path, SHIP.format(allowed="GB, SE", extra=extra))
    with pytest.raises(ConfigError) as err:
        load_source(path)
    message = str(err.value)
    assert message.startswith(f"{path}: not valid YAML: ")
    assert f"duplicate key {key!r} (first at line {first})" in message and f"line {line}," in message


@pytest.mark.parametrize("codes", ["GB, NO, SE, DK", "Y, N", "yes, no", "on, off", "y, n, Yes, NO, Off"])
def test_yaml_1_1_booleans_are_strings(tmp_path: Path, codes: str) -> None:
    config = load_source(_write(tmp_path, SHIP.format(allowed=codes, extra="")))
    country = next(c for c in config.schema.columns if c.name == "country")
    assert country.allowed == [c.strip() for c in codes.split(",")]


def test_true_and_false_are_booleans_and_yes_for_a_boolean_option_is_an_error(tmp_path: Path) -> None:
    config = load_source(_write(tmp_path, SHIP.format(allowed="GB", extra="types: {dayfirst: TRUE}\ndedup: {text: {verify: false}}\n")))
    assert config.types.dayfirst is True and config.dedup.text.verify is False
    path = _write(tmp_path, SHIP.format(allowed="GB", extra="dedup: {text: {verify: yes}}\n"))
    with pytest.raises(ConfigError, match=r"dedup\.text\.verify: expected true or false, got 'yes'"):
        load_source(path)  # loud, never a silent reading of a string as a boolean
