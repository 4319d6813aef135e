"""A date's files that silently fell to the defaults or silently collided (breaker9 #5, #2).

* A landing file no source claims while the config folder has sources is read with the defaults: the manifest's
  ``config_warnings`` and the run report say so and name the closest glob; a source that claimed no file of the
  date is a note of the report (``sources_without_files``).
* Two landing files of one date with one table name up to compression suffix or letter case (``orders.csv``,
  ``orders.csv.gz``, ``Orders.csv``) are named in each other's manifest (``same_table_as``) with whether their
  rows agree, and the run report warns.
"""

from __future__ import annotations

import bz2
import gzip
from pathlib import Path

import pytest

from headwater.config.settings import Settings
from headwater.config.source import load_sources
from headwater.manifest import FileRef, layout
from headwater.storage import read_json

D = "2026-11-21"
PLAIN = b"order_id,customer,amount\nB1,Cid,30.00\nB2,Dee,40.00\n"  # breaker9 in/landing_x/2026-11-21/orders.csv
FIXED = b"order_id,customer,amount\nB1,Cid,30.00\nB2,Dee,41.00\n"  # its .gz: B2 41.00
OTHER = b"order_id,customer,amount\nA1,Ann,10.50\nA2,Bob,20.00\n"  # Orders.csv
CFG7 = b"order_id,amount,placed\n00012,\"1,5\",03/04/2025\n00013,2,04/05/2025\n"  # breaker9 in/cfg7/orders.csv


def _config(tmp_path: Path, **sources: str) -> Path:
    folder = tmp_path / "config"
    folder.mkdir(exist_ok=True)
    for name, text in sources.items():
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return folder


def _run(settings: Settings, files: dict[str, bytes], run: str = "R#1") -> dict:
    """``files`` ingested, cleaned and linked on D by run ``run``, their copies and tables named, chunk and embed marked
    done; the date's run report."""
    from headwater.clean.link import files_to_index
    from headwater.clean.stage import clean
    from headwater.decide import same_content, same_table
    from headwater.ingest.stage import ingest
    from headwater.report import report
    from headwater.storage import write_json

    infos = []
    for name, data in files.items():
        ref = FileRef(D, name, run)
        info = ingest(data, ref, settings)
        infos.append(clean(ref, settings) if info["status"] != "quarantined" else info)
    files_to_index([i for i in infos if i["status"] != "quarantined"], settings, run)
    same_content([D], settings)
    same_table([D], settings)
    for name in files:
        path = layout(settings, D).manifest(FileRef(D, name).key)
        manifest = read_json(path)
        write_json(path, manifest | {"stages": manifest["stages"] | {"chunk": {"seconds": 0.0}, "embed": {"seconds": 0.0}}})
    return report(D, list(files), settings, run_id=run)


def _manifest(settings: Settings, name: str) -> dict:
    return read_json(layout(settings, D).manifest(FileRef(D, name).key))


HEAD = ("no source claims this file: its table name {table} matches no files glob of the {n} source(s) of the config folder, so "
        "it is read with the defaults (default.yaml or none): no source's schema, identifiers, units, dedup or chunking apply")


def _unclaimed(table: str, glob: str, source: str = "orders", n: int = 1, why: str | None = None) -> str:
    tail = why if why is not None else " — correct it if the file belongs to that source"
    return f"{HEAD.format(table=table, n=n)}; the closest glob is {glob!r} of source {source} ({source}.yaml){tail}"


# ------------------------------------------------------------------ breaker9 #5: a file that falls to the defaults


def test_a_misspelled_glob_leaves_its_file_to_the_defaults_and_says_so(tmp_path: Path) -> None:
    """breaker9 #5: ``files: ["oders*.csv"]`` claimed nothing; orders.csv lost its schema (identifier, unit) silently."""
    from headwater.report import format_report

    config = _config(tmp_path, orders='files: ["oders*.csv"]\nschema:\n  columns:\n    order_id: {type: string, identifier: true}\n'
                                        '    amount: {type: number, unit: EUR}\n    placed: date\n')
    settings = Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=config)
    result = _run(settings, {"orders.csv": CFG7})
    warning = _unclaimed("orders.csv", "oders*.csv")
    manifest = _manifest(settings, "orders.csv")
    assert manifest["config_warnings"] == [warning]
    assert manifest["source_config"] == {"name": "default", "path": None, "schema": None}
    (entry,) = result["files"]
    assert entry["warnings"][0] == warning and result["warned_files"] == [f"{D}/orders.csv"]
    assert result["sources_without_files"] == [{"source": "orders", "config": "orders.yaml", "files": ["oders*.csv"]}]
    text = format_report(result)
    assert f"  ~ {warning}" in text
    assert "note: source orders (orders.yaml) claimed no file of this date (files: oders*.csv)" in text.splitlines()


def test_a_file_its_source_claims_beside_one_no_source_claims(tmp_path: Path) -> None:
    """The claimed file carries no config warning; the other names the closest glob among two sources; no source is idle."""
    config = _config(tmp_path, orders='files: ["orders_*.csv"]\n', people='files: ["people*.csv"]\n')
    settings = Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=config)
    result = _run(settings, {"orders_eu.csv": PLAIN, "orders-us.csv": PLAIN, "people.csv": b"id,name\n1,Ann\n"})
    assert _manifest(settings, "orders_eu.csv")["config_warnings"] == []
    assert _manifest(settings, "orders_eu.csv")["source_config"]["name"] == "orders"
    assert _manifest(settings, "people.csv")["config_warnings"] == []
    assert _manifest(settings, "orders-us.csv")["config_warnings"] == [_unclaimed("orders-us.csv", "orders_*.csv", n=2)]
    assert result["warned_files"] == [f"{D}/orders-us.csv", f"{D}/orders_eu.csv"]  # orders_eu: same content as orders-us
    assert result["sources_without_files"] == []


@pytest.mark.parametrize(
    ("files", "table", "record", "expected"),
    [
        # a folder in the glob: globs match the file's name alone
        (["exports/orders*.csv"], "orders.csv", "orders.csv",
         _unclaimed("orders.csv", "exports/orders*.csv", why=": a glob is matched against the file's name alone, so one with a "
                    "folder never matches — drop the folder")),
        # the compression suffix in the glob: globs match the table name (orders.csv for orders.csv.gz)
        (["orders*.csv.gz"], "orders.csv", "orders.csv.gz",
         _unclaimed("orders.csv", "orders*.csv.gz", why=": a glob is matched against the name without its compression suffix "
                    "(orders.csv), so one with the suffix never matches — drop the suffix")),
        # a zip member: its file name is matched
        (["odrers_*.csv"], "orders_1.csv", "drop.zip/eu/orders_1.csv", _unclaimed("orders_1.csv", "odrers_*.csv")),
        # nothing close (the shared .csv does not count): most likely meant for the defaults, no warning (a note, below)
        (["invoices*.csv"], "people.csv", "people.csv", None),
        (["customers*.csv"], "orders.csv", "orders.csv", None),
        # a glob that matches (any case): no warning
        (["ORDERS*.CSV"], "orders.csv", "orders.csv.gz", None),
    ],
)
def test_the_unclaimed_warning_names_the_closest_glob_and_why_it_does_not_match(
        tmp_path: Path, files: list[str], table: str, record: str, expected: str | None) -> None:
    config = _config(tmp_path, orders=f"files: {files!r}\n")
    assert load_sources(config).unclaimed_warning(table, record) == expected


def test_a_file_no_glob_comes_close_to_gets_a_note_not_a_warning(tmp_path: Path) -> None:
    """A file meant for the defaults beside sources of other files (the README: every source is optional): a note in the
    manifest (``config_notes``) listing the globs; the file is not warned, the idle source is a report note."""
    config = _config(tmp_path, orders='files: ["invoices*.csv"]\n')
    note = HEAD.format(table="people.csv", n=1) + "; no glob is close to its name (orders: invoices*.csv) — add a source for it if it needs one"
    assert load_sources(config).unclaimed("people.csv") == (note, False)
    settings = Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=config)
    result = _run(settings, {"people.csv": b"id,name\n1,Ann\n"})
    manifest = _manifest(settings, "people.csv")
    assert (manifest["config_warnings"], manifest["config_notes"]) == ([], [note])
    assert result["warned_files"] == [] and result["files"][0]["warnings"] == []
    assert result["sources_without_files"] == [{"source": "orders", "config": "orders.yaml", "files": ["invoices*.csv"]}]


def test_no_warning_without_sources(tmp_path: Path) -> None:
    """No config folder, an empty one, only default.yaml or a stream-only source: the defaults are what the user asked for."""
    assert load_sources(tmp_path / "none").unclaimed_warning("orders.csv") is None
    config = _config(tmp_path, default="types: {on_error: keep_raw}\n")
    assert load_sources(config).unclaimed_warning("orders.csv") is None
    (config / "clicks.yaml").write_text("stream: {name: clicks, schema: {type: object, properties: {id: {type: string}}}}\n", encoding="utf-8")
    assert load_sources(config).unclaimed_warning("orders.csv") is None
    settings = Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=config)
    result = _run(settings, {"orders.csv": PLAIN})
    manifest = _manifest(settings, "orders.csv")
    assert (manifest["config_warnings"], manifest["config_notes"], result["sources_without_files"]) == ([], [], [])
    assert result["warned_files"] == []


def test_the_closest_glob_of_several(tmp_path: Path) -> None:
    config = _config(tmp_path, a='files: ["invoice_*.csv"]\n', b='files: ["oders*.csv", "order_lines*.csv"]\n')
    source, glob = load_sources(config).closest_glob("orders.csv")
    assert (source.name, glob) == ("b", "oders*.csv")
    assert load_sources(config).closest_glob("zzz.tsv") is None


# ------------------------------------------------------------------ breaker9 #2: one table name, two files


def _table(other: str, rows: str, disk: bool = False) -> str:
    text = (f"one table, two files: {D}/{other} has this file's table name up to compression suffix or letter case, {rows} both "
            "are processed and curated (one record may land twice, with other values) — keep the right delivery in the landing "
            "folder, remove the other and delete its outputs (curated table, manifest, vectors).")
    if disk:
        text += (" On a case-insensitive disk (macOS, Windows) the two cannot both be written: their output keys differ only in "
                 "letter case, so the second is refused (its output key belongs to the first) and the run fails.")
    return text


def _differ(there: int, here: int) -> str:
    return f"with other rows ({there} of its rows not in this file, {here} of this file's not in it):"


def test_a_plain_and_a_compressed_file_with_other_rows_are_named_and_warned(settings: Settings) -> None:
    """breaker9 #2: orders.csv (B2 40.00) and orders.csv.gz (B2 41.00) were both curated, no warning."""
    result = _run(settings, {"orders.csv": PLAIN, "orders.csv.gz": gzip.compress(FIXED, mtime=0)})
    assert _manifest(settings, "orders.csv")["same_table_as"] == [
        {"source": f"{D}/orders.csv.gz", "rows_agree": False, "rows_only_here": 1, "rows_only_there": 1, "why": None}]
    assert _manifest(settings, "orders.csv.gz")["same_table_as"] == [
        {"source": f"{D}/orders.csv", "rows_agree": False, "rows_only_here": 1, "rows_only_there": 1, "why": None}]
    assert [f["warnings"] for f in result["files"]] == [[_table("orders.csv.gz", _differ(1, 1))], [_table("orders.csv", _differ(1, 1))]]
    assert result["warned_files"] == [f"{D}/orders.csv", f"{D}/orders.csv.gz"]
    assert result["totals"]["curated"] == 4  # both stay curated: the user says which is the delivery


def test_names_differing_in_case_three_files_and_other_compressions(settings: Settings) -> None:
    """Orders.csv, orders.csv, orders.csv.bz2 (the same rows as orders.csv) and orders.csv.gz (other rows): each names the
    three others; the equal pair is warned once (same content), Orders.csv/orders.csv get the case-insensitive disk line."""
    result = _run(settings, {"Orders.csv": OTHER, "orders.csv": PLAIN, "orders.csv.bz2": bz2.compress(PLAIN),
                             "orders.csv.gz": gzip.compress(FIXED, mtime=0)})
    plain = _manifest(settings, "orders.csv")
    assert [(e["source"], e["rows_agree"], e["rows_only_here"], e["rows_only_there"]) for e in plain["same_table_as"]] == [
        (f"{D}/Orders.csv", False, 2, 2), (f"{D}/orders.csv.bz2", True, 0, 0), (f"{D}/orders.csv.gz", False, 1, 1)]
    assert plain["same_content_as"] == [f"{D}/orders.csv.bz2"]
    warnings = {f["file"]: f["warnings"] for f in result["files"]}
    from headwater.report import same_content_warning

    assert warnings["orders.csv"] == [same_content_warning(plain), _table("Orders.csv", _differ(2, 2), disk=True),
                                      _table("orders.csv.gz", _differ(1, 1))]
    assert warnings["Orders.csv"] == [_table("orders.csv", _differ(2, 2), disk=True), _table("orders.csv.bz2", _differ(2, 2)),
                                      _table("orders.csv.gz", _differ(2, 2))]
    assert warnings["orders.csv.gz"][-1] == _table("orders.csv.bz2", _differ(1, 1))
    assert len(result["warned_files"]) == 4


def test_equal_rows_under_another_case_and_a_quarantined_version(settings: Settings) -> None:
    """ORDERS.CSV holds orders.csv's rows with other line ends (other bytes): rows agree; orders.csv.gz is an HTML page
    quarantined whole: rows not compared. A file of another table is not named."""
    html = gzip.compress(b"<!DOCTYPE html>\n<html><body>Bad Gateway</body></html>\n", mtime=0)
    result = _run(settings, {"ORDERS.CSV": PLAIN.replace(b"\n", b"\r\n"), "orders.csv": PLAIN, "orders.csv.gz": html,
                             "items.csv": OTHER})
    upper = _manifest(settings, "ORDERS.CSV")
    assert upper["same_table_as"] == [
        {"source": f"{D}/orders.csv", "rows_agree": True, "rows_only_here": 0, "rows_only_there": 0, "why": None},
        {"source": f"{D}/orders.csv.gz", "rows_agree": None, "rows_only_here": 0, "rows_only_there": 0,
         "why": f"{D}/orders.csv.gz: quarantined, not cleaned"}]
    assert "same_table_as" not in _manifest(settings, "items.csv")
    warnings = {f["file"]: f["warnings"] for f in result["files"]}
    assert warnings["ORDERS.CSV"] == [_table("orders.csv", "with the same rows: one delivery twice?", disk=True),
                                      _table("orders.csv.gz", f"rows not compared ({D}/orders.csv.gz: quarantined, not cleaned):")]
    assert warnings["items.csv"] == []


def test_a_rerun_without_the_other_file_clears_the_names(settings: Settings) -> None:
    from headwater.decide import same_table

    _run(settings, {"orders.csv": PLAIN, "orders.csv.gz": gzip.compress(FIXED, mtime=0)})
    assert same_table([D], settings) == []  # nothing changed: nothing rewritten
    layout(settings, D).manifest(FileRef(D, "orders.csv.gz").key).unlink()  # its outputs deleted, as the warning says
    assert same_table([D], settings) == [f"{D}/orders.csv"]
    assert "same_table_as" not in _manifest(settings, "orders.csv")


def test_on_a_case_insensitive_disk_the_second_name_is_refused_and_says_why(settings: Settings) -> None:
    """Orders.csv and orders.csv share a key claim on a case-insensitive disk (macOS, Windows): the second is refused before
    it writes anything, and the message says the names differ only in case. Linux here has no such disk: the claim path
    of orders.csv is made a hard link of Orders.csv's claim, the one file both names open on such a disk."""
    import os

    from headwater.ingest.stage import ingest
    from headwater.manifest import KeyCollision

    lay = layout(settings, D)
    ingest(OTHER, FileRef(D, "Orders.csv", "R#1"), settings)
    os.link(lay.key_claim("Orders.csv"), lay.key_claim("orders.csv"))
    before = {p: p.read_bytes() for p in lay.root.rglob("*") if p.is_file() and "date=" in str(p)}
    with pytest.raises(KeyCollision) as caught:
        ingest(PLAIN, FileRef(D, "orders.csv", "R#1"), settings)
    assert str(caught.value) == (
        f"{D}/orders.csv: its output key 'orders.csv' belongs to {D}/Orders.csv ({lay.key_claim('orders.csv')}) (the two names "
        "differ only in letter case, which the data folder's filesystem does not tell apart: a case-insensitive disk, as "
        "macOS's and Windows' are by default) — two landing files would write the same outputs, so this one is not "
        "processed; rename one of them")
    assert {p: p.read_bytes() for p in lay.root.rglob("*") if p.is_file() and "date=" in str(p)} == before
