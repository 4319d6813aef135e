"""Chunk records -> instruction-tuning train/eval splits.

Input (one JSON object per line, exported by the Airflow side from curated chunks):
    {"id": str, "text": str, "source": str, "column": str}

Output records (prompt/completion, the format trl's SFTTrainer trains on with
the loss on the completion only):
    {"id", "prompt", "completion", "source", "column", "completion_tokens", "total_tokens"}

The instruction format is Alpaca-style and built only from the record's fields:

    ### Instruction:
    Write the {column} field of a {source} record.

    ### Response:
    {text}<eos>

Steps, in order, each one deterministic:
1. dedup: records whose normalized text is equal keep only the smallest id,
   so the same text can never sit in both splits (no leakage) or twice in one;
2. length filter with the base model's tokenizer: the completion needs at least
   ``min_completion_tokens``, prompt + completion + EOS at most ``max_total_tokens``;
3. split: sha256(salt + id) picks the split, so a record keeps its split as the
   data grows from day to day.
Every dropped record is written to the rejected list with its reason.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kfp_components.lib.config import DatasetSettings

PROMPT_TEMPLATE = "### Instruction:\nWrite the {column} field of a {source} record.\n\n### Response:\n"
REQUIRED_FIELDS = ("id", "text", "source", "column")

REJECT_DUPLICATE = "duplicate_text"
REJECT_TOO_SHORT = "too_short"
REJECT_TOO_LONG = "too_long"


@dataclass(frozen=True)
class ChunkRecord:
    id: str
    text: str
    source: str
    column: str


@dataclass(frozen=True)
class Rejection:
    id: str
    reason: str
    detail: str


@dataclass
class SftSplits:
    train: list[dict[str, Any]] = field(default_factory=list)
    eval: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    input_records: int = 0

    def counts(self) -> dict[str, int]:
        by_reason = {r: 0 for r in (REJECT_DUPLICATE, REJECT_TOO_SHORT, REJECT_TOO_LONG)}
        for rejection in self.rejected:
            by_reason[rejection.reason] += 1
        return {
            "input_records": self.input_records,
            "train_examples": len(self.train),
            "eval_examples": len(self.eval),
            "dropped_duplicate_text": by_reason[REJECT_DUPLICATE],
            "dropped_too_short": by_reason[REJECT_TOO_SHORT],
            "dropped_too_long": by_reason[REJECT_TOO_LONG],
            "train_tokens": sum(r["total_tokens"] for r in self.train),
            "eval_tokens": sum(r["total_tokens"] for r in self.eval),
        }


def read_chunk_records(path: str | Path) -> list[ChunkRecord]:
    """Parse and validate the chunk JSONL; a malformed line is an export bug, so it fails loudly."""
    records: list[ChunkRecord] = []
    with open(path, encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"{path} line {line_no}"
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{where}: not valid JSON ({exc.msg}); fix the chunk export") from exc
            if not isinstance(obj, dict):
                raise ValueError(f"{where}: expected a JSON object with {', '.join(REQUIRED_FIELDS)}")
            missing = [k for k in REQUIRED_FIELDS if not isinstance(obj.get(k), str)]
            if missing:
                raise ValueError(
                    f"{where}: field(s) {', '.join(missing)} missing or not a string; "
                    f"each line needs string fields {', '.join(REQUIRED_FIELDS)}"
                )
            records.append(ChunkRecord(**{k: obj[k] for k in REQUIRED_FIELDS}))
    if not records:
        raise ValueError(f"{path}: no chunk records; export at least one line before fine-tuning")
    return records


def format_example(record: ChunkRecord) -> tuple[str, str]:
    """(prompt, completion) for one record, per the module docstring's template."""
    return PROMPT_TEMPLATE.format(column=record.column, source=record.source), record.text


def normalize_text(text: str) -> str:
    """Form used to find duplicates: NFKC, case-folded, whitespace collapsed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip().casefold()


def split_bucket(record_id: str, salt: str) -> float:
    """A stable number in [0, 1) from the id; below eval_fraction means eval."""
    digest = hashlib.sha256(f"{salt}\x00{record_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def dedup_by_text(records: Iterable[ChunkRecord]) -> tuple[list[ChunkRecord], list[Rejection]]:
    """Keep the smallest id per normalized text, whatever the input order."""
    kept: dict[str, ChunkRecord] = {}
    rejected: list[Rejection] = []
    for record in sorted(records, key=lambda r: r.id):
        key = normalize_text(record.text)
        if key in kept:
            rejected.append(Rejection(record.id, REJECT_DUPLICATE, f"same text as {kept[key].id}"))
        else:
            kept[key] = record
    return list(kept.values()), rejected


def tokenize_pairs(
    tokenizer: Any, prompts: Sequence[str], completions: Sequence[str]
) -> tuple[list[list[int]], list[list[int]]]:
    """(prompt ids, completion ids): the prompt with special tokens (a BOS, if the model
    uses one), the completion without, matching how the trainer builds sequences.
    The length filter and the eval both tokenize through here."""
    prompt_ids = tokenizer(list(prompts), add_special_tokens=True)["input_ids"]
    completion_ids = tokenizer(list(completions), add_special_tokens=False)["input_ids"]
    return prompt_ids, completion_ids


def count_tokens(tokenizer: Any, prompts: Sequence[str], completions: Sequence[str]) -> Iterator[tuple[int, int]]:
    """(completion tokens, prompt + completion + EOS tokens) per example."""
    prompt_ids, completion_ids = tokenize_pairs(tokenizer, prompts, completions)
    for p_ids, c_ids in zip(prompt_ids, completion_ids, strict=True):
        yield len(c_ids), len(p_ids) + len(c_ids) + 1


def build_sft_splits(records: Sequence[ChunkRecord], tokenizer: Any, settings: DatasetSettings) -> SftSplits:
    """Dedup, length-filter and split; see the module docstring."""
    result = SftSplits(input_records=len(records))
    unique, result.rejected = dedup_by_text(records)
    pairs = [format_example(r) for r in unique]
    lengths = count_tokens(tokenizer, [p for p, _ in pairs], [c for _, c in pairs])
    for record, (prompt, completion), (completion_tokens, total_tokens) in zip(unique, pairs, lengths):
        if completion_tokens < settings.min_completion_tokens:
            result.rejected.append(Rejection(
                record.id, REJECT_TOO_SHORT,
                f"{completion_tokens} completion tokens < min_completion_tokens={settings.min_completion_tokens}",
            ))
            continue
        if total_tokens > settings.max_total_tokens:
            result.rejected.append(Rejection(
                record.id, REJECT_TOO_LONG,
                f"{total_tokens} tokens > max_total_tokens={settings.max_total_tokens}",
            ))
            continue
        example = {
            "id": record.id,
            "prompt": prompt,
            "completion": completion,
            "source": record.source,
            "column": record.column,
            "completion_tokens": completion_tokens,
            "total_tokens": total_tokens,
        }
        in_eval = split_bucket(record.id, settings.split_salt) < settings.eval_fraction
        (result.eval if in_eval else result.train).append(example)
    return result


def check_splits_usable(splits: SftSplits, settings: DatasetSettings, where: str) -> None:
    """Both splits must be non-empty for training and evaluation to mean anything."""
    counts = splits.counts()
    if not splits.train:
        raise ValueError(
            f"{where}: no training examples left ({counts}); add data, lower "
            f"min_completion_tokens ({settings.min_completion_tokens}) or raise max_total_tokens "
            f"({settings.max_total_tokens})"
        )
    if not splits.eval:
        raise ValueError(
            f"{where}: the eval split is empty ({counts}); add data or raise eval_fraction "
            f"({settings.eval_fraction})"
        )


def write_jsonl(rows: Iterable[dict[str, Any]], path: str | Path) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def rejection_rows(rejected: Iterable[Rejection]) -> list[dict[str, str]]:
    return [{"id": r.id, "reason": r.reason, "detail": r.detail} for r in rejected]


def prepare_sft_files(
    examples_path: str | Path,
    model_dir: str,
    settings: DatasetSettings,
    train_path: str | Path,
    eval_path: str | Path,
    rejected_path: str | Path,
) -> dict[str, int]:
    """Read chunks, build the splits with the base model's tokenizer, write three JSONL files."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    splits = build_sft_splits(read_chunk_records(examples_path), tokenizer, settings)
    check_splits_usable(splits, settings, where=str(examples_path))
    write_jsonl(sorted(splits.train, key=lambda r: r["id"]), train_path)
    write_jsonl(sorted(splits.eval, key=lambda r: r["id"]), eval_path)
    write_jsonl(rejection_rows(splits.rejected), rejected_path)
    return splits.counts()
