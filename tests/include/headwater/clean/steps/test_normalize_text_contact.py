"""The contact-field exemption is decided per column (breaker7 #5, phone8): a value that is one phone number or e-mail
address is left unmasked only in a contact column (its name says phone/tel/mobile/fax/contact/e-mail, or more than
half of its filled values are one number or address); in a prose column it is masked like any other, and a contact
column's unmasked values are counted in a warning."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest

from headwater.clean.frame import build_frame
from headwater.clean.steps.normalize_text import NormalizeText
from headwater.clean.text import contact_column, contact_values
from headwater.config.text import TextOptions


def _frame(header: list[str], rows: list[list[str | None]], first: int = 2) -> pd.DataFrame:
    return build_frame(header, rows, list(range(first, first + len(rows))), "d/x.csv")[0]


def _values(series: pd.Series) -> list:
    return [None if pd.isna(v) else v for v in series.tolist()]


# breaker7 in/phone4/a.csv (``body: {type: text}``): the values as written, and what lands in ``body``
PHONE4 = [
    ("Great service, will come back", "Great service, will come back"),
    ("4155552671", "4155552671"),  # a bare digit run without a phone word is no phone number (breaker7 #9)
    ("+1 415 555 2671", "[PHONE]"),
    ("(415) 555-2671 ", "[PHONE]"),
    ("415-555-2671 415-555-2672", "[PHONE] [PHONE]"),
    ("415-555-2671, ann@x.org", "[PHONE], [EMAIL]"),
    ("ann@x.org", "[EMAIL]"),
    ("tel: 415-555-2671", "tel: [PHONE]"),
    ("415-555-2671!", "[PHONE]!"),
    ("+1 415 555 2671 ext. 12", "[PHONE]"),
    ("Loved it. 415-555-2671", "Loved it. [PHONE]"),
    ("415 555 2671\n", "[PHONE]"),
    ("\u200e+1 415 555 2671\u200f", "[PHONE]"),
    ("415-555-2671 (cell)", "[PHONE] (cell)"),
    ("Jane 415-555-2671", "Jane [PHONE]"),
]


@pytest.mark.parametrize("by_column", [False, True])
def test_a_prose_column_masks_a_value_that_is_only_a_phone_number(by_column: bool) -> None:
    step = NormalizeText(None, None, {"body": "text"})
    frame = _frame(["body"], [[v] for v, _ in PHONE4])
    out = (step.apply_by_column(frame) if by_column else step.apply(frame)).kept
    assert _values(out["body"]) == [m for _, m in PHONE4]
    assert "body__raw" not in out.columns  # a masked value keeps no text of what it hid
    assert step.summary()["text_masked"] == {"body": {"emails": 2, "phones": 12}}
    assert step.contact == {"body": False}
    assert step.warnings() == []


@pytest.mark.parametrize("name", ["phone", "mobile_no", "tel", "fax_number", "contact", "email", "e_mail", "work_phone", "telephone", "whatsapp"])
def test_a_column_named_for_contacts_keeps_its_whole_values_and_says_how_many(name: str) -> None:
    rows = [["+1 415 555 2671"], ["ann@x.org"], ["no phone, ask at the desk"], ["call 415-555-2672 after 5"], [None]]
    step = NormalizeText()
    out = step.apply(_frame([name], rows)).kept
    assert _values(out[name]) == ["+1 415 555 2671", "ann@x.org", "no phone, ask at the desk", "call [PHONE] after 5", None]
    assert step.contact == {name: True}
    assert step.warnings() == []  # its name says what it holds: no news to the user, every day


def test_a_column_whose_values_are_mostly_one_number_is_a_contact_column() -> None:
    # breaker7 in/phone3/a.csv 'notes' (no config): every value is one number, so it is a contact column, counted
    rows = [["4155552671"], ["+1 415 555 2671"], ["020 7946 0958"], ["1709650200"], [""], ["hi, (415) 555-2671"]]
    step = NormalizeText()
    out = step.apply(_frame(["notes"], rows)).kept
    assert _values(out["notes"]) == ["4155552671", "+1 415 555 2671", "020 7946 0958", "1709650200", "", "hi, [PHONE]"]
    assert step.contact == {"notes": True}
    assert step.warnings()[0].startswith("notes: 2 value(s) that are one whole phone number or e-mail address were left unmasked")


def test_half_is_not_most() -> None:
    rows = [["+1 415 555 2671"], ["ann@x.org"], ["fine"], ["thanks a lot"]]
    step = NormalizeText()
    out = step.apply(_frame(["remark"], rows)).kept
    assert _values(out["remark"]) == ["[PHONE]", "[EMAIL]", "fine", "thanks a lot"]
    assert step.contact == {"remark": False} and step.warnings() == []


def test_the_decision_is_made_once_on_the_first_filled_batch() -> None:
    step = NormalizeText()
    first = step.apply(_frame(["body"], [[None], [" "]])).kept  # nothing filled: undecided
    assert step.contact == {} and _values(first["body"]) == [None, ""]
    second = step.apply(_frame(["body"], [["great"], ["+1 415 555 2671"], ["nice work"]], first=4)).kept
    third = step.apply(_frame(["body"], [["+1 415 555 2672"], ["+1 415 555 2673"]], first=7)).kept
    assert _values(second["body"]) == ["great", "[PHONE]", "nice work"]
    assert _values(third["body"]) == ["[PHONE]", "[PHONE]"]  # still the prose column it was found to be
    assert step.contact == {"body": False} and step.warnings() == []
    assert step.summary()["text_masked"] == {"body": {"phones": 3}}


def test_counts_add_up_over_batches() -> None:
    step = NormalizeText()
    step.apply(_frame(["numbers"], [["+1 415 555 2671"], ["(415) 555-2672"]]))  # a contact column by its values
    step.apply(_frame(["numbers"], [["415.555.2673"], ["4155552674"], ["ask Ann"]], first=4))
    assert step.warnings()[0].startswith("numbers: 3 value(s)")  # the bare run is no phone number at all: not counted


def test_mask_field_values_masks_everywhere_and_warns_of_nothing() -> None:
    step = NormalizeText(TextOptions(mask_field_values=True))
    out = step.apply(_frame(["phone", "body"], [["+1 415 555 2671", "+1 415 555 2672"], ["ann@x.org", "ok"]])).kept
    assert _values(out["phone"]) == ["[PHONE]", "[EMAIL]"] and _values(out["body"]) == ["[PHONE]", "ok"]
    assert step.contact == {} and step.warnings() == []


def test_a_typed_column_is_left_to_its_type() -> None:
    step = NormalizeText(None, None, {"amount": "number"})
    out = step.apply(_frame(["amount", "body"], [["415-555-2671", "415-555-2671"], ["1", "ok"], ["2", "fine"]])).kept
    assert _values(out["amount"]) == ["415-555-2671", "1", "2"]
    assert _values(out["body"]) == ["[PHONE]", "ok", "fine"]
    assert "amount" not in step.contact


@pytest.mark.parametrize(
    ("name", "values", "decided"),
    [
        ("phone", [None], True),
        ("hotel", ["Ritz"], False),
        ("cellar", ["x"], False),
        ("ids", ["4155552671", "20240305", "x y"], True),  # digit runs: whole values (a bare run is masked nowhere anyway)
        ("body", [None, "", "  "], None),
        ("body", ["a", "b@x.org", "+1 415 555 2671"], True),
    ],
)
def test_contact_column(name: str, values: list[str | None], decided: bool | None) -> None:
    assert contact_column(name, pa.array(values, pa.large_string())) is decided


def test_contact_values_counts_phones_and_addresses_written_whole() -> None:
    values = ["+1 415 555 2671", " (415) 555-2671 ", "+44 (0) 20 7946 0958", "020 7946 0958", "ann@x.org", "Ann <ann@x.org>",
              "4155552671", "call 415-555-2671", "12-34", None, ""]  # fmt: skip
    arr = pa.array(values, pa.large_string())
    assert contact_values(arr, ["phones", "emails"]) == 6
    assert contact_values(arr, ["phones"]) == 4
    assert contact_values(arr, ["emails"]) == 2
    assert contact_values(arr, []) == 0


def test_a_column_of_numeric_dates_is_no_contact_column_and_counts_nothing() -> None:
    # 2024-01-05 is digits joined by hyphens, the shape of a whole number libphonenumber would read: not a contact value
    rows = [["2024-01-05"], ["05/01/2024"], ["2024-01-05 10:00"], ["2024.01.05"]]
    step = NormalizeText()
    out = step.apply(_frame(["when"], rows)).kept
    assert _values(out["when"]) == ["2024-01-05", "05/01/2024", "2024-01-05 10:00", "2024.01.05"]
    assert step.contact == {"when": False}
    assert step.warnings() == []


def test_a_column_of_signed_or_decimal_numbers_is_no_contact_column() -> None:
    # a tweet id written negative, a score with 20 decimals: numbers, not phone numbers (the fresh clone's test_stage_values)
    rows = [["-4611686018427387905", "0.12345678901234567890"], ["-1234567890", "1.5"], ["42", "2.25"]]
    step = NormalizeText()
    step.apply(_frame(["status", "score"], rows))
    assert step.contact == {"status": False, "score": False}
    assert step.warnings() == []
