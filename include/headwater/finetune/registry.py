"""The model registry (one record per fine-tuned model version) and the decision to fine-tune again.

``count_new_examples`` compares an export with the examples of the last fine-tune, reading only
the parts of the landing files that changed since that fine-tune's export; ``should_finetune``
decides (scoring and deciding are separate).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from headwater.finetune.examples import ExportResult, read_example_ids
from headwater.finetune.parts import changed_parts
from headwater.layout import Layout
from headwater.storage import read_json, write_bytes, write_json


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class ModelRegistry:
    """One record per fine-tuned model version, plus the ids of the examples it was trained on.

    Paths: ``Layout.model_record``, ``Layout.model_example_ids`` and ``Layout.model_latest`` (the last
    record, which new-example counts compare against), all under ``Layout.models`` (``root``).
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.layout = Layout(self.data_dir)
        self.root = self.layout.models

    def latest(self) -> dict[str, Any] | None:
        return read_json(self.layout.model_latest)

    def records(self) -> list[dict[str, Any]]:
        """Every record, oldest first."""
        found = [read_json(p) for p in self.layout.model_records()]
        return sorted((r for r in found if r), key=lambda r: r["recorded_at"])

    def example_ids(self, model_version: str) -> set[str]:
        path = self.layout.model_example_ids(model_version)
        return set(path.read_text(encoding="utf-8").split()) if path.exists() else set()

    def record(self, result: dict[str, Any], examples: ExportResult | dict[str, Any],
               extra: dict[str, Any] | None = None) -> dict[str, Any]:
        """Record a finished fine-tune: ``result`` is run_local's summary or the KFP operator's result."""
        examples = examples.to_dict() if isinstance(examples, ExportResult) else dict(examples)
        kfp = result.get("kfp")
        version = result.get("model_version") or (f"kfp-run-{kfp['run_id']}" if kfp else None)
        if not version or not re.fullmatch(r"[A-Za-z0-9._-]+", version):
            raise ValueError(f"fine-tune result has no usable model_version ({version!r}); keys: {sorted(result)}")
        record = {
            "model_version": version,
            "recorded_at": _now(),
            "mode": "kfp" if kfp else "local",
            "examples": {k: examples[k] for k in ("path", "count", "sha256") if k in examples},
            "adapter_path": result.get("adapter_path"),
            "eval_report_path": result.get("eval_report_path"),
            "eval_rows": result.get("eval_rows", []),
            "metrics": result.get("metrics", {}),
            "parameters": result.get("parameters", {}),
            "base_model": result.get("base_model"),
            "training": result.get("training"),
            "kfp": kfp,
            "duration_s": result.get("duration_s"),
            **(extra or {}),
        }
        ids = read_example_ids(examples["path"])
        write_bytes(self.layout.model_example_ids(version), "".join(i + "\n" for i in sorted(set(ids))).encode("utf-8"))
        write_json(self.layout.model_record(version), record)
        write_json(self.layout.model_latest, record)
        return record


@dataclass(frozen=True)
class NewExamples:
    total: int
    new: int
    last_model_version: str | None


def count_new_examples(export: ExportResult | Path, registry: ModelRegistry) -> NewExamples:
    """How many exported examples the last fine-tuned model has not seen (all of them if there is none).

    For an ``ExportResult`` assembled from parts (headwater.finetune.parts) only the parts of the landing
    files that changed since the last model's export are read: an unchanged part holds only examples that
    model was trained on. Otherwise (a plain export path, an export from before parts) every id is read.
    """
    last = registry.latest()
    version = last["model_version"] if last else None
    if isinstance(export, ExportResult):
        if last is None:
            return NewExamples(total=export.count, new=export.count, last_model_version=None)
        since = (last.get("examples") or {}).get("sha256")
        parts = changed_parts(registry.data_dir, export.sha256, since) if since else None
        if parts is not None:
            fresh = {i for path in parts for i in read_example_ids(path)}
            return NewExamples(total=export.count, new=len(fresh - registry.example_ids(version)), last_model_version=version)
        export = export.path
    current = set(read_example_ids(export))
    seen = registry.example_ids(version) if version else set()
    return NewExamples(total=len(current), new=len(current - seen), last_model_version=version)


def should_finetune(counts: NewExamples, min_new_examples: int, force: bool = False) -> tuple[bool, str]:
    """The decision, with the sentence the DAG logs."""
    if min_new_examples < 0:
        raise ValueError(f"min_new_examples={min_new_examples}: must be >= 0")
    since = f"since {counts.last_model_version}" if counts.last_model_version else "(no model yet)"
    summary = f"{counts.new} new of {counts.total} examples {since}; min_new_examples={min_new_examples}"
    if force:
        return True, f"{summary}; force=true"
    if counts.new >= min_new_examples and counts.new > 0:
        return True, summary
    return False, f"{summary} — fine-tune skipped (trigger with force=true to run anyway)"
