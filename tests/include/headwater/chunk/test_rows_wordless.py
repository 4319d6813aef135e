"""A free-text value that holds nothing to search for (``.``, ``-``, ``👍``, an e-mail masked to ``[EMAIL]``) is treated
like an empty one for the row documents (breaker10 F13): under ``rows: {mode: auto}`` its row gets a row document, which
shows the value as a ``Notes: 👍`` line, and the value gets no chunk of its own (counted in
``chunking.values_without_words``).

Before: each such row got a chunk of that text alone (``.``, ``[EMAIL]``, ``👍``, ``-``) and no row document, so it could
not be found by its name, amount or date; breaker10 in/rd gave documents 4, rows_with_text 5."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from test_rows_sparse_text import AUTO, DECLARED, NOTE, customers, document, rows_info, run

from headwater.chunk.table import has_words

# row number (0-9) -> note; rows 0, 2, 9 have none
NOTES = {1: ".", 3: "👍", 4: "ann.lee@example.com", 5: "-", 6: "...", 7: NOTE, 8: "👍 ok"}
SHOWN = {1: ".", 3: "👍", 4: "[EMAIL]", 5: "-", 6: "..."}  # the notes without words, as curated (the e-mail masked)


def shown(i: int) -> str:
    """Row ``i``'s document: its fields, then its note when the note has no words."""
    return document(i) + (f"\nNotes: {SHOWN[i]}" if i in SHOWN else "")


@pytest.mark.parametrize(
    ("value", "expected"),
    [(".", False), ("-", False), ("...", False), ("👍", False), ("👍🏽👍", False), (":)", False), ("#️⃣", False), ("—", False),
     ("[EMAIL]", False), ("[EMAIL] [PHONE]", False), ("[URL].", False), ("[CARD]", False), ("[IBAN] -", False),
     ("ok", True), ("5", True), ("1️⃣", True), ("👍 ok", True), ("Ответ", True), ("好", True), ("²", True),
     ("[EMAIL] thanks", True), ("[NOTE]", True), ("[email]", True)],
)
def test_has_words_is_a_letter_or_digit_outside_the_mask_placeholders(value: str, expected: bool) -> None:
    assert has_words(value) is expected


@pytest.mark.parametrize("batch_rows", [100_000, 3, 1])
def test_rows_whose_note_has_no_words_get_a_document_showing_it_and_no_chunk(tmp_path: Path, batch_rows: int) -> None:
    chunks, manifest, _, _ = run(tmp_path, customers(NOTES), DECLARED, batch_rows)
    assert chunks[["line", "column", "text"]].values.tolist() == [
        [9, "notes", NOTE], [10, "notes", "👍 ok"],  # the notes with words: chunks, as before
        *([i + 2, "_row", shown(i)] for i in (0, 1, 2, 3, 4, 5, 6, 9)),
    ]
    docs = chunks[chunks["column"] == "_row"]
    assert [list(c) for c in docs["columns"]] == [
        ["name", "city", "amount", *(["notes"] if i in SHOWN else [])] for i in (0, 1, 2, 3, 4, 5, 6, 9)
    ]
    assert (manifest["chunks"], manifest["row_documents"], manifest["curated"]) == (10, 8, 10)
    assert manifest["chunking"]["rows"] == rows_info(8, 2, AUTO)
    assert manifest["chunking"]["values_without_words"] == {"notes": 5}
    assert manifest["chunking"]["values_without_chunks"] == {"notes": 0}
    rows = manifest["chunking"]["rows"]
    assert rows["documents"] + rows["blank_rows"] + rows["rows_with_text"] == manifest["curated"]
    # every non-empty note is a chunk's, a value without a chunk, or shown in its row's document
    assert 2 + manifest["chunking"]["values_without_chunks"]["notes"] + manifest["chunking"]["values_without_words"]["notes"] == 7


def test_on_shows_a_note_without_words_in_every_document_and_chunks_the_others(tmp_path: Path) -> None:
    chunks, manifest, _, _ = run(tmp_path, customers(NOTES), DECLARED + "rows: {mode: on}\n")
    assert chunks[["line", "column", "text"]].values.tolist() == [
        [9, "notes", NOTE], [10, "notes", "👍 ok"], *([i + 2, "_row", shown(i)] for i in range(10)),
    ]
    assert manifest["chunking"]["values_without_words"] == {"notes": 5}
    assert (manifest["chunking"]["rows"]["documents"], manifest["chunking"]["rows"]["rows_with_text"]) == (10, 0)


def test_on_with_text_chunks_shows_each_note_once_a_chunk_or_the_value(tmp_path: Path) -> None:
    chunks, _, _, _ = run(tmp_path, customers(NOTES), DECLARED + "rows: {mode: on, text_chunks: 1}\n")
    docs = chunks[chunks["column"] == "_row"]["text"].tolist()
    assert docs[1] == document(1) + "\nNotes: ."
    assert docs[7] == document(7) + f"\nNotes: {NOTE}"
    assert docs[8] == document(8) + "\nNotes: 👍 ok"
    assert chunks[chunks["column"] == "notes"]["text"].tolist() == [NOTE, "👍 ok"]


def test_off_chunks_every_note_as_before(tmp_path: Path) -> None:
    chunks, manifest, _, _ = run(tmp_path, customers(NOTES), DECLARED + "rows: {mode: off}\n")
    assert chunks[["line", "column", "text"]].values.tolist() == [
        [3, "notes", "."], [5, "notes", "👍"], [6, "notes", "[EMAIL]"], [7, "notes", "-"], [8, "notes", "..."],
        [9, "notes", NOTE], [10, "notes", "👍 ok"],
    ]
    assert manifest["chunking"]["rows"] is None and manifest["row_documents"] == 0
    assert manifest["chunking"]["values_without_words"] == {"notes": 0}


def test_only_notes_without_words_give_every_row_a_document(tmp_path: Path) -> None:
    chunks, manifest, _, _ = run(tmp_path, customers({i: "." for i in range(10)}), DECLARED)
    assert chunks["text"].tolist() == [document(i) + "\nNotes: ." for i in range(10)]
    assert manifest["chunking"]["rows"] == rows_info(10, 0, AUTO)
    assert manifest["chunking"]["values_without_words"] == {"notes": 10}


TWO = 'files: ["a_*.csv"]\nschema:\n  columns:\n    notes: text\n    remark: text\n'


@pytest.mark.parametrize("batch_rows", [100_000, 2, 1])
def test_with_two_text_columns_a_value_without_words_stays_a_chunk_when_the_other_column_has_words(tmp_path: Path, batch_rows: int) -> None:
    remarks = {0: "Asked for the invoice to be sent again by post.", 1: "👍", 2: "", 3: "Fine."}
    notes = {0: ".", 1: ".", 2: "-", 3: ""}
    lines = [f"C{i},{name},{city},{10 * i},{notes.get(i, '')},{remarks.get(i, '')}" for i, (name, city) in enumerate(
        [("Ann Lee", "Berlin"), ("Bob Ray", "Paris"), ("Cid Moe", "Oslo"), ("Dee Fox", "Rome")])]
    text = "customer_id,name,city,amount,notes,remark\n" + "\n".join(lines) + "\n"
    chunks, manifest, _, _ = run(tmp_path, text, TWO, batch_rows)
    assert chunks[["line", "column", "text"]].values.tolist() == [
        [2, "notes", "."],  # Ann's remark has words: no document, so her "." stays a chunk (else it would be nowhere)
        [2, "remark", remarks[0]], [5, "remark", "Fine."],
        [3, "_row", document(1) + "\nNotes: .\nRemark: 👍"],
        [4, "_row", document(2) + "\nNotes: -"],
    ]
    assert manifest["chunking"]["values_without_words"] == {"notes": 2, "remark": 1}
    assert manifest["chunking"]["rows"]["documents"] == 2 and manifest["chunking"]["rows"]["rows_with_text"] == 2


def test_breaker10_rd_every_row_is_findable(tmp_path: Path) -> None:
    """breaker10 in/rd/a.csv with its config: 9 rows, 1 note with words; before, documents 4 and rows_with_text 5."""
    rd = Path("/work/notes/breaker10/in/rd")
    if not rd.exists():
        pytest.skip("breaker10 inputs not on this machine")
    config = (rd / "config" / "s.yaml").read_text(encoding="utf-8").replace('["*.csv"]', '["a_*.csv"]')
    chunks, manifest, _, _ = run(tmp_path, (rd / "a.csv").read_text(encoding="utf-8"), config)
    assert manifest["chunking"]["rows"]["documents"] == 8 and manifest["chunking"]["rows"]["rows_with_text"] == 1
    assert manifest["chunking"]["values_without_words"] == {"notes": 4}
    notes = chunks[chunks["column"] == "notes"]["text"].tolist()
    assert notes == ["Called about the late delivery of her order and asked for a refund."]
    docs = dict(zip(chunks[chunks["column"] == "_row"]["line"], chunks[chunks["column"] == "_row"]["text"]))
    assert docs[6] == "Name: Eve Oz\nAmount: 7\nQty: 2\nDay: 2 March 2024\nVip: yes\nNotes: ."
    assert docs[7].endswith("Vip: no\nNotes: [EMAIL]") and docs[9].endswith("\nNotes: 👍") and docs[10].endswith("\nNotes: -")
    assert pd.Series(list(docs)).tolist() == [3, 4, 5, 6, 7, 8, 9, 10]
