"""The chunk stage reads the curated file batch by batch and writes the same chunk file for any batch size."""

from pathlib import Path

import pandas as pd
import pytest

from headwater.chunk.stage import chunk
from headwater.chunk.table import chunk_table
from headwater.chunk.windows import load_tokenizer
from headwater.clean.stage import clean
from headwater.config.settings import Settings
from headwater.config.source import load_sources
from headwater.embed.model import resolve_model_dir
from headwater.ingest.stage import ingest
from headwater.layout import Layout
from headwater.manifest import FileRef
from headwater.storage import read_json

SAMPLE = Path(__file__).resolve().parents[4] / "sample_data" / "landing" / "2026-11-20"
DATE = "2026-11-20"
SAMPLES = ["Customers Export.csv", "SUPPORT_TICKETS.csv", "customersApac.csv", "product-reviews.csv"]
TICKETS = [
    "The outsole glue failed after two weeks of trail running. The outsole glue is too weak for wet rock.",
    "# Fit\nRuns true to size for trail running.\nCare\nRinse with cold water and let the shoe air dry.",
    "Billing address was wrong on the invoice, please fix the billing address before you ship the order.",
    "Trail running shoes with great grip; the toe box is narrow but the outsole glue held up on the trail.",
    "My order arrived late and the box was damaged. The shoes inside were fine, thanks for the quick reply.",
    "The checkout page keeps failing at payment with a card error, even though the card works everywhere else.",
    "# Sizing\nThe jacket runs small in the shoulders.\nWashing\nUse a gentle cycle and hang it to dry in the shade.",
    "The tent pole snapped on the second night in light wind; I need a replacement pole section before my next trip.",
    "The headlamp battery drains overnight even when switched off. Is this a known fault with this batch?",
    "I was charged twice for one subscription renewal this month; please refund the duplicate payment.",
]
CONFIG = """files: ["tickets*.csv"]
chunking:
  columns:
    body: {strategy: keyword, max_tokens: 16, keywords: 2}
    guide: {strategy: heading, max_tokens: 24}
    note: {strategy: query, queries: ["glue failed", "billing problem"], top_k: 1, min_similarity: 0.3}
"""


def _chunk_output(settings: Settings, ref: FileRef) -> tuple[pd.DataFrame, dict]:
    lay = Layout(settings.data_dir, DATE)
    manifest = read_json(lay.manifest(ref.key))
    keep = ("text_columns", "chunks", "chunking")
    return pd.read_parquet(lay.chunks(ref.key)), {k: manifest[k] for k in keep}


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_files_chunk_the_same_in_any_batch_size_and_as_the_whole_table(tmp_path: Path, name: str) -> None:
    ref = FileRef(DATE, name)
    settings = Settings(home=tmp_path, landing_uri=SAMPLE.parent.as_uri())
    ingest((SAMPLE / name).read_bytes(), ref, settings)
    clean(ref, settings)  # one curated file, chunked with several batch sizes
    outputs = []
    for batch_rows in (100_000, 2, 1):
        summary = chunk(ref, settings.model_copy(update={"batch_rows": batch_rows}))
        outputs.append(_chunk_output(settings, ref))
        assert summary["chunks"] == len(outputs[-1][0])
    (first, manifest), *others = outputs
    for frame, other in others:
        pd.testing.assert_frame_equal(frame, first)
        assert other == manifest
    # ... and what the whole-table code gives the curated table loaded whole (the stage before streaming)
    curated = pd.read_parquet(Layout(settings.data_dir, DATE).curated(ref.key))
    config = load_sources(settings.config_dir).for_file(name)
    declared = [c for c, t in config.declared_types.items() if t == "text"]
    tokenizer = load_tokenizer(resolve_model_dir(settings.embedding_model))
    whole = chunk_table(curated, tokenizer, None, 128, 32, declared_text=declared, source_name=config.name, rows_mode=config.rows.mode)
    as_read = first.assign(columns=first["columns"].map(list))  # Parquet reads a list back as an array
    text_chunks = as_read[as_read["column"] != "_row"]  # the row documents follow (the customers' rows with no notes)
    pd.testing.assert_frame_equal(text_chunks, whole.chunks.astype({"label": "str"}))  # ... and a None label as NaN
    # Customers Export: C-1008 (no note), the blank row, and C-1006, whose note `-` holds no words (F13: not chunked)
    documents = {"Customers Export.csv": 3, "customersApac.csv": 1}.get(name, 0)
    assert manifest["chunking"]["strategies"] == whole.strategies and manifest["chunks"] == len(whole.chunks) + documents
    assert len(as_read) - len(text_chunks) == documents and len(whole.chunks) > 0


def test_every_strategy_chunks_the_same_batch_by_batch(tmp_path: Path) -> None:
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "tickets.yaml").write_text(CONFIG)
    sources = load_sources(tmp_path / "cfg")
    rows = "".join(f'{i},"{t}","{TICKETS[(i + 3) % 10]}","{TICKETS[(i + 7) % 10]}"\n' for i, t in enumerate(TICKETS))
    data = ("id,body,guide,note\n" + rows).encode()
    ref = FileRef(DATE, "tickets_1.csv")
    settings = Settings(home=tmp_path, landing_uri=SAMPLE.parent.as_uri())
    ingest(data, ref, settings)
    clean(ref, settings, sources)
    outputs = []
    for batch_rows in (100_000, 3):  # one home: the query strategy's vectors come from one cache, so they are the same
        chunk(ref, settings.model_copy(update={"batch_rows": batch_rows}), sources)
        outputs.append(_chunk_output(settings, ref))
    (whole, m1), (batched, m2) = outputs
    pd.testing.assert_frame_equal(batched, whole)
    assert m1["chunking"]["strategies"] == {"body": "keyword", "guide": "heading", "note": "query"}
    assert (m1["chunking"]["embedded"], m2["chunking"]["embedded"]) == (12, 0)  # second run: every window cached
    assert {**m2, "chunking": {**m2["chunking"], "embedded": 12}} == m1
    assert whole["column"].drop_duplicates().tolist() == ["body", "guide", "note"]
    assert whole["strategy"].value_counts().to_dict() == {"heading": 12, "keyword": 11, "query": 4}
    assert m1["chunking"]["values_without_chunks"] == {"body": 0, "guide": 0, "note": 6}


def test_row_documents_follow_the_text_chunks_with_their_context_and_batching_changes_nothing(tmp_path: Path) -> None:
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "tickets.yaml").write_text(
        'files: ["tickets*.csv"]\nchunking: {columns: {body: {strategy: keyword, max_tokens: 16, keywords: 2}}}\n'
        "rows: {mode: on, columns: [priority], labels: {priority: Urgency}, text_chunks: 1}\n"
    )
    sources = load_sources(tmp_path / "cfg")
    data = ("id,body,priority\n" + "".join(f'{i},"{t}",{"high" if i % 2 else "low"}\n' for i, t in enumerate(TICKETS[:4]))).encode()
    ref = FileRef(DATE, "tickets_2.csv")
    settings = Settings(home=tmp_path, landing_uri=SAMPLE.parent.as_uri())
    ingest(data, ref, settings)
    clean(ref, settings, sources)
    outputs = []
    for batch_rows in (100_000, 1):
        chunk(ref, settings.model_copy(update={"batch_rows": batch_rows}), sources)
        outputs.append(_chunk_output(settings, ref))
    (whole, manifest), (batched, other) = outputs
    pd.testing.assert_frame_equal(batched, whole)
    assert other == manifest
    rows = whole[whole["strategy"] == "row"]
    chunks = whole[whole["strategy"] == "keyword"]
    assert whole["strategy"].tolist() == ["keyword"] * len(chunks) + ["row"] * 4  # chunks first, then one document per row
    first_chunk = chunks[chunks["row_id"] == rows["row_id"].iloc[0]]["text"].iloc[0]
    assert rows["text"].iloc[0] == f"Urgency: low\nBody: {first_chunk}"  # the row's first keyword chunk, as the chunk table has it
    assert rows["column"].unique().tolist() == ["_row"] and rows["columns"].iloc[0].tolist() == ["priority", "body"]
    assert set(whole["source_name"]) == {"tickets"}
    assert manifest["chunks"] == len(whole) and manifest["chunking"]["rows"] == {
        "reason": "mode: on", "columns": ["priority"], "context": ["body"], "template": False, "documents": 4, "blank_rows": 0,
        "rows_with_text": 0, "over_token_limit": 0,
    }


def test_a_template_typo_fails_the_chunk_stage_naming_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "pets.yaml").write_text('files: ["pets*.csv"]\nrows: {template: "{{ pet_nmae }} the {{ species }}"}\n')
    sources = load_sources(tmp_path / "cfg")  # no schema: the names are only known when the table is read
    ref = FileRef(DATE, "pets_1.csv")
    settings = Settings(home=tmp_path, landing_uri=SAMPLE.parent.as_uri())
    ingest(b"pet_name,species\nMax,dog\n", ref, settings)
    clean(ref, settings, sources)
    with pytest.raises(ValueError, match=r"^2026-11-20/pets_1.csv line 2: rows.template: 'pet_nmae' is undefined — fix the template"):
        chunk(ref, settings, sources)
