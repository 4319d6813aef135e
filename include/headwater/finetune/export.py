"""Export: the curated data -> the chunk JSONL the Kubeflow pipeline reads, re-reading only what changed.

``export_examples`` brings the per-landing-file parts up to date (headwater.finetune.parts) and
assembles them into ``Layout.finetune_export``: ``{"id", "text", "source", "column"}`` per line,
sorted by id, every chunk of every date plus (``fields``) the curated values of the columns that
were not chunked. The file name is the content hash, so an unchanged export is never rewritten,
and its bytes equal a full read of every table (``full_export_bytes``, headwater.finetune.examples).

Which landing files changed comes from the ``headwater-curated`` asset events (``ChangeFeed``): the
DAG reads the events since the last export (``events_since``) and only those files are checked.
A manual run, or the first export with a set of options, checks every file's fingerprint (its
manifest and the tables' stat, no table is read) instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from headwater.config.finetune import ExportOptions
from headwater.events import changed_sources
from headwater.finetune.examples import Example, ExportResult, collect_examples, read_example_ids, to_jsonl
from headwater.finetune.parts import PartsIndex, PartsUpdate, assemble, options_key, update_parts
from headwater.layout import Layout

__all__ = [
    "EVENTS_MARGIN", "ChangeFeed", "Example", "ExportResult", "events_since", "export_examples",
    "export_incremental", "full_export_bytes", "read_example_ids",
]

# Events are re-read from this long before the last one applied: two ingest runs can commit their
# events out of timestamp order. Re-checking a file whose part is current reads no table.
EVENTS_MARGIN = timedelta(minutes=10)


def _newest(times: Iterable[str]) -> str | None:
    return max(times, key=datetime.fromisoformat, default=None)


@dataclass(frozen=True)
class ChangeFeed:
    """What changed since the last export: ``changed`` landing files (``<date>/<file name>``; None:
    check every file) and ``until``, the ISO time of the newest event accounted for (None: none)."""

    changed: frozenset[str] | None
    until: str | None

    @classmethod
    def everything(cls, newest: Iterable[tuple[str, Any]] = ()) -> ChangeFeed:
        """Check every file. ``newest``: (ISO time, extra) of the newest event(s) so far, read *before* the
        check, so every event up to then is covered by it."""
        return cls(None, _newest(t for t, _ in newest))

    @classmethod
    def from_events(cls, events: Iterable[tuple[str, Mapping[str, Any] | None]]) -> ChangeFeed:
        """The files named by these (ISO time, extra) events (headwater.events); every file when one
        event does not say what changed."""
        events = list(events)
        changed = changed_sources(extra for _, extra in events)
        return cls(None if changed is None else frozenset(changed), _newest(t for t, _ in events))


def events_since(data_dir: Path, options: ExportOptions = ExportOptions()) -> datetime | None:
    """From when to read ``headwater-curated`` events for the next export with ``options``: the newest
    event the last export applied, less ``EVENTS_MARGIN``. None before the first export (or when no
    export has seen an event yet): the next export checks every file."""
    index = PartsIndex.load(Layout(data_dir), options_key(options))
    if index is None or index.events_until is None:
        return None
    return datetime.fromisoformat(index.events_until) - EVENTS_MARGIN


def export_incremental(data_dir: Path, options: ExportOptions = ExportOptions(),
                       feed: ChangeFeed = ChangeFeed(None, None)) -> tuple[ExportResult, PartsUpdate]:
    """Update the parts of the files ``feed`` names (every file when it names none) and assemble the export.

    Returns the export and what was checked, rebuilt, removed and read. Raises ValueError when
    there is no curated data at all (``run headwater_ingest first``) or a table lacks a needed column.
    """
    changed = None if feed.changed is None else sorted(feed.changed)
    index, update = update_parts(data_dir, options, changed, events_until=feed.until)
    return assemble(data_dir, index), update


def export_examples(data_dir: Path, options: ExportOptions = ExportOptions(),
                    changed: Iterable[str] | None = None) -> ExportResult:
    """Write ``Layout.finetune_export(<sha256>)`` (content-addressed: a rerun rewrites nothing).

    ``changed``: the landing files known to have changed since the last export; None checks every
    file's fingerprint. Raises ValueError when there is no curated data (``run headwater_ingest first``).
    """
    feed = ChangeFeed(None if changed is None else frozenset(changed), None)
    return export_incremental(data_dir, options, feed)[0]


def full_export_bytes(data_dir: Path, options: ExportOptions = ExportOptions()) -> bytes:
    """The export's bytes from a full read of every table of every date (no parts): the reference."""
    return to_jsonl(collect_examples(data_dir, options)[0])
