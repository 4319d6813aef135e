"""Exact values end to end: ingest + clean (and the run report) over small files, curated Parquet read back.

Big integers stay exact, decimal commas are the file's, NA can be data, declared types that fail
most values warn, and non-Latin headers keep their letters (issue 9, items 11-15).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from headwater.chunk.stage import chunk as chunk_file
from headwater.clean.stage import clean as clean_file
from headwater.config.settings import Settings
from headwater.embed.stage import embed as embed_file
from headwater.ingest.stage import ingest as ingest_file
from headwater.layout import Layout
from headwater.manifest import FileRef
from headwater.report import format_report, report as run_report
from headwater.storage import read_json

DATE = "2026-11-20"
PLACES = """\
files: ["places*.csv"]
schema:
  columns:
    country: string
    continent: string
    answer: {type: string, not_na_values: ["N/A"]}
    born: date
    visited: date
    population: integer
types: {na_values: [unknown]}
"""
TRANSLIT = """\
files: ["translit*.csv"]
mapping: {transliterate: true}
"""


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    config = tmp_path / "config"
    config.mkdir()
    (config / "places.yaml").write_text(PLACES, encoding="utf-8")
    (config / "translit.yaml").write_text(TRANSLIT, encoding="utf-8")
    return Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=config)


def _clean(settings: Settings, name: str, text: str) -> tuple[dict, dict]:
    """Ingest and clean ``text`` as landing file ``name``: (curated columns as Python values, manifest)."""
    ref = FileRef(DATE, name)
    ingest_file(text.encode("utf-8"), ref, settings)
    clean_file(ref, settings)
    lay = Layout(settings.data_dir, DATE)
    return pq.read_table(lay.curated(ref.key)).to_pydict(), read_json(lay.manifest(ref.key))


def test_tweet_ids_beyond_2_53_land_exactly(settings: Settings) -> None:
    curated, manifest = _clean(settings, "tweets.csv", (
        "status,in_reply_to,likes,score\n"
        "4611686018427387905,,3,0.12345678901234567890\n"
        "-4611686018427387905,1234567890123456789,4,1.5\n"
        "9007199254740993,9007199254740993,5,2.25\n"
    ))
    assert curated["status"] == [4611686018427387905, -4611686018427387905, 9007199254740993]
    assert curated["in_reply_to"] == [None, 1234567890123456789, 9007199254740993]
    assert curated["score"] == [0.12345678901234568, 1.5, 2.25]
    assert curated["score__raw"] == ["0.12345678901234567890", None, None]
    assert manifest["column_types"] == {"status": "integer", "in_reply_to": "integer", "likes": "integer", "score": "number"}
    assert {c: manifest["dtypes"][c] for c in ("status", "in_reply_to", "score", "score__raw")} == {
        "status": "Int64", "in_reply_to": "Int64", "score": "Float64", "score__raw": "string",
    }
    assert (manifest["coercion_failures"], manifest["inexact_numbers"]) == ({"score": 0}, {"score": 1})
    assert manifest["na_spellings"] == {"in_reply_to": {"": 1}}
    assert (manifest["curated"], manifest["quarantined"], manifest["clean_warnings"]) == (3, 0, [])


def test_a_semicolon_file_reads_its_decimal_commas(settings: Settings) -> None:
    curated, manifest = _clean(settings, "prices.csv", (
        "region;share;rate;amount\n"
        "north;0,125;0,40;1.234.567,89\n"
        "south;0,5;0,75;12,00\n"
    ))
    assert manifest["delimiter"] == ";"
    assert (curated["share"], curated["rate"], curated["amount"]) == ([0.125, 0.5], [0.4, 0.75], [1234567.89, 12.0])
    assert manifest["value_formats"] == {
        "decimal": ",", "decimal_votes": {".": 0, ",": 6}, "dayfirst": False, "dayfirst_votes": {"day_first": 0, "month_first": 0}, "columns": {},
    }
    assert manifest["coercion_failures"] == {} and manifest["inexact_numbers"] == {}


def test_us_grouping_reads_the_same_numbers(settings: Settings) -> None:
    curated, manifest = _clean(settings, "prices_us.csv", 'region,amount,count\nnorth,"1,234,567.89","1,204"\nsouth,12.00,"2,500"\n')
    assert (curated["amount"], curated["count"]) == ([1234567.89, 12.0], [1204, 2500])
    assert manifest["value_formats"]["decimal"] == "."


def test_na_as_data_declared_types_that_do_not_fit_and_the_report(settings: Settings) -> None:
    curated, manifest = _clean(settings, "places.csv", (
        "country,continent,answer,comment,born,visited,population\n"
        "NA,NA,N/A,N/A,19760607,soon,2550000\n"
        "ZA,AF,yes,fine,2024-13-45,later,59300000\n"
        "BW,AF,no,unknown,20240230,2024-01-02,2600000\n"
        "FR,EU,N/A,-,1990-01-02,never,68000000\n"
    ))
    assert curated["country"] == ["NA", "ZA", "BW", "FR"] and curated["continent"] == ["NA", "AF", "AF", "EU"]
    assert curated["answer"] == ["N/A", "yes", "no", "N/A"] and curated["comment"] == [None, "fine", None, None]
    assert curated["born"] == [date(1976, 6, 7), None, None, date(1990, 1, 2)]
    assert curated["born__raw"] == [None, "2024-13-45", "20240230", None]
    assert curated["visited"] == [None, None, date(2024, 1, 2), None]
    assert curated["visited__raw"] == ["soon", "later", None, "never"]
    assert curated["population"] == [2550000, 59300000, 2600000, 68000000]
    assert manifest["na_spellings"] == {"comment": {"-": 1, "n/a": 1, "unknown": 1}}
    assert manifest["na_kept_as_data"] == {"country": {"NA": 1}, "continent": {"NA": 1}}
    assert manifest["coercion_failures"] == {"born": 2, "visited": 3}
    warning = "visited: 3 of 4 values (75%) are not a valid date (declared type) — kept in visited__raw"
    assert manifest["clean_warnings"] == [warning]

    ref = FileRef(DATE, "places.csv")
    chunk_file(ref, settings)
    embed_file(ref, settings)
    report = run_report(DATE, ["places.csv"], settings)
    assert report["files"][0]["status"] == "ok" and report["files"][0]["warnings"] == [warning]
    assert report["warned_files"] == [f"{DATE}/places.csv"] and report["failed"] == []
    lines = format_report(report).splitlines()
    assert lines[1].endswith("vectors warn")
    # records 5 = 4 data records + 1 header line (struct); no free-text column: 4 row documents, 4 vectors
    assert lines[3:5] == [f"{'places.csv':<26} {'ok':<11} {'processed':<9} {5:>7} {1:>6} {4:>6} {4:>7} {0:>5} {0:>5} {4:>6} {4:>7} {1:>4}", f"  ~ {warning}"]


def test_non_latin_headers_keep_their_letters(settings: Settings) -> None:
    curated, manifest = _clean(settings, "people_ru.csv", "Имя,Город,Όνομα,名前\nАнна,Москва,Άννα,花子\n")
    assert list(curated)[3:] == ["имя", "город", "όνομα", "名前"]
    assert curated["имя"] == ["Анна"] and curated["名前"] == ["花子"]
    assert [(c["original"], c["standardized"]) for c in manifest["columns"]] == [
        ("Имя", "имя"), ("Город", "город"), ("Όνομα", "όνομα"), ("名前", "名前"),
    ]
    curated, _ = _clean(settings, "translit_ru.csv", "Имя,Город,Όνομα,名前\nАнна,Москва,Άννα,花子\n")
    assert list(curated)[3:] == ["imia", "gorod", "onoma", "ming_qian"]
