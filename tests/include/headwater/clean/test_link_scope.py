"""The default dedup scope (``file``): equal rows of two files are distinct records and stay curated;
a source that opts in (``run``/``history``) still merges them, and a file an earlier scope changed is put back."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from headwater.clean.link import files_to_index, link_date
from headwater.clean.stage import clean as clean_file
from headwater.config.settings import Settings
from headwater.embed.cache import EmbeddingCache, embed_with_cache
from headwater.ingest.stage import ingest as ingest_file
from headwater.layout import Layout
from headwater.manifest import FileRef
from headwater.storage import read_json

D1, D2 = "2026-11-20", "2026-11-21"
BREAKER = Path("/work/notes/breaker")  # the inputs of the breaker's finding 10, inlined below byte for byte
ACCT_A = "date,description,amount\n2025-01-05,Coffee,4.50\n2025-01-06,Rent,1200.00\n"
ACCT_B = "date,description,amount\n2025-01-05,Coffee,4.50\n2025-01-07,Books,30.00\n"
INVENTORY_D1 = "sku,qty\nA-1,5\nB-2,7\n"
INVENTORY_D2 = "sku,qty\nA-1,5\nB-2,6\n"


def _settings(tmp_path: Path, default_yaml: str | None = None) -> Settings:
    config = tmp_path / "config"
    config.mkdir(parents=True, exist_ok=True)
    if default_yaml is not None:
        (config / "default.yaml").write_text(default_yaml, encoding="utf-8")
    return Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=config)


def _clean(settings: Settings, date: str, files: dict[str, str], run_id: str = "run-1") -> None:
    for name, text in files.items():
        ref = FileRef(date, name, run_id)
        ingest_file(text.encode(), ref, settings)
        clean_file(ref, settings)


def _curated(settings: Settings, date: str, name: str, column: str) -> list[str]:
    return [str(v) for v in pd.read_parquet(Layout(settings.data_dir, date).curated(name))[column]]


def test_the_breakers_inputs_are_the_ones_inlined_here() -> None:
    if not BREAKER.is_dir():  # the breaker's folder is outside the repository: only checked where it exists
        return
    for name, text in {"acct_a.csv": ACCT_A, "acct_b.csv": ACCT_B, "inventory_d1.csv": INVENTORY_D1, "inventory_d2.csv": INVENTORY_D2}.items():
        assert (BREAKER / name).read_text(encoding="utf-8") == text


def test_two_accounts_identical_transactions_stay_curated_by_default(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    _clean(settings, D1, {"acct_a.csv": ACCT_A, "acct_b.csv": ACCT_B})
    assert link_date(D1, settings) == {"acct_a.csv": 0, "acct_b.csv": 0}
    lay = Layout(settings.data_dir, D1)
    assert _curated(settings, D1, "acct_a.csv", "description") == ["Coffee", "Rent"]
    assert _curated(settings, D1, "acct_b.csv", "description") == ["Coffee", "Books"]
    assert not lay.duplicates("acct_b.csv").exists()
    manifest = read_json(lay.manifest("acct_b.csv"))
    assert (manifest["rows_read"], manifest["curated"], manifest["duplicates"]) == (2, 2, 0)


def test_a_daily_snapshots_unchanged_rows_stay_in_the_later_days_partition_by_default(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    _clean(settings, D1, {"inventory_d1.csv": INVENTORY_D1})
    _clean(settings, D2, {"inventory_d2.csv": INVENTORY_D2})
    files = [{"date": D1, "file": "inventory_d1.csv"}, {"date": D2, "file": "inventory_d2.csv"}]
    assert [f["source"] for f in files_to_index(files, settings, "run-1")] == [f"{D1}/inventory_d1.csv", f"{D2}/inventory_d2.csv"]
    assert _curated(settings, D2, "inventory_d2.csv", "sku") == ["A-1", "B-2"]
    assert _curated(settings, D2, "inventory_d2.csv", "qty") == ["5", "6"]
    # the same file name every day (a snapshot overwritten at the source): the same answer
    _clean(settings, D1, {"inventory.csv": INVENTORY_D1})
    _clean(settings, D2, {"inventory.csv": INVENTORY_D1})
    assert link_date(D2, settings) == {"inventory.csv": 0, "inventory_d2.csv": 0}
    assert _curated(settings, D2, "inventory.csv", "qty") == ["5", "7"]


def test_within_a_file_an_exact_copy_is_still_a_duplicate_by_default(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    _clean(settings, D1, {"acct_c.csv": ACCT_A + "2025-01-06,Rent,1200.00\n", "acct_a.csv": ACCT_A})
    assert link_date(D1, settings) == {"acct_a.csv": 0, "acct_c.csv": 0}
    manifest = read_json(Layout(settings.data_dir, D1).manifest("acct_c.csv"))
    assert (manifest["rows_read"], manifest["curated"], manifest["duplicates"]) == (3, 2, 1)
    assert _curated(settings, D1, "acct_a.csv", "description") == ["Coffee", "Rent"]


def test_a_source_that_opts_in_still_merges_across_files_and_days(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "dedup: {scope: run}\n")
    _clean(settings, D1, {"acct_a.csv": ACCT_A, "acct_b.csv": ACCT_B})
    assert link_date(D1, settings) == {"acct_a.csv": 0, "acct_b.csv": 1}
    dups = pd.read_parquet(Layout(settings.data_dir, D1).duplicates("acct_b.csv"))
    assert dups["description"].tolist() == ["Coffee"] and dups["_dedup_job"].tolist() == ["cross_file_exact"]
    assert _curated(settings, D1, "acct_b.csv", "description") == ["Books"]
    # scope run never reaches another date
    _clean(settings, D2, {"inventory_d1.csv": INVENTORY_D1})
    _clean(settings, D1, {"inventory_d0.csv": INVENTORY_D1})
    assert link_date(D2, settings) == {"inventory_d1.csv": 0}
    history = _settings(tmp_path / "h", "dedup: {scope: history}\n")
    _clean(history, D1, {"inventory_d1.csv": INVENTORY_D1})
    _clean(history, D2, {"inventory_d2.csv": INVENTORY_D2})
    assert link_date(D2, history) == {"inventory_d2.csv": 1}
    assert _curated(history, D2, "inventory_d2.csv", "sku") == ["B-2"]


def test_a_file_an_earlier_scope_merged_is_put_back_when_the_scope_is_file(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "dedup: {scope: run}\n")
    _clean(settings, D1, {"acct_a.csv": ACCT_A, "acct_b.csv": ACCT_B})
    assert link_date(D1, settings)["acct_b.csv"] == 1
    (tmp_path / "config" / "default.yaml").write_text("dedup: {scope: file}\n", encoding="utf-8")
    assert link_date(D1, settings, run_id="run-2") == {"acct_a.csv": 0, "acct_b.csv": 0}
    lay = Layout(settings.data_dir, D1)
    assert _curated(settings, D1, "acct_b.csv", "description") == ["Coffee", "Books"]
    assert not lay.duplicates("acct_b.csv").exists()
    manifest = read_json(lay.manifest("acct_b.csv"))
    assert (manifest["curated"], manifest["duplicates"], manifest["duplicate_of"], manifest["run_id"]) == (2, 0, {}, "run-2")
    assert manifest["cross_file"]["lines"] == []
    assert read_json(lay.manifest("acct_a.csv"))["run_id"] == "run-1"  # never changed, never rewritten


def test_identical_text_kept_in_two_files_is_sent_to_the_model_once(tmp_path: Path) -> None:
    """Keeping both rows costs no second model call: the embedding cache keys on the text (headwater.embed.cache.text_key)."""
    cache = EmbeddingCache(tmp_path / "cache.sqlite")
    sent: list[list[str]] = []

    def encode(texts: list[str]) -> np.ndarray:
        sent.append(list(texts))
        return np.ones((len(texts), 3), dtype=np.float32)

    first, calls_a = embed_with_cache(cache, "m", ["2025-01-05 Coffee 4.50", "2025-01-06 Rent 1200.00"], encode)
    second, calls_b = embed_with_cache(cache, "m", ["2025-01-05  Coffee 4.50", "2025-01-07 Books 30.00"], encode)
    assert (calls_a, calls_b) == (2, 1)
    assert sent == [["2025-01-05 Coffee 4.50", "2025-01-06 Rent 1200.00"], ["2025-01-07 Books 30.00"]]
    assert first.shape == second.shape == (2, 3)
