from __future__ import annotations

import json
import random

import pytest
from kfp_test_data import chunk_records, write_records

from kfp_components.lib.config import DatasetSettings
from kfp_components.lib.sft_data import (
    ChunkRecord,
    build_sft_splits,
    count_tokens,
    dedup_by_text,
    format_example,
    normalize_text,
    prepare_sft_files,
    read_chunk_records,
    read_jsonl,
)


def records(rows: list[dict[str, str]]) -> list[ChunkRecord]:
    return [ChunkRecord(**row) for row in rows]


def test_format_example_is_the_documented_template():
    prompt, completion = format_example(ChunkRecord("c1", "A red kettle.", "products.csv", "description"))
    assert prompt == "### Instruction:\nWrite the description field of a products.csv record.\n\n### Response:\n"
    assert completion == "A red kettle."


def test_read_chunk_records_parses_and_skips_blank_lines(tmp_path):
    path = tmp_path / "chunks.jsonl"
    path.write_text(json.dumps({"id": "a", "text": "t", "source": "s.csv", "column": "c", "extra": 1}) + "\n\n")
    assert read_chunk_records(path) == [ChunkRecord("a", "t", "s.csv", "c")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"id": "a", "text": "t", "source": "s", "column": "c"}\n{not json\n', "line 2: not valid JSON"),
        ('{"id": "a", "text": "t", "source": "s"}\n', "line 1: field(s) column missing or not a string"),
        ('{"id": 7, "text": null, "source": "s", "column": "c"}\n', "line 1: field(s) id, text missing or not a string"),
        ('["a", "b"]\n', "line 1: expected a JSON object"),
        ("\n", "no chunk records"),
    ],
)
def test_read_chunk_records_says_where_and_what(tmp_path, content, message):
    path = tmp_path / "chunks.jsonl"
    path.write_text(content)
    with pytest.raises(ValueError, match="chunks.jsonl") as excinfo:
        read_chunk_records(path)
    assert message in str(excinfo.value)


def test_normalize_text():
    assert normalize_text("  The  RED\tkettle\n") == "the red kettle"
    assert normalize_text("ﬁne") == "fine"  # NFKC folds the ligature


def test_dedup_keeps_the_smallest_id_whatever_the_order():
    rows = [
        ChunkRecord("c3", "A red kettle.", "a.csv", "x"),
        ChunkRecord("c1", "a  RED kettle.", "b.csv", "y"),
        ChunkRecord("c2", "A blue kettle.", "a.csv", "x"),
    ]
    for ordering in (rows, rows[::-1]):
        kept, rejected = dedup_by_text(ordering)
        assert [r.id for r in kept] == ["c1", "c2"]
        assert [(r.id, r.reason, r.detail) for r in rejected] == [("c3", "duplicate_text", "same text as c1")]


def test_no_leakage_and_every_record_accounted_for(tiny_tokenizer):
    base = chunk_records(60)
    # Re-add 30 texts under new ids with case/spacing changes: they must not leak across splits.
    copies = [{**row, "id": f"copy-{i:03d}", "text": "  " + row["text"].upper()} for i, row in enumerate(base[:30])]
    splits = build_sft_splits(records(base + copies), tiny_tokenizer, DatasetSettings(eval_fraction=0.3))

    train_texts = {normalize_text(r["completion"]) for r in splits.train}
    eval_texts = {normalize_text(r["completion"]) for r in splits.eval}
    assert train_texts.isdisjoint(eval_texts)
    assert len(train_texts) + len(eval_texts) == len(splits.train) + len(splits.eval) == 60
    assert splits.counts()["dropped_duplicate_text"] == 30
    assert {r.id for r in splits.rejected} == {c["id"] for c in copies}
    assert splits.train and splits.eval


def test_split_is_deterministic_and_stable_as_data_grows(tiny_tokenizer):
    settings = DatasetSettings(eval_fraction=0.25)
    small = build_sft_splits(records(chunk_records(40)), tiny_tokenizer, settings)
    shuffled = records(chunk_records(90))
    random.Random(3).shuffle(shuffled)
    large = build_sft_splits(shuffled, tiny_tokenizer, settings)

    large_eval_ids = {r["id"] for r in large.eval}
    assert {r["id"] for r in small.eval} == {i for i in large_eval_ids if int(i.split("-")[1]) < 40}
    assert 0.1 < len(large.eval) / 90 < 0.4


def test_split_salt_reshuffles(tiny_tokenizer):
    rows = records(chunk_records(90))
    a = build_sft_splits(rows, tiny_tokenizer, DatasetSettings(eval_fraction=0.3))
    b = build_sft_splits(rows, tiny_tokenizer, DatasetSettings(eval_fraction=0.3, split_salt="other"))
    assert {r["id"] for r in a.eval} != {r["id"] for r in b.eval}


def test_length_filter_uses_the_model_tokenizer(tiny_tokenizer):
    rows = records([
        {"id": "short", "text": "ok", "source": "p.csv", "column": "c"},
        {"id": "medium", "text": "A red kettle with 2 pockets, model 101.", "source": "p.csv", "column": "c"},
        {"id": "long", "text": " ".join(["A red kettle with 2 pockets."] * 30), "source": "p.csv", "column": "c"},
    ])
    lengths = dict(zip(
        [r.id for r in rows],
        count_tokens(tiny_tokenizer, [format_example(r)[0] for r in rows], [r.text for r in rows]),
    ))
    short_completion = lengths["short"][0]
    medium_completion, medium_total = lengths["medium"]
    assert short_completion < medium_completion and medium_total < lengths["long"][1]

    settings = DatasetSettings(
        eval_fraction=0.5, min_completion_tokens=short_completion + 1, max_total_tokens=medium_total
    )
    splits = build_sft_splits(rows, tiny_tokenizer, settings)
    kept = splits.train + splits.eval
    assert [r["id"] for r in kept] == ["medium"]
    assert (kept[0]["completion_tokens"], kept[0]["total_tokens"]) == (medium_completion, medium_total)
    assert {(r.id, r.reason) for r in splits.rejected} == {("short", "too_short"), ("long", "too_long")}
    too_long = next(r for r in splits.rejected if r.id == "long")
    assert too_long.detail == f"{lengths['long'][1]} tokens > max_total_tokens={medium_total}"


def test_prepare_sft_files_writes_what_it_counts(sft_files):
    train, eval_, rejected = (read_jsonl(sft_files[k]) for k in ("train", "eval", "rejected"))
    counts = sft_files["counts"]
    assert counts["input_records"] == 90
    assert (counts["train_examples"], counts["eval_examples"]) == (len(train), len(eval_))
    assert counts["train_examples"] + counts["eval_examples"] + len(rejected) == 90
    assert counts["train_tokens"] == sum(r["total_tokens"] for r in train)
    assert [r["id"] for r in train] == sorted(r["id"] for r in train)
    assert set(train[0]) == {"id", "prompt", "completion", "source", "column", "completion_tokens", "total_tokens"}


def test_prepare_sft_files_refuses_an_empty_eval_split(tmp_path, tiny_model_dir):
    examples = write_records(tmp_path / "one.jsonl", chunk_records(1))
    with pytest.raises(ValueError, match="the eval split is empty") as excinfo:
        prepare_sft_files(examples, tiny_model_dir, DatasetSettings(eval_fraction=0.01),
                          tmp_path / "t.jsonl", tmp_path / "e.jsonl", tmp_path / "r.jsonl")
    assert "one.jsonl" in str(excinfo.value) and "raise eval_fraction" in str(excinfo.value)
