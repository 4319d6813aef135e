"""One message -> its record's values as text, or a dead letter with its reason: exact values per kind."""

from __future__ import annotations

import json

import pytest

from headwater.config.base import ConfigError
from headwater.config.source import SourceConfig
from headwater.config.stream import StreamOptions
from headwater.stream.source import Message
from headwater.stream.validate import Parsed, Rejected, check

SCHEMA = {
    "type": "object",
    "required": ["ticket_id", "body"],
    "properties": {
        "ticket_id": {"type": "string"},
        "body": {"type": "string", "minLength": 1},
        "priority": {"type": "integer", "minimum": 1},
        "amount": {"type": ["number", "null"]},
        "tags": {"type": "array"},
        "urgent": {"type": "boolean"},
    },
}
OPTIONS = StreamOptions(name="tickets", schema=SCHEMA, text_fields=["body"], id_field="ticket_id")


def _check(payload: str | None, **fields: str) -> Parsed | Rejected:
    return check(Message("1-0", ({} if payload is None else {"data": payload}) | fields), OPTIONS)


def test_values_land_as_written_one_per_property_sorted_by_name() -> None:
    got = _check('{"body": "Printer  on fire", "ticket_id": "T-1", "amount": 1.10, "priority": 7, "tags": [1.50, {"k": null}], "urgent": false}')
    assert isinstance(got, Parsed)
    assert OPTIONS.fields == ["amount", "body", "priority", "tags", "ticket_id", "urgent"]  # sorted, not as declared
    assert got.values == ["1.10", "Printer  on fire", "7", '[1.50,{"k":null}]', "T-1", "false"]


def test_absent_and_null_properties_are_missing() -> None:
    got = _check('{"ticket_id": "T-2", "body": "x", "amount": null}')
    assert isinstance(got, Parsed)
    assert got.values == [None, "x", None, None, "T-2", None]


def test_exponent_and_negative_zero_keep_their_spelling() -> None:
    got = _check('{"ticket_id": "T-3", "body": "x", "amount": 1E5, "priority": 2}')
    assert isinstance(got, Parsed) and dict(zip(OPTIONS.fields, got.values)) == {
        "amount": "1E5", "body": "x", "priority": "2", "tags": None, "ticket_id": "T-3", "urgent": None}


@pytest.mark.parametrize(
    ("payload", "fields", "reason"),
    [
        ("{bad", {}, "bad JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
        ("", {}, "bad JSON: Expecting value: line 1 column 1 (char 0)"),
        ('{"ticket_id": "T-1", "body": "x"} trailing', {}, "bad JSON: Extra data: line 1 column 35 (char 34)"),
        ('{"ticket_id": "T-1", "body": "x", "amount": NaN}', {}, "bad JSON: NaN is not a JSON number (RFC 8259)"),
        ("[1, 2]", {}, "not a JSON object: the payload is a JSON list, the stream expects an object"),
        ('"just text"', {}, "not a JSON object: the payload is a JSON str, the stream expects an object"),
        (None, {"body": "x"}, "missing field: the entry has no 'data' field (fields: body) — put the JSON text there"),
        (None, {}, "missing field: the entry has no 'data' field (fields: none) — put the JSON text there"),
        ('{"ticket_id": "T-1"}', {}, "schema: (the object): 'body' is a required property"),
        ('{"ticket_id": "T-1", "body": ""}', {}, "schema: body: '' should be non-empty"),
        ('{"ticket_id": "T-1", "body": "x", "priority": 0}', {}, "schema: priority: 0 is less than the minimum of 1"),
        ('{"ticket_id": "T-1", "body": "x", "priority": 1.5}', {}, "schema: priority: 1.5 is not of type 'integer'"),
        ('{"ticket_id": 17, "body": "x"}', {}, "schema: ticket_id: 17 is not of type 'string'"),
        ('{"ticket_id": "T-1", "body": "x", "urgent": "yes"}', {}, "schema: urgent: 'yes' is not of type 'boolean'"),
        (
            '{"ticket_id": "T-1", "body": "x", "owner": "ann"}',
            {},
            "undeclared field: owner not among the schema's properties (amount, body, priority, tags, ticket_id, urgent)",
        ),
    ],
)
def test_each_bad_message_kind_is_rejected_with_its_reason(payload: str | None, fields: dict[str, str], reason: str) -> None:
    got = _check(payload, **fields)
    assert got == Rejected(Message("1-0", ({} if payload is None else {"data": payload}) | fields), reason)


def test_payload_field_is_configurable() -> None:
    options = StreamOptions(name="t", schema=SCHEMA, payload_field="json")
    assert check(Message("1-0", {"json": json.dumps({"ticket_id": "a", "body": "b"})}), options) == Parsed(
        Message("1-0", {"json": '{"ticket_id": "a", "body": "b"}'}), [None, "b", None, None, "a", None]
    )


@pytest.mark.parametrize(
    ("stream", "error"),
    [
        ({"name": "t", "schema": {"type": "objekt", "properties": {"a": {}}}}, "stream.schema: not a valid JSON Schema:"),
        ({"name": "t", "schema": {"type": "object"}}, "stream.schema: must declare the message's fields under 'properties'"),
        (
            {"name": "t", "schema": {"type": "object", "properties": {"a": {}}}, "text_fields": ["b"]},
            "stream: text_fields and id_field may name only properties of the schema (a), not b",
        ),
        ({"name": "t", "schema": {"type": "object", "properties": {"a": {}}}, "ttl_seconds": 0}, "stream.ttl_seconds:"),
        ({"name": "t", "schema": {"type": "object", "properties": {"a": {}}}, "ttl": 5}, "stream.ttl: unknown key"),
    ],
)
def test_stream_config_errors_name_the_key(stream: dict, error: str) -> None:
    with pytest.raises(ConfigError) as raised:
        SourceConfig.from_mapping({"name": "t", "stream": stream})
    assert str(raised.value).startswith(error), str(raised.value)


def test_stream_streams_default_after_the_name() -> None:
    options = SourceConfig.from_mapping({"name": "t", "stream": {"name": "tickets", "schema": SCHEMA}}).stream
    assert (options.dead_letters, options.outputs, options.ttl_seconds, options.fields[:2]) == ("tickets:dead", "tickets:out", 86400, ["amount", "body"])


DUPLICATE = "an object holds this name twice, and only one value could be kept — send each name once"


@pytest.mark.parametrize(
    ("payload", "key"),
    [
        ('{"ticket_id": "T-1", "body": "first body", "body": "second body wins"}', "body"),  # breaker3 #5
        ('{"ticket_id": "T-1", "ticket_id": "T-1", "body": "x"}', "ticket_id"),  # the same value twice: still ambiguous
        ('{"ticket_id": "T-1", "body": "x", "tags": [{"k": 1, "b": [1, 2], "k": 2}]}', "k"),  # inside an array
        ('{"ticket_id": "T-1", "body": "x", "tags": [{"a": {"deep": null, "deep": "y"}}]}', "deep"),  # two levels down
        ('{"ticket_id": "T-1", "body": "x", "tags": [{"Body": 1, "body": 2, "caf\\u00e9": 1, "café": 2}]}', "café"),  # an escape is the same name; case differs
        ('{"ticket_id": "T-1", "body": "x", "owner": 1, "owner": 2}', "owner"),  # an undeclared name: the duplicate is found first
    ],
)
def test_a_name_repeated_in_one_object_at_any_depth_is_a_dead_letter(payload: str, key: str) -> None:
    assert _check(payload) == Rejected(Message("1-0", {"data": payload}), f'bad JSON: duplicate key "{key}": {DUPLICATE}')


def test_the_same_name_in_two_objects_or_as_a_value_is_no_duplicate() -> None:
    got = _check('{"ticket_id": "T-1", "body": "body", "tags": [{"body": 1}, {"body": 2}, "body"]}')
    assert isinstance(got, Parsed)
    assert got.values == [None, "body", None, '[{"body":1},{"body":2},"body"]', "T-1", None]
