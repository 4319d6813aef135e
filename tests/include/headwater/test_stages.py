"""The four stages and the report over the shipped sample files, without Airflow."""

import json
from pathlib import Path

import pandas as pd

from headwater.chunk.stage import chunk as chunk_file
from headwater.clean.stage import clean as clean_file
from headwater.embed.stage import embed as embed_file
from headwater.ingest.stage import ingest as ingest_file
from headwater.manifest import FileRef
from headwater.report import format_report, report as run_report
from headwater.layout import Layout
from headwater.storage import read_json

SAMPLE = Path(__file__).resolve().parents[3] / "sample_data" / "landing" / "2026-11-20"

DATE = "2026-11-20"


def _run_file(name: str, settings) -> dict:
    ref = FileRef(DATE, name)
    info = ingest_file((SAMPLE / name).read_bytes(), ref, settings)
    if info["status"] == "quarantined":
        return info
    clean_file(ref, settings)
    chunk_file(ref, settings)
    return embed_file(ref, settings)


def test_support_tickets_end_to_end(settings) -> None:
    info = _run_file("SUPPORT_TICKETS.csv", settings)
    assert {k: info[k] for k in ("rows_read", "curated", "duplicates", "quarantined", "chunks", "vectors")} == {
        "rows_read": 8, "curated": 5, "duplicates": 1, "quarantined": 2, "chunks": 5, "vectors": 5,
    }
    lay = Layout(settings.data_dir, DATE)
    curated = pd.read_parquet(lay.curated("SUPPORT_TICKETS.csv"))
    assert list(curated.columns) == [
        "_row_id", "_source", "_line", "ticket_id", "customer_email", "subject", "body", "body__reason", "created_at", "priority",
        "_masked_key",  # the body masks e-mails: the link step compares those rows across files by it (breaker3 #13)
    ]
    manifest = read_json(lay.manifest("SUPPORT_TICKETS.csv"))
    assert manifest["delimiter"] == "\t" and manifest["encoding"] == "utf-8"
    assert {c["original"]: c["canonical"] for c in manifest["columns"]}["CUSTOMER_EMAIL"] == "customer_email"
    assert manifest["text_columns"] == ["body"]
    rows = lay.quarantine_rows("SUPPORT_TICKETS.csv").read_text(encoding="utf-8").splitlines()
    reasons = [json.loads(r)["reason"] for r in rows]
    assert reasons == [
        "SUPPORT_TICKETS.csv line 4: 3 fields, header has 6 — row quarantined",
        "SUPPORT_TICKETS.csv line 8: 8 fields, header has 6 — row quarantined",
    ]


def test_malformed_file_is_quarantined_whole_with_its_bytes(settings) -> None:
    info = _run_file("orders_export.csv", settings)
    assert info["status"] == "quarantined"
    assert info["error"] == (
        "orders_export.csv: an HTML page with a CSV name (an error page saved by the exporter?) — file quarantined; export the CSV again"
    )
    lay = Layout(settings.data_dir, DATE)
    assert lay.quarantine_raw("orders_export.csv").read_bytes() == (SAMPLE / "orders_export.csv").read_bytes()
    assert read_json(lay.quarantine_file("orders_export.csv"))["reason"] == info["error"]


def test_rerun_is_idempotent_and_a_new_version_replaces_vectors(settings, tmp_path: Path) -> None:
    first = _run_file("product-reviews.csv", settings)
    lay = Layout(settings.data_dir, DATE)
    curated_bytes = lay.curated("product-reviews.csv").read_bytes()
    again = _run_file("product-reviews.csv", settings)
    # 6 chunks but 5 distinct texts (R-706 repeats R-701's review): 5 model calls, then none
    assert (first["embedded"], again["embedded"]) == (5, 0)
    assert {**again, "embedded": 5} == first
    assert lay.curated("product-reviews.csv").read_bytes() == curated_bytes

    from headwater.embed.store import VectorStore

    store = VectorStore(lay.vectors)
    assert store.count("2026-11-20/product-reviews.csv") == 6  # R-706 re-exports R-701 under a new review_id (a key): kept by default
    # a corrected drop with one review removed: its vector disappears, nothing is appended
    landing = tmp_path / "landing"
    landing.mkdir()
    lines = (SAMPLE / "product-reviews.csv").read_text(encoding="utf-8-sig").splitlines()
    ref = FileRef(DATE, "product-reviews.csv")
    ingest_file(("\n".join(lines[:-3]) + "\n").encode(), ref, settings)
    for step in (clean_file, chunk_file, embed_file):
        info = step(ref, settings)
    assert info["curated"] == 4 and store.count("2026-11-20/product-reviews.csv") == 4


def test_report_accounts_for_every_row_and_flags_missing_files(settings) -> None:
    for name in ("Customers Export.csv", "orders_export.csv"):
        _run_file(name, settings)
    report = run_report(DATE, ["Customers Export.csv", "orders_export.csv", "never_ran.csv"], settings)
    by_file = {f["file"]: f for f in report["files"]}
    assert (by_file["Customers Export.csv"]["rows_read"], by_file["Customers Export.csv"]["accounted"]) == (10, True)
    assert by_file["orders_export.csv"]["status"] == "quarantined"
    assert by_file["never_ran.csv"]["status"] == "missing"
    assert report["failed"] == ["2026-11-20/never_ran.csv"]
    assert report["quarantined_files"] == ["2026-11-20/orders_export.csv"]
    text = format_report(report)
    assert "Customers Export.csv" in text and "an HTML page with a CSV name" in text


def test_batched_ingest_and_clean_give_the_same_result_as_one_batch(tmp_path: Path) -> None:
    """Two rows per batch (ingest and clean) vs one batch: same counts, same curated rows, same quarantine."""
    from headwater.config.settings import Settings

    names = ["Customers Export.csv", "SUPPORT_TICKETS.csv", "customersApac.csv", "product-reviews.csv"]
    outputs = {}
    for batch_rows in (100_000, 2):
        # two data roots: one digest key for both (HEADWATER_PII_DIGEST_KEY), or a masked row's id differs by root
        settings = Settings(home=tmp_path / str(batch_rows), landing_uri=SAMPLE.parent.as_uri(), batch_rows=batch_rows,
                            pii_digest_key="test-key")
        lay = Layout(settings.data_dir, DATE)
        for name in names:
            ref = FileRef(DATE, name)
            ingest_file((SAMPLE / name).read_bytes(), ref, settings)
            info = clean_file(ref, settings)
            curated = pd.read_parquet(lay.curated(ref.key))
            quarantine = [json.loads(r)["line"] for r in lay.quarantine_rows(ref.key).read_text().splitlines()]
            counts = {k: info[k] for k in ("rows_read", "curated", "duplicates", "quarantined")}
            outputs.setdefault(name, []).append((counts, curated, sorted(quarantine)))
        assert read_json(lay.manifest("SUPPORT_TICKETS.csv"))["clean_batches"] == (1 if batch_rows > 10 else 3)
    for name, ((c1, df1, q1), (c2, df2, q2)) in outputs.items():
        assert c1 == c2, name
        assert q1 == q2, name
        pd.testing.assert_frame_equal(df1, df2, obj=name)


def test_a_file_quarantined_after_it_was_embedded_loses_its_vectors(settings) -> None:
    from headwater.embed.store import VectorStore

    ref = FileRef(DATE, "t.csv")
    data = b"id,body\n1,The outsole separated from the upper after three weeks of daily trail running in wet weather.\n"
    ingest_file(data, ref, settings)
    for step in (clean_file, chunk_file, embed_file):
        step(ref, settings)
    store = VectorStore(Layout(settings.data_dir, DATE).vectors)
    assert store.count(ref.source) == 1
    assert ingest_file(b"<!DOCTYPE html><html><body>502 Bad Gateway</body></html>", ref, settings)["status"] == "quarantined"
    assert store.count(ref.source) == 0


def test_the_report_lists_every_skipped_file_with_its_reason(settings) -> None:
    _run_file("orders_export.csv", settings)
    skipped = [
        {"date": DATE, "file": "x.csv.part", "reason": "upload in progress (.part)"},
        {"date": DATE, "file": ".DS_Store", "reason": "hidden or temporary name (starts with '.' or '_')"},
        {"date": DATE, "file": "orders.zip/readme.pdf", "reason": "zip member that is not a CSV (.pdf)"},
    ]
    report = run_report(DATE, ["orders_export.csv"], settings, skipped=skipped)
    assert report["skipped"] == [
        {"file": ".DS_Store", "reason": "hidden or temporary name (starts with '.' or '_')"},
        {"file": "orders.zip/readme.pdf", "reason": "zip member that is not a CSV (.pdf)"},
        {"file": "x.csv.part", "reason": "upload in progress (.part)"},
    ]
    assert read_json(Layout(settings.data_dir, DATE).report())["skipped"] == report["skipped"]
    lines = format_report(report).splitlines()
    after_totals = next(i for i, line in enumerate(lines) if line.startswith("this run: ")) + 1
    assert lines[after_totals : after_totals + 5] == [
        "skipped: .DS_Store — hidden or temporary name (starts with '.' or '_')",
        "skipped: orders.zip/readme.pdf — zip member that is not a CSV (.pdf)",
        "skipped: x.csv.part — upload in progress (.part)",
        # the shipped config's one source claims no file of the date (breaker9 #5: a note, not a warning)
        "note: source customers (customers.yaml) claimed no file of this date (files: customers*.csv)",
        "",
    ]
    assert run_report(DATE, ["orders_export.csv"], settings)["skipped"] == []


REVIEWS = [
    "這款鞋子的鞋底在三週後開始脫落了，客服也不回覆。",
    "鞋子很舒服，但是尺寸偏小，建議買大半號。「很滿意」",
    "この靴は三週間で底が剥がれました。サポートからの返事もありません。",
    "履き心地はとても良いですが、サイズが小さめです。",
    "รองเท้าคู่นี้พื้นหลุดหลังจากใช้ไปสามสัปดาห์",
    "ใส่สบายมากแต่ไซส์เล็กไปหน่อยควรซื้อเผื่อครึ่งเบอร์",
]


def test_chinese_japanese_and_thai_reviews_are_curated_chunked_and_embedded(settings) -> None:
    import numpy as np

    from headwater.embed.model import embed_texts, load_model
    from headwater.embed.store import VectorStore

    ref = FileRef(DATE, "reviews_asia.csv")
    rows = "".join(f"{i},{city},{text}\n" for i, (city, text) in enumerate(zip(["北京市", "台北市", "東京都", "大阪市", "กรุงเทพฯ", "เชียงใหม่"], REVIEWS)))
    ingest_file(("id,city,review\n" + rows).encode("utf-8"), ref, settings)
    clean_file(ref, settings)
    chunk_file(ref, settings)
    info = embed_file(ref, settings)
    lay = Layout(settings.data_dir, DATE)
    curated = pd.read_parquet(lay.curated(ref.key))
    assert curated["review"].tolist() == REVIEWS  # exactly as written: fullwidth punctuation and quotes kept
    manifest = read_json(lay.manifest(ref.key))
    assert manifest["text_columns"] == ["review"]  # recognised as free text by characters; the city names are not
    chunks = pd.read_parquet(lay.chunks(ref.key)).sort_values("line")
    # one 128-token window holds each review whole: chunk text is the value, from its first to its last character
    assert chunks[["line", "chunk_index", "char_start", "char_end", "text"]].values.tolist() == [
        [i + 2, 0, 0, len(text), text] for i, text in enumerate(REVIEWS)
    ]
    assert manifest["chunking"]["warnings"] == [
        "review: 37% of its tokens are unknown to the embedding model ([UNK]) — its vectors say little about "
        "this text; embed it with a model whose vocabulary covers its script"
    ]
    assert (info["chunks"], info["vectors"]) == (6, 6)
    table = VectorStore(lay.vectors)._table().to_pandas()
    stored = table[table["source_file"] == ref.source].set_index("id").loc[chunks["id"]]
    assert stored["text"].tolist() == REVIEWS
    expected = embed_texts(load_model(settings.embedding_model), REVIEWS)
    assert np.stack(stored["vector"]).shape == (6, 384)
    assert np.allclose(np.stack(stored["vector"]), expected, atol=1e-5)


def test_a_stage_that_raises_names_its_cause_in_the_report_and_the_file_is_not_accounted(settings) -> None:
    import pytest

    ref = FileRef(DATE, "people.csv")
    ingest_file(b"Name,City\nAnn,Oslo\nBo,Rome\n", ref, settings)
    lay = Layout(settings.data_dir, DATE)
    lay.staging(ref.key).write_bytes(b"PAR1 not a parquet file")  # a damaged staging table: clean cannot read it
    with pytest.raises(Exception) as raised:
        clean_file(ref, settings)
    cause = f"{type(raised.value).__name__}: {raised.value}"
    manifest = read_json(lay.manifest(ref.key))
    assert manifest["stage_errors"] == {"clean": cause}
    result = run_report(DATE, ["people.csv"], settings)
    (entry,) = result["files"]
    assert result["failed"] == [f"{DATE}/people.csv"]
    assert entry["accounted"] is False
    assert entry["error"] == f"clean failed: {cause}; stages not completed: clean, chunk, embed"
    # the read's warning (a header of text over text) is in the report beside clean's
    assert entry["warnings"] == [
        "line 1 taken as the header without evidence: every column holds text and its names are written like the "
        "values below them (['Name', 'City']) — if it is a record, set read.header: none for this source "
        "(read.header: 1 confirms it and silences this warning)"
    ]
    assert result["warned_files"] == [f"{DATE}/people.csv"]
    # a later attempt that succeeds clears the error
    ingest_file(b"Name,City\nAnn,Oslo\nBo,Rome\n", ref, settings)
    clean_file(ref, settings)
    assert "stage_errors" not in read_json(lay.manifest(ref.key))
