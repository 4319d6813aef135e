"""Output keys of landing names: distinct names never share a path, and keys stay readable (issue 9, item 20)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from headwater.layout import KEY_SEPARATOR, Layout, file_key, path_safe

NFC = unicodedata.normalize("NFC", "café.csv")
NFD = unicodedata.normalize("NFD", "café.csv")

# name -> key, every one exact: a safe name keeps itself, any other gets a readable stem ~ 8 hex of sha256(name) + extension
KEYS = {
    "q3_sales.csv": "q3_sales.csv",
    "q3 sales.csv": "q3_sales~1b6e64e2.csv",
    "q3&sales.csv": "q3_sales~7f8ee286.csv",
    "données.csv": "donnees~f598f205.csv",
    "donn es.csv": "donn_es~46f878b3.csv",
    "売上.csv": "file~811579bc.csv",
    "在庫.csv": "file~b7d03de7.csv",
    "Sales Q3.CSV": "Sales_Q3~9015bcbc.CSV",
    "sales q3.csv": "sales_q3~c6665610.csv",
    NFC: "cafe~a262bdd5.csv",
    NFD: "cafe~a84db398.csv",
    "Customers Export.csv": "Customers_Export~7438d9e4.csv",
    "orders.csv.gz": "orders.csv.gz",
    "orders.zip/part-1.csv": "orders.zip_part-1~6fbdab7b.csv",
    "orders.zip/data/a.tsv.gz": "orders.zip_data_a~f4581b35.tsv.gz",
    "../../etc/passwd": "etc_passwd~3754d6cb",
    "report v1.2.csv": "report_v1.2~52fced39.csv",
    "x.": "x~c92f00b1",
    "-x.csv": "x~036e54aa.csv",
}


@pytest.mark.parametrize("name", list(KEYS), ids=[ascii(n) for n in KEYS])
def test_every_name_gets_its_exact_key(name: str) -> None:
    assert file_key(name) == KEYS[name]


def test_names_that_sanitize_alike_get_distinct_keys_even_case_folded() -> None:
    keys = [file_key(n) for n in KEYS]
    assert len(set(keys)) == len(KEYS)
    assert len({k.casefold() for k in keys}) == len(KEYS)  # Sales Q3.CSV / sales q3.csv differ on a case-insensitive volume too
    assert NFC != NFD and file_key(NFC) != file_key(NFD)  # the same text in two Unicode normalizations: two files


def test_a_key_depends_on_its_name_alone() -> None:
    """Not on the other files of the day or their order: a rerun or a backfill finds the same paths."""
    assert [file_key(n) for n in reversed(KEYS)] == list(reversed([file_key(n) for n in KEYS]))
    assert file_key("q3 sales.csv") == file_key("q3 sales.csv") == "q3_sales~1b6e64e2.csv"


def test_keys_are_filesystem_safe_and_a_kept_name_never_looks_hashed() -> None:
    for key in map(file_key, KEYS):
        assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._~-]*", key), key
        assert key.count(KEY_SEPARATOR) <= 1
    safe = ["a.csv", "A-b_c.1.csv", "x" * 200]
    assert [file_key(n) for n in safe] == safe and not any(KEY_SEPARATOR in n for n in safe)
    # a safe name that looks like a key is not one: "~" is outside the safe characters, so it is hashed itself
    assert file_key("q3_sales~1b6e64e2.csv") == "q3_sales_1b6e64e2~28d54f54.csv"


def test_long_names_are_capped() -> None:
    long_name = "a" * 201 + ".csv"
    assert file_key(long_name) == "a" * 80 + "~3a925593.csv"
    assert file_key("a" * 200) == "a" * 200  # at the cap: kept
    assert file_key("é" * 300 + ".csv") == "e" * 80 + "~" + file_key("é" * 300 + ".csv")[-12:]


def test_two_sanitize_alike_names_never_share_a_path_in_any_area(tmp_path: Path) -> None:
    lay = Layout(tmp_path, "2026-11-20")
    names = ["q3 sales.csv", "q3_sales.csv", "q3&sales.csv"]

    def paths(name: str) -> list[Path]:
        key = file_key(name)
        return [
            *lay.outputs(key), lay.manifest(key), lay.key_claim(key),
            lay.finetune_part("fields-all", "2026-11-20", key, "0" * 64),
        ]

    everything = [p for n in names for p in paths(n)]
    assert len(everything) == len(set(everything)) == 3 * 10
    assert lay.curated(file_key("q3 sales.csv")) == tmp_path / "curated/date=2026-11-20/q3_sales~1b6e64e2.csv.parquet"


def test_names_headwater_makes_itself_keep_the_plain_sanitizer() -> None:
    assert path_safe("manual__2026-11-20T00:00:00+00:00") == "manual__2026-11-20T00_00_00_00_00"
    assert Layout(Path("/d")).finetune_run("manual__2026-11-20T00:00:00+00:00") == Path("/d/finetune/runs/manual__2026-11-20T00_00_00_00_00")
    assert path_safe(" ") == "unnamed"


def test_an_object_storage_root_gives_upaths_with_the_local_names() -> None:
    from headwater.layout import data_root
    from headwater.storage import as_path, is_remote

    lay = Layout("s3://bucket/prefix/", "2026-11-20")
    assert lay.remote and is_remote(lay.curated("a.csv"))
    assert str(lay.curated("a.csv")) == "s3://bucket/prefix/curated/date=2026-11-20/a.csv.parquet"
    assert str(lay.vectors) == "s3://bucket/prefix/vectors" and str(lay.key_claim("a.csv")) == "s3://bucket/prefix/keys/date=2026-11-20/a.csv"
    manifest = lay.manifest("a.csv")
    assert as_path(manifest) is manifest  # never turned into a local Path
    local = Layout("file:///srv/headwater", "2026-11-20")
    assert not local.remote and local.curated("a.csv") == Path("/srv/headwater/curated/date=2026-11-20/a.csv.parquet")
    assert data_root("/srv/h") == Path("/srv/h") and not is_remote(Path("/srv/h"))
