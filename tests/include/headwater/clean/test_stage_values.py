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
from landed_files import clean_landed

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
    table, manifest = clean_landed(settings, DATE, name, text)
    return table.to_pydict(), manifest


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
    assert curated["score__reason"] == ["nearest_float64", None, None]  # read, stored as the nearest double: said
    assert manifest["column_types"] == {"status": "integer", "in_reply_to": "integer", "likes": "integer", "score": "number"}
    assert {c: manifest["dtypes"][c] for c in ("status", "in_reply_to", "score", "score__raw")} == {
        "status": "Int64", "in_reply_to": "Int64", "score": "Float64", "score__raw": "string",
    }
    assert (manifest["coercion_failures"], manifest["inexact_numbers"]) == ({}, {"score": 1})  # breaker7 #12: no {"score": 0}
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
        "decimal_decided_by": "votes", "units": {}, "kept_as_text": {},
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
    assert curated["answer"] == ["N/A", "yes", "no", "N/A"] and curated["comment"] == [None, "fine", None, "-"]
    assert curated["born"] == [date(1976, 6, 7), None, None, date(1990, 1, 2)]
    assert curated["born__raw"] == [None, "2024-13-45", "20240230", None]
    assert curated["visited"] == [None, None, date(2024, 1, 2), None]
    assert curated["visited__raw"] == ["soon", "later", None, "never"]
    assert curated["population"] == [2550000, 59300000, 2600000, 68000000]
    assert manifest["na_spellings"] == {"comment": {"n/a": 1, "unknown": 1}}
    assert manifest["na_kept_as_data"] == {"country": {"NA": 1}, "continent": {"NA": 1}, "comment": {"-": 1}}
    assert manifest["na_ambiguous"] == {"comment": {"kept": {"-": 1}}}
    assert curated["comment__raw"] == ["N/A", None, "unknown", None]  # breaker2 #14: the spellings made missing, kept
    assert manifest["coercion_failures"] == {"born": 2, "visited": 3}  # breaker7 #12: no "comment": 0
    warning = "visited: 3 of 4 values (75%) are not a valid date (declared type) — kept in visited__raw"
    kept = (
        "comment: 1 cell(s) written - kept as text (a sign, score or answer in a column that is not numbers or dates) — "
        "list them in types.na_values if they mean missing"
    )
    assert manifest["clean_warnings"] == [warning, kept]

    ref = FileRef(DATE, "places.csv")
    chunk_file(ref, settings)
    embed_file(ref, settings)
    report = run_report(DATE, ["places.csv"], settings)
    assert report["files"][0]["status"] == "ok" and report["files"][0]["warnings"] == [warning, kept]
    assert report["warned_files"] == [f"{DATE}/places.csv"] and report["failed"] == []
    lines = format_report(report).splitlines()
    assert lines[1].endswith("vectors warn")
    # records 5 = 4 data records + 1 header line (struct); no free-text column: 4 row documents, 4 vectors
    assert lines[3:6] == [f"{'places.csv':<26} {'ok':<11} {'processed':<9} {5:>7} {1:>6} {4:>6} {4:>7} {0:>5} {0:>5} {4:>6} {4:>7} {2:>4}", f"  ~ {warning}", f"  ~ {kept}"]


def test_non_latin_headers_keep_their_letters(settings: Settings) -> None:
    curated, manifest = _clean(settings, "people_ru.csv", "Имя,Город,Όνομα,名前\nАнна,Москва,Άννα,花子\n")
    assert list(curated)[3:] == ["имя", "город", "όνομα", "名前"]
    assert curated["имя"] == ["Анна"] and curated["名前"] == ["花子"]
    assert [(c["original"], c["standardized"]) for c in manifest["columns"]] == [
        ("Имя", "имя"), ("Город", "город"), ("Όνομα", "όνομα"), ("名前", "名前"),
    ]
    curated, _ = _clean(settings, "translit_ru.csv", "Имя,Город,Όνομα,名前\nАнна,Москва,Άννα,花子\n")
    assert list(curated)[3:] == ["imia", "gorod", "onoma", "ming_qian"]


def test_numbers_whose_spelling_means_something_stay_text(settings: Settings) -> None:
    curated, manifest = _clean(settings, "parts.csv", (
        "part,mobile,version,release_tag,amount\n"
        "1e5,+14155552671,1.10,2.0,1.50\n"
        "2E3,+14155552672,1.2,2.1,2.25\n"
        "3e2,+14155552673,2.0,3.0,3.00\n"
    ))
    assert curated["part"] == ["1e5", "2E3", "3e2"]
    assert curated["mobile"] == ["+14155552671", "+14155552672", "+14155552673"]
    assert curated["version"] == ["1.10", "1.2", "2.0"]
    assert curated["release_tag"] == ["2.0", "2.1", "3.0"]  # a version-like name
    assert curated["amount"] == [1.5, 2.25, 3.0]  # fixed decimals: a number
    assert manifest["column_types"] == {"part": "string", "mobile": "string", "version": "string", "release_tag": "string", "amount": "number"}
    assert manifest["value_formats"]["kept_as_text"] == {
        "part": "exponent notation", "mobile": "a leading +", "version": "version numbers", "release_tag": "version numbers",
    }
    assert manifest["coercion_failures"] == {}


def test_mixed_units_stay_text_and_one_unit_is_typed_and_named(settings: Settings) -> None:
    curated, manifest = _clean(settings, "units.csv", (
        "share,price,rate,fee\n"
        "12%,€5.00,12%,€5.00\n"
        "7.5%,$5.00,7.5%,€7.50\n"
        "15,£5.00,15%,€1.25\n"
        "20%,5.00 USD,20%,€0.99\n"
    ))
    assert curated["share"] == ["12%", "7.5%", "15", "20%"]
    assert curated["price"] == ["€5.00", "$5.00", "£5.00", "5.00 USD"]
    assert curated["rate"] == [0.12, 0.075, 0.15, 0.2]
    assert curated["fee"] == [5.0, 7.5, 1.25, 0.99]
    assert manifest["column_types"] == {"share": "string", "price": "string", "rate": "number", "fee": "number"}
    assert manifest["value_formats"]["units"] == {"rate": "%", "fee": "€"}
    assert manifest["value_formats"]["kept_as_text"] == {"share": "differing units", "price": "differing units"}


PRICED = """\
files: ["priced*.csv"]
schema:
  columns:
    item: string
    price: number
    qty: integer
"""


def test_a_declared_number_column_keeps_the_text_of_values_in_another_unit(settings: Settings) -> None:
    (settings.config_dir / "priced.yaml").write_text(PRICED, encoding="utf-8")
    curated, manifest = _clean(settings, "priced.csv", (
        "item,price,qty\n"
        "a,$10.00,1\n"
        "b,€12.50,2\n"
        "c,5,3\n"
        "d,7.25 USD,4\n"
        "e,3%,5\n"
    ))
    assert curated["price"] == [10.0, 12.5, 5.0, 7.25, 0.03]
    # a currency the schema does not declare keeps its text: the stored number alone lost it (currency_stored_as_amount)
    assert curated["price__raw"] == ["$10.00", "€12.50", None, "7.25 USD", "3%"]
    assert curated["price__reason"] == [
        "currency_stored_as_amount", "currency_stored_as_amount", None, "currency_stored_as_amount", "percent_stored_as_fraction"
    ]
    assert manifest["value_formats"]["units"] == {}
    assert manifest["clean_warnings"] == [
        "price: 3 value(s) written in another unit than the column's first ($; %: 1, USD: 1, €: 1) — the number is stored, the text kept in price__raw"
    ]


def _fees_in_batches_of_3(settings: Settings, rows: str) -> tuple[dict, dict]:
    """Ingest ``item,fee`` + ``rows`` as fees.csv and clean it in batches of 3: (curated columns, manifest)."""
    ref = FileRef(DATE, "fees.csv")
    ingest_file(("item,fee\n" + rows).encode("utf-8"), ref, settings)
    clean_file(ref, Settings(**settings.model_dump(exclude={"batch_rows"}), batch_rows=3))
    lay = Layout(settings.data_dir, DATE)
    return pq.read_table(lay.curated(ref.key)).to_pydict(), read_json(lay.manifest(ref.key))


def test_a_value_in_another_unit_after_the_decision_sample_keeps_its_text(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from headwater.clean import runner

    # the decision sample (here the first 3 rows) decides the column's unit ($); a € value further down is not a dollar amount
    monkeypatch.setattr(runner, "DECISION_ROWS", 3)
    rows = "".join(f"r{i},${i}.00\n" for i in range(1, 7)) + "r7,€9.00\nr8,$8.00\n"
    curated, manifest = _fees_in_batches_of_3(settings, rows)
    assert curated["fee"] == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 9.0, 8.0]
    assert curated["fee__raw"] == [f"${i}.00" for i in range(1, 7)] + ["€9.00", "$8.00"]  # each currency as written
    assert curated["fee__reason"] == ["currency_stored_as_amount"] * 8
    assert manifest["value_formats"]["units"] == {"fee": "$"}
    assert manifest["clean_warnings"] == [
        "fee: 1 value(s) written in another unit than the column's first ($; €: 1) — the number is stored, the text kept in fee__raw"
    ]


def test_a_value_in_another_unit_inside_the_decision_sample_keeps_the_column_text(settings: Settings) -> None:
    # batches of 3, the default sample: the € value is among the rows that decide, so the column's units differ: text
    rows = "".join(f"r{i},${i}.00\n" for i in range(1, 7)) + "r7,€9.00\nr8,$8.00\n"
    curated, manifest = _fees_in_batches_of_3(settings, rows)
    assert curated["fee"] == [f"${i}.00" for i in range(1, 7)] + ["€9.00", "$8.00"]
    assert manifest["column_types"]["fee"] == "string"
    assert manifest["value_formats"]["kept_as_text"] == {"fee": "differing units"}


@pytest.mark.parametrize("batch_rows", [1, 2, 3, 100])
def test_which_values_keep_their_unit_text_does_not_depend_on_the_batch_size(settings: Settings, batch_rows: int) -> None:
    (settings.config_dir / "priced.yaml").write_text(PRICED, encoding="utf-8")
    ref = FileRef(DATE, "priced_b.csv")
    ingest_file("item,price,qty\na,12,1\nb,$3.00,2\nc,4,3\nd,€5.00,4\ne,$6.00,5\nf,7%,6\n".encode("utf-8"), ref, settings)
    clean_file(ref, Settings(**settings.model_dump(exclude={"batch_rows"}), batch_rows=batch_rows))
    curated = pq.read_table(Layout(settings.data_dir, DATE).curated(ref.key)).to_pydict()
    assert curated["price"] == [12.0, 3.0, 4.0, 5.0, 6.0, 0.07]
    assert curated["price__raw"] == [None, "$3.00", None, "€5.00", "$6.00", "7%"]


def test_datetimes_beyond_microseconds_keep_their_text(settings: Settings) -> None:
    curated, manifest = _clean(settings, "stamps.csv", (
        "seen,n\n"
        "2024-01-15T10:00:00.123456789Z,1\n"
        "2024-01-15T10:00:00.5Z,2\n"
        "2024-01-16T10:00:00.123456000Z,3\n"
    ))
    assert [v.isoformat() for v in curated["seen"]] == [
        "2024-01-15T10:00:00.123456+00:00", "2024-01-15T10:00:00.500000+00:00", "2024-01-16T10:00:00.123456+00:00",
    ]
    assert curated["seen__raw"] == ["2024-01-15T10:00:00.123456789Z", None, None]
    assert curated["seen__reason"] == ["sub_microsecond_digits", None, None]
    assert manifest["column_types"]["seen"] == "datetime"
    # inexact_numbers counts numbers float64 cannot hold, not date-times (breaker6 #11)
    assert (manifest["coercion_failures"], manifest["inexact_numbers"]) == ({}, {})  # breaker7 #12: no {"seen": 0}


def test_a_declared_number_reads_what_inference_keeps_as_text(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "parts.yaml").write_text('files: ["parts*.csv"]\nschema: {columns: {part: number, mobile: integer}}\n', encoding="utf-8")
    settings = Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=config)
    curated, manifest = _clean(settings, "parts.csv", "part,mobile\n1e5,+14155552671\n2E3,+14155552672\n")
    assert (curated["part"], curated["mobile"]) == ([100000.0, 2000.0], [14155552671, 14155552672])
    assert manifest["value_formats"]["kept_as_text"] == {}


@pytest.mark.parametrize(
    ("text", "values", "raw", "decided_by"),
    [
        ("pos;val\na;10\nb;2,125\nc;30\n", [10.0, 2.125, 30.0], [None, "2,125", None], "delimiter"),  # ';' files write decimal commas
        ("pos\tval\na\t10\nb\t2,125\nc\t30\n", [10, 2125, 30], [None, "2,125", None], "default"),
        ('pos,val\na,10\nb,"2,125"\nc,30\n', [10, 2125, 30], [None, "2,125", None], "default"),
        ("pos;val\na;10\nb;2,125\nc;3.5\n", [10.0, 2125.0, 3.5], [None, None, None], "votes"),  # 3.5 decides: 2,125 groups thousands
    ],
)
def test_an_ambiguous_decimal_is_never_read_silently(settings: Settings, text: str, values: list, raw: list, decided_by: str) -> None:
    curated, manifest = _clean(settings, "marks.csv", text)
    assert curated["val"] == values
    assert curated.get("val__raw", [None] * 3) == raw
    assert manifest["value_formats"]["decimal_decided_by"] == decided_by
    warned = [w for w in manifest["clean_warnings"] if w.startswith("val: 1 value(s) like 2,125")]
    assert len(warned) == (decided_by != "votes")


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_a_later_batch_decides_the_decimal_mark_without_contradicting_earlier_ones(tmp_path: Path, delimiter: str) -> None:
    settings = Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=tmp_path / "none", batch_rows=2)
    rows = [("a", "10"), ("b", "20"), ("c", "2,125"), ("d", "7,5")]
    text = "\n".join(delimiter.join(r) for r in [("pos", "val"), *rows]) + "\n"
    curated, manifest = _clean(settings, "late.csv", text)
    # the first batch (10, 20) decides nothing; the decision sample (the file's first rows) holds 7,5: decimal comma for
    # every batch, a number column, and 2,125 is 2.125, not 2125
    assert curated["val"] == [10.0, 20.0, 2.125, 7.5]
    assert "val__raw" not in curated
    assert (manifest["value_formats"]["decimal"], manifest["value_formats"]["decimal_decided_by"]) == (",", "votes")


def test_values_of_both_marks_in_the_decision_sample_keep_the_column_text(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=tmp_path / "none", batch_rows=2)
    curated, manifest = _clean(settings, "later.csv", "pos;val\na;1,5\nb;2,125\nc;3.25\nd;1.000\n")
    # 1,5 votes ',' and 3.25 votes '.': no mark reads 90% of the values, so the column is text, as written
    assert curated["val"] == ["1,5", "2,125", "3.25", "1.000"]
    assert manifest["column_types"]["val"] == "string"


def test_an_ambiguous_value_before_the_deciding_one_keeps_its_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from headwater.clean import runner

    monkeypatch.setattr(runner, "DECISION_ROWS", 2)  # the first 2 rows decide
    settings = Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=tmp_path / "none", batch_rows=2)
    curated, manifest = _clean(settings, "later.csv", "pos;val\na;1,5\nb;2,125\nc;3.25\nd;1.000\n")
    # the sample votes ',' (1,5): decided; 2,125 is 2.125, 1.000 a thousand; 3.25 fails the mark and keeps its text
    assert curated["val"] == [1.5, 2.125, None, 1000.0]
    assert curated["val__raw"] == [None, None, "3.25", None]
    assert manifest["value_formats"]["decimal_decided_by"] == "votes"


def test_names_spelled_like_missing_values_land_as_written(settings: Settings) -> None:
    curated, manifest = _clean(settings, "people.csv", (
        "first_name,last_name,city,note\n"
        "Nan,Goldin,Boston,NULL\n"
        "Jennifer,Null,Denver,null\n"
        "Ann,None,Austin,call her\n"
    ))
    assert curated["first_name"] == ["Nan", "Jennifer", "Ann"]
    assert curated["last_name"] == ["Goldin", "Null", "None"]
    assert curated["note"] == [None, None, "call her"]
    assert manifest["na_spellings"] == {"note": {"null": 2}}
    assert manifest["na_kept_as_data"] == {"last_name": {"None": 1}}
    assert manifest["clean_warnings"] == [
        "note: 2 cells written NULL, null made missing (a text column) — list them in types.not_na_values if they are data",
    ]


@pytest.mark.parametrize("encoding", ["cp1250", "iso-8859-2"])
def test_central_european_text_lands_with_its_letters(settings: Settings, encoding: str) -> None:
    ref = FileRef(DATE, f"mesta_{encoding}.csv")
    ingest_file("meno,mesto\nŁukasz,Łódź\nŠtefan,Žilina\nŐrs,Győr\n".encode(encoding), ref, settings)
    clean_file(ref, settings)
    lay = Layout(settings.data_dir, DATE)
    curated, manifest = pq.read_table(lay.curated(ref.key)).to_pydict(), read_json(lay.manifest(ref.key))
    assert (curated["meno"], curated["mesto"]) == (["Łukasz", "Štefan", "Őrs"], ["Łódź", "Žilina", "Győr"])
    assert (manifest["encoding"], manifest["read_warnings"]) == (encoding, [])


def test_an_uncertain_encoding_is_a_read_warning_and_in_the_run_report(settings: Settings) -> None:
    ref = FileRef(DATE, "villes.csv")
    ingest_file("nom,ville\nRené,Genève\nAnne,Lyon\n".encode("cp1252"), ref, settings)
    clean_file(ref, settings)
    chunk_file(ref, settings)
    embed_file(ref, settings)
    lay = Layout(settings.data_dir, DATE)
    curated, manifest = pq.read_table(lay.curated(ref.key)).to_pydict(), read_json(lay.manifest(ref.key))
    assert curated["ville"] == ["Genève", "Lyon"]
    warning = "encoding uncertain: read as cp1252; cp1250 reads the bytes as plausibly (line 2: Genève vs Genčve) — set read.encoding if that is wrong"
    assert (manifest["encoding"], manifest["read_warnings"]) == ("cp1252", [warning])
    report = run_report(DATE, ["villes.csv"], settings)
    assert report["files"][0]["warnings"] == [warning] and report["warned_files"] == [f"{DATE}/villes.csv"]


def test_backslash_escaped_quotes_load_and_a_lone_y_is_text(settings: Settings) -> None:
    ref = FileRef(DATE, "quotes.csv")
    ingest_file(b'bid,btxt,bx\n1,"He said \\"hi\\", then left",x\n2,plain,y\n', ref, settings)
    clean_file(ref, settings)
    lay = Layout(settings.data_dir, DATE)
    curated, manifest = pq.read_table(lay.curated(ref.key)).to_pydict(), read_json(lay.manifest(ref.key))
    assert curated["btxt"] == ['He said "hi", then left', "plain"] and curated["bx"] == ["x", "y"]
    assert (manifest["quarantined"], manifest["table"]["escapechar"]) == (0, "\\")
    assert manifest["read_warnings"] == ['quotes escaped with a backslash (\\"), not doubled: read with escapechar \\']


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ("y\n", ["y"]),  # a lone letter: a code, not True
        ("y\nn\ny\n", ["y", "n", "y"]),  # single letters are booleans only when declared
        ("T\nF\n", ["T", "F"]),
        ("on\nhold\non\n", ["on", "hold", "on"]),
        ("on\non\n", ["on", "on"]),  # on alone is a word
        ("yes\nno\nYES\n", [True, False, True]),
        ("true\n", [True]),
        ("on\noff\n", [True, False]),
    ],
)
def test_booleans_are_inferred_from_words_only(settings: Settings, values: str, expected: list) -> None:
    rows = "".join(f"{n},{v}\n" for n, v in enumerate(values.splitlines(), 1))  # numbered: no row is a duplicate
    curated, _ = _clean(settings, "flags.csv", "n,flag\n" + rows)
    assert curated["flag"] == expected


def test_rows_that_differ_only_in_how_they_wrote_missing_land_apart_with_their_spellings(settings: Settings) -> None:
    # breaker2 #14 (in3/na_spelling_dup.csv) and #15 (in/ws_cell.csv): NA may be Namibia, spaces are what a fixed layout wrote
    import json

    curated, manifest = _clean(settings, "na_spelling_dup.csv", "id,v\n1,NA\n1,\n1,null\n1,\"   \"\n1,null\nNA,null\n")
    assert curated["id"] == ["1", "1", "1", "1"] and curated["v"] == [None, None, None, None]
    assert curated["v__raw"] == ["NA", None, "null", "   "] and curated["v__reason"] == ["na_spelling", None, "na_spelling", "blank"]
    assert (manifest["duplicates"], manifest["quarantined"]) == (1, 1)  # line 6 copies line 4 as written; line 7 has no value
    assert manifest["clean_steps"]["exact_duplicates"]["kept_apart_by_na_spelling"] == 3
    assert manifest["na_spellings"] == {"id": {"na": 1}, "v": {"": 2, "na": 1, "null": 3}}
    assert manifest["text_normalized"] == {"v": {"blank": 1}}
    assert manifest["clean_warnings"][-1] == (
        "kept_apart_by_na_spelling: 3 row(s) (lines 3, 4, 5) equal an earlier row but for how a missing value was written "
        "(NA, null, blank, spaces; the text kept in <col>__raw, reason na_spelling or blank): kept as curated records, "
        "not exact duplicates"
    )
    lay = Layout(settings.data_dir, DATE)
    (record,) = [json.loads(line) for line in lay.quarantine_rows(FileRef(DATE, "na_spelling_dup.csv").key).read_text().splitlines()]
    assert (record["line"], record["raw"]) == (7, {"id": "NA", "v": "null"})  # the empty row's spellings are kept there
    text = format_report(run_report(DATE, ["na_spelling_dup.csv"], settings))
    assert "kept_apart_by_na_spelling: 3 row(s)" in text


def test_a_whitespace_only_cell_keeps_its_text_apart_from_a_true_blank(settings: Settings) -> None:
    curated, manifest = _clean(settings, "ws_cell.csv", 'id,note\n1,"   "\n2,\n3,"\t"\n4,x\n')
    assert curated["note"] == [None, None, None, "x"]
    assert curated["note__raw"] == ["   ", None, "\t", None] and curated["note__reason"] == ["blank", None, "blank", None]
    assert manifest["na_spellings"] == {"note": {"": 3}} and manifest["text_normalized"] == {"note": {"blank": 2}}


def test_the_count_of_rows_kept_apart_adds_up_over_batches(settings: Settings) -> None:
    # the first batch keeps none apart, a later one does: the runner sums a count a step gives only when not 0
    ref = FileRef(DATE, "late_spellings.csv")
    ingest_file(b"id,v\n1,a\n2,b\n3,\n3,NA\n4,\n4,null\n", ref, settings)
    clean_file(ref, Settings(**settings.model_dump(exclude={"batch_rows"}), batch_rows=2))
    manifest = read_json(Layout(settings.data_dir, DATE).manifest(ref.key))
    assert (manifest["curated"], manifest["duplicates"], manifest["clean_batches"]) == (6, 0, 3)
    assert manifest["clean_steps"]["exact_duplicates"]["kept_apart_by_na_spelling"] == 2


# breaker3 #18 end to end: quoted page ranges in a file whose prices write decimal points stay text, named in a warning;
# breaker3 #11: currency signs in a header are spelled in the column names.
def test_page_ranges_beside_decimal_point_prices_stay_text_and_currency_headers_keep_their_currency(settings: Settings) -> None:
    curated, manifest = _clean(settings, "pairs.csv", (
        'item,Price ($),Price (€),pages\n'
        'a,1.50,1.40,"10,20"\n'
        'b,2.25,2.05,"3,7"\n'
        'c,3.75,3.45,"12,13"\n'
    ))
    assert curated["pages"] == ["10,20", "3,7", "12,13"] and "pages__raw" not in curated
    assert curated["price_dollar"] == [1.5, 2.25, 3.75] and curated["price_eur"] == [1.4, 2.05, 3.45]
    assert manifest["column_types"] == {"item": "string", "price_dollar": "number", "price_eur": "number", "pages": "string"}
    assert manifest["value_formats"]["kept_as_text"] == {"pages": "decimal mark differs from the file's"}
    assert manifest["value_formats"]["decimal"] == "." and manifest["value_formats"]["decimal_decided_by"] == "votes"
    assert manifest["clean_warnings"] == [
        "pages: kept as text: its values write the decimal mark ',' where the file's other columns decided '.' "
        "(decimal_mark_differs_from_file) — not read as numbers; set schema.columns.pages.decimal to read them"
    ]


GL = """\
files: ["gl*.csv"]
schema:
  columns:
    entry: {type: string, identifier: true}
    pct: {type: number}
"""


def test_a_declared_number_column_mixing_percent_and_bare_values_keeps_every_value_s_text(settings: Settings) -> None:
    # breaker4 #14: 12.5% is stored as 0.125, the bare 0.5 and 1 as written: two scales, so every value keeps its text
    (settings.config_dir / "gl.yaml").write_text(GL, encoding="utf-8")
    curated, manifest = _clean(settings, "gl.csv", "entry,pct\nG1,12.5%\nG2,7%\nG3,0.5\nG4,1\n")
    assert curated["pct"] == [0.125, 0.07, 0.5, 1.0]
    assert curated["pct__raw"] == ["12.5%", "7%", "0.5", "1"]
    assert curated["pct__reason"] == ["percent_stored_as_fraction"] * 2 + ["no_percent_sign_in_percent_column"] * 2
    assert manifest["clean_warnings"] == [
        "pct: 2 value(s) written without % in a column of % values (line(s) 4, 5): stored as written (0.5 stays 0.5) while "
        "12.5% is stored as 0.125 — two scales; the text of both kinds kept in pct__raw "
        "(no_percent_sign_in_percent_column, percent_stored_as_fraction)"
    ]


def test_a_bare_value_before_the_first_percent_value_is_told_apart_too(settings: Settings) -> None:
    (settings.config_dir / "gl.yaml").write_text(GL, encoding="utf-8")
    curated, manifest = _clean(settings, "gl2.csv", "entry,pct\nG1,3\nG2,7%\nG3,\nG4,12.5 %\n")
    assert curated["pct"] == [3.0, 0.07, None, 0.125]
    assert curated["pct__raw"] == ["3", "7%", None, "12.5 %"]
    assert curated["pct__reason"] == ["no_percent_sign_in_percent_column", "percent_stored_as_fraction", None, "percent_stored_as_fraction"]
    assert [w for w in manifest["clean_warnings"] if w.startswith("pct:")] == [
        "pct: 1 value(s) written without % in a column of % values (line(s) 2): stored as written (0.5 stays 0.5) while "
        "12.5% is stored as 0.125 — two scales; the text of both kinds kept in pct__raw "
        "(no_percent_sign_in_percent_column, percent_stored_as_fraction)"
    ]


def test_a_column_of_percent_values_only_keeps_their_text_and_no_warning(settings: Settings) -> None:
    # breaker4 #2/#3: 12.5% is stored as 0.125; its text is kept so that a row document shows 12.5%, not 0.125
    (settings.config_dir / "gl.yaml").write_text(GL, encoding="utf-8")
    curated, manifest = _clean(settings, "gl3.csv", "entry,pct\nG1,12.5%\nG2,7%\n")
    assert curated["pct"] == [0.125, 0.07]
    assert curated["pct__raw"] == ["12.5%", "7%"]
    assert curated["pct__reason"] == ["percent_stored_as_fraction"] * 2
    assert manifest["value_formats"]["units"] == {"pct": "%"}
    assert manifest["clean_warnings"] == []


def test_solar_hijri_dates_keep_their_text_and_the_warning_names_the_calendar(settings: Settings) -> None:
    # breaker4 #24: 1403/10/15 is 15 Dey 1403 (2025-01-04), not a date of the Middle Ages; never converted silently
    curated, manifest = _clean(settings, "persian_cal.csv", "id,d\n1,1403/10/15\n2,1402/01/01\n3,1403/12/29\n")
    assert [str(d) for d in curated["d"]] == ["1403-10-15", "1402-01-01", "1403-12-29"]
    assert curated["d__raw"] == ["1403/10/15", "1402/01/01", "1403/12/29"]
    assert curated["d__reason"] == ["implausible_year"] * 3
    assert manifest["clean_warnings"] == [
        "d: 3 value(s) with an implausible year (1402-1403, before 1600 or more than 100 years ahead), like 1403/10/15, read as "
        "Gregorian years as written (implausible_year); their years read like the Solar Hijri (Persian) calendar, about 621 "
        "years behind the Gregorian, not converted — the value is stored, its text kept in d__raw"
    ]


@pytest.mark.parametrize("rows", ["1,05/01/2567\n2,25/12/2567\n3,01/07/2566\n", "1,2567-01-05\n2,2567-12-25\n3,2566-07-01\n"])
def test_thai_buddhist_era_dates_keep_their_text_and_the_warning_names_the_calendar(settings: Settings, rows: str) -> None:
    curated, manifest = _clean(settings, "thai_be.csv", "id,d\n" + rows)
    assert [str(d) for d in curated["d"]] == ["2567-01-05", "2567-12-25", "2566-07-01"]
    assert curated["d__reason"] == ["implausible_year"] * 3
    assert curated["d__raw"] == [r.split(",")[1] for r in rows.splitlines()]
    assert [w for w in manifest["clean_warnings"] if "implausible" in w] == [
        f"d: 3 value(s) with an implausible year (2566-2567, before 1600 or more than 100 years ahead), like {rows.split(',')[1].split()[0]}, "
        "read as Gregorian years as written (implausible_year); their years read like the Thai Buddhist era, 543 years ahead of "
        "the Gregorian, not converted — the value is stored, its text kept in d__raw"
    ]


def test_one_implausible_year_among_modern_dates_keeps_its_text_without_a_calendar(settings: Settings) -> None:
    # a typo (1024 for 2024) names no calendar; the modern dates keep no text
    curated, manifest = _clean(settings, "typo.csv", "id,d\n1,2024-03-01\n2,1024-03-02\n3,2024-03-03\n4,1600-01-01\n")
    assert [str(d) for d in curated["d"]] == ["2024-03-01", "1024-03-02", "2024-03-03", "1600-01-01"]
    assert curated["d__raw"] == [None, "1024-03-02", None, None]
    assert curated["d__reason"] == [None, "implausible_year", None, None]
    assert manifest["clean_warnings"] == [
        "d: 1 value(s) with an implausible year (1024, before 1600 or more than 100 years ahead), like 1024-03-02, read as "
        "Gregorian years as written (implausible_year) — the value is stored, its text kept in d__raw"
    ]


def test_a_future_date_outside_a_birth_date_column_is_not_warned_about(settings: Settings) -> None:
    curated, manifest = _clean(settings, "due.csv", "id,due,birthday\n1,2045-05-12,1990-01-02\n2,2030-01-01,1985-07-08\n")
    assert [str(d) for d in curated["due"]] == ["2045-05-12", "2030-01-01"]
    assert "due__raw" not in curated and "birthday__raw" not in curated
    assert manifest["clean_warnings"] == []
