"""Masked rows across files (breaker3 #13): the link step compares them by the curated ``_masked_key`` (their
within-file exact key, keyed digest of what the mask hid included), so a re-delivered file's rows with an e-mail or a
phone are exact duplicates of the earlier copy, and rows that hid different values stay apart."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from headwater.clean.link import link_date
from headwater.clean.pipeline import MASKED_KEY
from headwater.clean.stage import clean as clean_file
from headwater.config.settings import Settings
from headwater.ingest.stage import ingest as ingest_file
from headwater.layout import Layout
from headwater.manifest import FileRef

D1, D2 = "2026-03-01", "2026-03-02"
# breaker3 in26/land/2026-03-0{1,2}/tickets.csv: a phone (Ann), an e-mail (Bob), neither (Cy)
TICKETS = (
    "customer,message\n"
    'Ann,"Please call me back at +1 415 555 0100 about my refund, it has been three weeks."\n'
    "Bob,My email is bob.roy@example.com and nobody answered my complaint about the broken chair.\n"
    "Cy,The delivery van blocked my driveway for two hours this morning.\n"
)


def _settings(tmp_path: Path, scope: str, key: str = "test-key") -> Settings:
    config = tmp_path / "config"
    config.mkdir(exist_ok=True)
    (config / "tickets.yaml").write_text(f'files: ["tickets*.csv"]\ndedup:\n  scope: {scope}\n', encoding="utf-8")
    return Settings(home=tmp_path / "home", landing_uri=(tmp_path / "landing").as_uri(), config_dir=config, pii_digest_key=key)


def _clean(settings: Settings, date: str, name: str, text: str) -> None:
    ref = FileRef(date, name, run_id="r")
    ingest_file(text.encode(), ref, settings)
    clean_file(ref, settings)


def _table(settings: Settings, date: str, name: str, kind: str) -> pd.DataFrame:
    lay = Layout(settings.data_dir, date)
    return pd.read_parquet(lay.curated(FileRef(date, name).key) if kind == "curated" else lay.duplicates(FileRef(date, name).key))


def test_a_redelivered_file_under_history_scope_is_a_duplicate_row_for_row_masked_rows_included(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "history")
    _clean(settings, D1, "tickets.csv", TICKETS)
    assert link_date(D1, settings) == {"tickets.csv": 0}
    _clean(settings, D2, "tickets.csv", TICKETS)
    assert link_date(D2, settings) == {"tickets.csv": 3}  # was 1: only Cy, the row without personal data
    first = _table(settings, D1, "tickets.csv", "curated")
    dups = _table(settings, D2, "tickets.csv", "duplicates")
    assert len(_table(settings, D2, "tickets.csv", "curated")) == 0
    assert dups["customer"].tolist() == ["Ann", "Bob", "Cy"]
    assert dups["_dedup_job"].tolist() == ["cross_file_exact"] * 3
    assert dups["_duplicate_of"].tolist() == first["_row_id"].tolist()
    # the key is on the masked rows only; the digest itself is never written out
    assert first[MASKED_KEY].isna().tolist() == [False, False, True] and "_masked_digest" not in first.columns
    assert first[MASKED_KEY].str.fullmatch(r"[0-9a-f]{16}").fillna(False).tolist() == [True, True, False]


def test_a_row_that_hid_another_phone_stays_curated(tmp_path: Path) -> None:
    """The same visible text, another hidden value: Ann's phone changed on day 2, so she stays; Bob and Cy are copies."""
    settings = _settings(tmp_path, "history")
    _clean(settings, D1, "tickets.csv", TICKETS)
    link_date(D1, settings)
    _clean(settings, D2, "tickets.csv", TICKETS.replace("555 0100", "555 0199"))
    assert link_date(D2, settings) == {"tickets.csv": 2}  # was 1 (Cy)
    assert _table(settings, D2, "tickets.csv", "curated")["customer"].tolist() == ["Ann"]
    assert _table(settings, D2, "tickets.csv", "duplicates")["customer"].tolist() == ["Bob", "Cy"]


def test_two_files_of_one_date_under_run_scope_link_their_masked_rows(tmp_path: Path) -> None:
    """Same date (scope run): the later file's Ann (same phone) is a copy, its Bob (another address) is not."""
    settings = _settings(tmp_path, "run")
    _clean(settings, D1, "tickets_a.csv", TICKETS)
    _clean(settings, D1, "tickets_b.csv", TICKETS.replace("bob.roy@", "rob.roy@"))
    assert link_date(D1, settings) == {"tickets_a.csv": 0, "tickets_b.csv": 2}  # was 1 (Cy)
    assert _table(settings, D1, "tickets_b.csv", "duplicates")["customer"].tolist() == ["Ann", "Cy"]
    assert _table(settings, D1, "tickets_b.csv", "curated")["customer"].tolist() == ["Bob"]


def test_another_digest_key_makes_masked_rows_of_two_files_different(tmp_path: Path) -> None:
    """Day 2 cleaned under another key: its masked rows' keys differ, so only Cy links (never a false merge)."""
    _clean(_settings(tmp_path, "history", "key-one"), D1, "tickets.csv", TICKETS)
    settings = _settings(tmp_path, "history", "key-two")
    _clean(settings, D2, "tickets.csv", TICKETS)
    assert link_date(D2, settings) == {"tickets.csv": 1}
    assert _table(settings, D2, "tickets.csv", "curated")["customer"].tolist() == ["Ann", "Bob"]
