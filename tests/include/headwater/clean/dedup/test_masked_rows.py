"""Rows whose text had an e-mail address or phone number masked are never merged on the mask.

``mail [EMAIL]`` keeps no original (a ``__raw`` would hold what the mask hides), so two rows that
read alike after masking may be two records: exact duplicates, row ids and near-duplicate
verification keep them apart (headwater.clean.steps.base.masked_rows).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from headwater.clean.stage import clean as clean_file
from headwater.config.settings import Settings
from headwater.ingest.stage import ingest as ingest_file
from headwater.layout import Layout
from headwater.manifest import FileRef
from headwater.storage import read_json

DATE = "2026-11-20"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=tmp_path / "none")


def _clean(settings: Settings, name: str, text: str) -> tuple[dict, dict, dict]:
    ref = FileRef(DATE, name)
    ingest_file(text.encode("utf-8"), ref, settings)
    clean_file(ref, settings)
    lay = Layout(settings.data_dir, DATE)
    dup_path = lay.duplicates(ref.key)
    dups = pq.read_table(dup_path).to_pydict() if Path(dup_path).exists() else {}
    return pq.read_table(lay.curated(ref.key)).to_pydict(), dups, read_json(lay.manifest(ref.key))


def test_two_rows_that_differ_only_in_a_masked_address_are_two_records(settings: Settings) -> None:
    curated, dups, manifest = _clean(settings, "replies.csv", (
        "queue,body\n"
        "billing,Please send the corrected invoice for order 7 to anna.berg@example.com before Friday afternoon\n"
        "billing,Please send the corrected invoice for order 7 to omar.haddad@example.org before Friday afternoon\n"
    ))
    masked = "Please send the corrected invoice for order 7 to [EMAIL] before Friday afternoon"
    assert curated["body"] == [masked, masked]
    assert curated["body__reason"] == ["masked: emails", "masked: emails"]
    assert "body__raw" not in curated or curated["body__raw"] == [None, None]
    assert len(set(curated["_row_id"])) == 2  # two ids: two chunks and two vectors, not one overwriting the other
    assert dups.get("_row_id", []) == []
    assert manifest["curated"] == 2 and manifest["duplicates"] == 0


def test_rows_without_a_mask_still_merge_as_exact_duplicates(settings: Settings) -> None:
    curated, dups, manifest = _clean(settings, "plain.csv", (
        "queue,body\n"
        "billing,Please send the corrected invoice for order 7 before Friday afternoon as discussed\n"
        "billing,Please send the corrected invoice for order 7 before Friday afternoon as discussed\n"
    ))
    assert len(curated["body"]) == 1 and len(dups["_row_id"]) == 1
    assert manifest["curated"] == 1 and manifest["duplicates"] == 1


def test_a_near_copy_hiding_two_phone_numbers_is_vetoed_as_an_identifier(settings: Settings) -> None:
    curated, dups, manifest = _clean(settings, "calls.csv", (
        "queue,body\n"
        "support,Thanks for calling us today. A specialist will call you back at +1 415 555 0132 within two business days.\n"
        "support,Thanks for calling us today! A specialist will call you back at +1 212 555 0187 within two business days.\n"
    ))
    assert len(curated["body"]) == 2 and dups.get("_row_id", []) == []
    assert all(text.count("[PHONE]") == 1 for text in curated["body"])
    near = manifest["clean_steps"]["near_duplicate_text"]
    assert near["candidate_pairs"] == 1 and near["vetoed_identifier"] == 1


def test_verification_vetoes_two_masked_texts_and_keeps_an_added_mask() -> None:
    from headwater.clean.dedup.verify import difference, tokens_of

    a = tokens_of("Your ticket is closed; we wrote to [EMAIL] with the details.")
    b = tokens_of("Your ticket is closed; we wrote to [EMAIL] with the details!")
    plain = tokens_of("Your ticket is closed; we wrote to you with the details.")
    assert (a.masks, b.masks, plain.masks) == (1, 1, 0)
    assert difference(a, b) == "identifier"
    assert difference(a, plain) is None  # one side adds a mask: an addition, as a signature line is


# A keyed digest of the masked original (never stored) tells masked rows apart, and together
# (fidelity gap 5 of the new-user break test): the same address twice is one record.
INVOICE = "billing,Please send the corrected invoice for order 7 to {} before Friday afternoon\n"


def test_the_same_masked_address_twice_is_one_record_and_one_duplicate(settings: Settings) -> None:
    curated, dups, manifest = _clean(settings, "same.csv", "queue,body\n" + INVOICE.format("anna.berg@example.com") * 2)
    assert curated["_line"] == [2] and dups["_line"] == [3]
    assert dups["_duplicate_of"] == curated["_row_id"] and dups["_row_id"] == curated["_row_id"]
    assert manifest["curated"] == 1 and manifest["duplicates"] == 1
    assert not any("digest" in name or "anna" in str(value) for name, values in {**curated, **dups}.items() for value in [name, *values])


def test_a_masked_address_and_another_one_are_two_records_next_to_a_copy(settings: Settings) -> None:
    text = "queue,body\n" + INVOICE.format("anna.berg@example.com") + INVOICE.format("omar.haddad@example.org") + INVOICE.format(
        "anna.berg@example.com")
    curated, dups, manifest = _clean(settings, "three.csv", text)
    assert curated["_line"] == [2, 3] and dups["_line"] == [4]
    assert len(set(curated["_row_id"])) == 2 and dups["_duplicate_of"] == [curated["_row_id"][0]]
    assert manifest["curated"] == 2 and manifest["duplicates"] == 1


def test_masked_row_ids_do_not_depend_on_the_batch_size_or_the_run(tmp_path: Path) -> None:
    text = "queue,body\n" + "".join(INVOICE.format(a) for a in ("a@x.org", "b@x.org", "a@x.org", "c@x.org", "b@x.org"))
    home = tmp_path / "home"
    runs = []
    for batch_rows in (1, 2, 5, 1):  # the last run repeats the first over the same data root
        settings = Settings(home=home, landing_uri=tmp_path.as_uri(), config_dir=tmp_path / "none", batch_rows=batch_rows)
        curated, dups, _ = _clean(settings, "ids.csv", text)
        runs.append((curated["_line"], curated["_row_id"], dups["_line"], dups["_duplicate_of"]))
    assert runs[0][0] == [2, 3, 5] and runs[0][2] == [4, 6]
    assert all(run == runs[0] for run in runs)


def test_the_digest_key_is_made_once_per_data_root(tmp_path: Path) -> None:
    text = "queue,body\n" + INVOICE.format("anna.berg@example.com")
    ids = []
    for home in ("one", "two"):
        settings = Settings(home=tmp_path / home, landing_uri=tmp_path.as_uri(), config_dir=tmp_path / "none")
        ids.append(_clean(settings, "key.csv", text)[0]["_row_id"])
        key = Layout(settings.data_dir).pii_digest_key
        assert len(Path(key).read_bytes()) == 32
    assert ids[0] != ids[1]  # another data root, another key: a guessed address cannot be confirmed from an id
