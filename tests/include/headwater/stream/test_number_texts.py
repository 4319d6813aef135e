"""A stream event's JSON number keeps its text where the stored number shows another (breaker5 #12, README "Streams"),
and its date-times are never masked as phone numbers (breaker5 #12: ``2024-03-05 14.30`` became ``[PHONE].30``)."""

from __future__ import annotations

import pandas as pd

from headwater.clean.frame import build_frame
from headwater.clean.pipeline import run_steps
from headwater.config.source import SourceConfig
from headwater.stream.batch import NUMBER_TEXT_REASON, cleaning_config, stream_steps

SCHEMA = {
    "type": "object",
    "required": ["ticket_id", "body"],
    "properties": {
        "ticket_id": {"type": "string"}, "body": {"type": "string"}, "amount": {"type": ["number", "null"]},
        "n": {"type": "integer"}, "opened": {"type": ["string", "null"]},
    },
}


def _curated(rows: list[list[str | None]]) -> dict[str, list]:
    config = cleaning_config(SourceConfig.from_mapping({"name": "t", "stream": {"name": "t", "schema": SCHEMA, "text_fields": ["body"], "id_field": "ticket_id"}}))
    frame, _ = build_frame(["ticket_id", "body", "amount", "n", "opened"], rows, list(range(1, len(rows) + 1)), "stream:t", config)
    curated = run_steps(frame, stream_steps(config)).curated
    return {c: [None if pd.isna(v) else v for v in curated[c]] for c in curated.columns}


def test_a_number_whose_text_the_stored_number_does_not_show_keeps_it() -> None:
    got = _curated([
        ["T-1", "a", "1.10", "5", None], ["T-2", "b", "2.5", "-0", None], ["T-3", "c", "1e2", "7", None], ["T-4", "d", "5", None, None],
        ["T-5", "e", "0.30", "12", None],
    ])
    assert got["amount"] == [1.1, 2.5, 100.0, 5.0, 0.3]
    assert got["amount__raw"] == ["1.10", None, "1e2", None, "0.30"]  # 2.5 and the JSON integer 5 are what the number shows
    assert got["amount__reason"] == [NUMBER_TEXT_REASON, None, NUMBER_TEXT_REASON, None, NUMBER_TEXT_REASON]
    assert got["n"] == [5, 0, 7, None, 12]
    assert got["n__raw"] == [None, "-0", None, None, None]


def test_a_date_time_field_and_a_date_in_the_body_are_not_masked() -> None:
    got = _curated([
        ["T-1", "Meeting on 2024-03-05 14.30 with Ann", None, None, "2024-03-05 14.30"],
        ["T-2", "call 415-555-2671 now", None, None, "2024-03-06 09.15"],
    ])
    assert got["opened"] == ["2024-03-05 14.30", "2024-03-06 09.15"]  # was [PHONE].30, no raw
    assert got["body"] == ["Meeting on 2024-03-05 14.30 with Ann", "call [PHONE] now"]
    assert "opened__reason" not in got
