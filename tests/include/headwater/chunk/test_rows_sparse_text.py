"""``rows: {mode: auto}`` in a table with a free-text column: the rows whose free-text columns are all empty get a row
document, the others keep their chunks (breaker9 #15).

Before: ``notes`` filled in 2 of 10 customers gave 2 chunks and no row document, ``chunking.rows`` None: 8 curated
customers never reached the vector store, with no warning."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from headwater.chunk.stage import chunk
from headwater.clean.stage import clean
from headwater.config.finetune import ExportOptions
from headwater.config.settings import Settings
from headwater.finetune.examples import file_examples
from headwater.ingest.stage import ingest
from headwater.layout import Layout
from headwater.manifest import FileRef
from headwater.storage import read_json

DATE = "2026-11-20"
NOTE = "Customer complained about the delivery delay and asked for a partial refund on the order."
PEOPLE = [("Ann Lee", "Berlin"), ("Bob Ray", "Paris"), ("Cid Moe", "Oslo"), ("Dee Fox", "Rome"), ("Eve Kim", "Lima"),
          ("Fay Wu", "Kyiv"), ("Gus Orr", "Rabat"), ("Hal Poe", "Quito"), ("Ivy Tan", "Hanoi"), ("Jon Bay", "Accra")]
AUTO = "auto: rows whose free-text columns are empty"
DECLARED = 'files: ["a_*.csv"]\nschema:\n  columns:\n    notes: text\n'


def customers(notes: dict[int, str]) -> str:
    """breaker9 in/sparse/a_customers.csv: customer_id,name,city,amount,notes; ``notes`` by row number (0-9)."""
    lines = [f"C{i},{name},{city},{10 * i},{notes.get(i, '')}" for i, (name, city) in enumerate(PEOPLE)]
    return "customer_id,name,city,amount,notes\n" + "\n".join(lines) + "\n"


def document(i: int) -> str:
    return f"Name: {PEOPLE[i][0]}\nCity: {PEOPLE[i][1]}\nAmount: {10 * i}"


def run(tmp_path: Path, text: str, yaml: str | None = None, batch_rows: int = 100_000) -> tuple[pd.DataFrame, dict, Settings, FileRef]:
    config = tmp_path / "config"
    config.mkdir(parents=True, exist_ok=True)
    if yaml:
        (config / "a.yaml").write_text(yaml, encoding="utf-8")
    settings = Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=config, batch_rows=batch_rows)
    ref = FileRef(DATE, "a_customers.csv")
    ingest(text.encode("utf-8"), ref, settings)
    clean(ref, settings)
    chunk(ref, settings)
    lay = Layout(settings.data_dir, DATE)
    return pd.read_parquet(lay.chunks(ref.key)), read_json(lay.manifest(ref.key)), settings, ref


def rows_info(documents: int, with_text: int, reason: str = AUTO) -> dict:
    return {
        "reason": reason, "columns": ["name", "city", "amount"], "context": [], "template": False,
        "documents": documents, "blank_rows": 0, "rows_with_text": with_text, "over_token_limit": 0,
    }  # customer_id is an identifier: left out


@pytest.mark.parametrize("batch_rows", [100_000, 3])
def test_the_customers_without_notes_get_row_documents_and_the_two_with_notes_keep_their_chunks(tmp_path: Path, batch_rows: int) -> None:
    chunks, manifest, _, _ = run(tmp_path, customers({2: NOTE, 7: NOTE}), batch_rows=batch_rows)
    assert chunks[["line", "column", "text"]].values.tolist() == [
        [4, "notes", NOTE], [9, "notes", NOTE],  # the chunks first, then the documents, rows in table order
        *([i + 2, "_row", document(i)] for i in (0, 1, 3, 4, 5, 6, 8, 9)),
    ]
    assert (manifest["text_columns"], manifest["chunks"], manifest["row_documents"], manifest["curated"]) == (["notes"], 10, 8, 10)
    assert manifest["chunking"]["rows"] == rows_info(8, 2)
    assert manifest["chunking"]["strategies"] == {"notes": "raw"} and manifest["chunking"]["values_without_chunks"] == {"notes": 0}
    assert manifest["chunking"]["warnings"] == []
    # every curated row is accounted: a document, a row with nothing to show, or a row with text (its chunks)
    rows = manifest["chunking"]["rows"]
    assert rows["documents"] + rows["blank_rows"] + rows["rows_with_text"] == manifest["curated"]


def test_a_notes_column_empty_in_every_row_gives_every_row_a_document(tmp_path: Path) -> None:
    chunks, manifest, _, _ = run(tmp_path, customers({}), DECLARED)
    assert chunks["text"].tolist() == [document(i) for i in range(10)]
    assert (manifest["text_columns"], manifest["chunks"], manifest["row_documents"]) == (["notes"], 10, 10)
    assert manifest["chunking"]["rows"] == rows_info(10, 0)


@pytest.mark.parametrize("yaml", [DECLARED, None])  # declared text, or detected from its one value
def test_a_notes_column_empty_in_all_rows_but_one(tmp_path: Path, yaml: str | None) -> None:
    chunks, manifest, _, _ = run(tmp_path, customers({5: NOTE}), yaml)
    assert chunks[["line", "column", "text"]].values.tolist() == [
        [7, "notes", NOTE], *([i + 2, "_row", document(i)] for i in range(10) if i != 5),
    ]
    assert manifest["chunking"]["rows"] == rows_info(9, 1)


def test_whitespace_and_markup_only_notes_are_empty_notes(tmp_path: Path) -> None:
    """breaker9 c.sh tickets.csv: text that cleaning emptied (<br>) left its row with no chunk and no document."""
    chunks, manifest, _, _ = run(tmp_path, customers({0: "<br>", 1: '"   "', 2: NOTE, 3: "<img src='x.png'>"}), DECLARED)
    assert chunks[["line", "column"]].values.tolist() == [[4, "notes"], *([i + 2, "_row"] for i in range(10) if i != 2)]
    assert chunks["text"].tolist()[1:4] == [document(0), document(1), document(3)]
    assert manifest["chunking"]["rows"] == rows_info(9, 1)


def test_a_table_whose_every_row_has_text_keeps_its_chunks_only(tmp_path: Path) -> None:
    chunks, manifest, _, _ = run(tmp_path, customers(dict.fromkeys(range(10), NOTE)))
    assert chunks["column"].tolist() == ["notes"] * 10
    assert (manifest["chunks"], manifest["row_documents"], manifest["chunking"]["rows"]) == (10, 0, None)
    assert manifest["chunking"]["warnings"] == []


def test_a_template_reading_the_chunks_renders_the_textless_rows_with_none(tmp_path: Path) -> None:
    """A template written for text_chunks renders under auto too: the rows documented have no chunk, never an error."""
    yaml = 'files: ["a_*.csv"]\nrows: {text_chunks: 1, template: "{{ name }}: {{ chunks.notes | join(\' \') or \'no notes\' }}"}\n'
    chunks, manifest, _, _ = run(tmp_path, customers({2: NOTE, 7: NOTE}), yaml)
    assert chunks.loc[chunks["column"] == "_row", "text"].tolist() == [f"{PEOPLE[i][0]}: no notes" for i in (0, 1, 3, 4, 5, 6, 8, 9)]
    assert manifest["chunking"]["rows"] == {**rows_info(8, 2), "context": ["notes"], "template": True}


def test_mode_on_still_documents_every_row_and_off_none(tmp_path: Path) -> None:
    chunks, manifest, _, _ = run(tmp_path / "on", customers({2: NOTE, 7: NOTE}), 'files: ["a_*.csv"]\nrows: {mode: on}\n')
    assert chunks.loc[chunks["column"] == "_row", "text"].tolist() == [document(i) for i in range(10)]
    assert manifest["chunking"]["rows"] == rows_info(10, 0, "mode: on")
    chunks, manifest, _, _ = run(tmp_path / "off", customers({2: NOTE, 7: NOTE}), 'files: ["a_*.csv"]\nrows: {mode: off}\n')
    assert (chunks["column"].tolist(), manifest["chunking"]["rows"]) == (["notes", "notes"], None)


def test_the_fine_tune_export_takes_the_documents_and_the_fields_of_the_rows_with_notes(tmp_path: Path) -> None:
    """A row with a document exports no loose fields; a row left to its chunks keeps them, as before the documents."""
    _, _, settings, ref = run(tmp_path, customers({2: NOTE, 7: NOTE}))
    examples = file_examples(Layout(settings.data_dir, DATE), ref.key, ExportOptions()).examples
    by_column: dict[str, list[str]] = {}
    for e in examples:
        by_column.setdefault(e.column, []).append(e.text)
    assert {c: sorted(t) for c, t in by_column.items()} == {
        "_row": sorted(document(i) for i in (0, 1, 3, 4, 5, 6, 8, 9)),
        "notes": [NOTE, NOTE],
        "customer_id": ["C2", "C7"], "name": ["Cid Moe", "Hal Poe"], "city": ["Oslo", "Quito"], "amount": ["20", "70"],
    }
