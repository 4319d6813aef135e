"""Ingest and clean of breaker9's in/mask2/a.csv (breaker9 #9): the manifest counts the card number and IBANs per
column and warns, the curated values are as written; with ``text: {cards: mask, ibans: mask}`` they are masked."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from headwater.clean.stage import clean as clean_file
from headwater.config.settings import Settings
from headwater.ingest.stage import ingest as ingest_file
from headwater.layout import Layout
from headwater.manifest import FileRef
from headwater.storage import read_json

DATE = "2026-11-20"
NOTES = [
    "Please refund to IBAN DE89 3704 0044 0532 0130 00 by Friday, thanks.",
    "Card ending 4111 1111 1111 1111 was charged twice for the same order.",
    "Tracking number 1Z 999 AA1 01 2345 6784 shows it is still in transit.",
    "EAN 4006381333931 is out of stock at the main warehouse this week.",
    "Reference 2026 1120 0042 quoted on the invoice, customer waiting.",
    "GB29 NWBK 6016 1331 9268 19 is the account for the UK branch refunds.",
    "Coordinates 52.5200 13.4050 mark the pickup point near the station.",
    "Batch 0151 2345 6789 failed quality control at the second stage.",
    "Serial 415 555 2671 printed on the device label matches the order.",
]
CONFIG = 'files: ["*.csv"]\nschema:\n  columns:\n    id: {type: string, identifier: true}\n    note: {type: text}\n'


def _clean(tmp_path: Path, text: str = "") -> tuple[dict, pd.DataFrame]:
    landing, config = tmp_path / "landing", tmp_path / "config"
    landing.mkdir()
    config.mkdir()
    (config / "s.yaml").write_text(CONFIG + text, encoding="utf-8")
    body = "id,note\n" + "".join(f'{i},"{v}"\n' for i, v in enumerate(NOTES, 1))
    (landing / "a.csv").write_text(body, encoding="utf-8")
    settings = Settings(home=tmp_path / "home", landing_uri=landing.as_uri(), config_dir=config, pii_digest_key="test-key")
    ref = FileRef(DATE, "a.csv")
    assert ingest_file((landing / "a.csv").read_bytes(), ref, settings)["status"] != "quarantined"
    clean_file(ref, settings)
    layout = Layout(settings.data_dir, DATE)
    return read_json(layout.manifest(ref.key)), pd.read_parquet(layout.curated(ref.key))


def test_the_manifest_counts_and_warns_and_the_values_land_as_written(tmp_path: Path) -> None:
    manifest, curated = _clean(tmp_path)
    assert manifest["sensitive_numbers"] == {"note": {"iban": 2, "payment_card": 1}}
    assert manifest["text_masked"] == {}
    assert [w for w in manifest["clean_warnings"] if "IBAN" in w] == [
        "note: 1 value(s) holding a payment card number and 2 value(s) holding an IBAN (check digit valid) kept as written, "
        "unmasked (they go to chunks and vectors); set text.cards: mask / text.ibans: mask to mask them"
    ]
    assert curated["note"].tolist() == NOTES and "note__reason" not in curated.columns


def test_masked_when_the_source_asks(tmp_path: Path) -> None:
    manifest, curated = _clean(tmp_path, "text: {cards: mask, ibans: mask}\n")
    assert manifest["sensitive_numbers"] == {"note": {"iban": 2, "payment_card": 1}}
    assert manifest["text_masked"] == {"note": {"cards": 1, "ibans": 2}}
    assert not [w for w in manifest["clean_warnings"] if "IBAN" in w or "card" in w]
    assert curated["note"].tolist() == [
        "Please refund to IBAN [IBAN] by Friday, thanks.",
        "Card ending [CARD] was charged twice for the same order.",
        *NOTES[2:5],
        "[IBAN] is the account for the UK branch refunds.",
        *NOTES[6:],
    ]
    assert curated["note__reason"].fillna("-").tolist()[:3] == ["masked: ibans", "masked: cards", "-"]
    assert "note__raw" not in curated.columns
    assert curated["_masked_key"].notna().tolist() == [True, True, False, False, False, True, False, False, False]


# breaker10's in/mask/a.csv (F6-F9): cards followed by their expiry/CVV, other layouts, a decimal, an id column
B10_NOTES = [
    "Charge 4111 1111 1111 1111 12/26 123 please", "card 5555 5555 5555 4444 exp 0926 cvv 737", "Amex 3782 822463 10005 1234 on file",
    "pan 4111 1111 1111 1111 copied from the portal", "ｃａｒｄ ４１１１１１１１１１１１１１１１", "iban de89 3704 0044 0532 0130 00 lower case",
    "iban DE89-3704-0044-0532-0130-00 hyphens", "Order SO-4000000000000002 shipped", "ratio 0.5555555555554444 computed",
    "card 4111.1111.1111.1111 dots",
]  # fmt: skip


def test_breaker10_cards_after_their_expiry_layouts_decimals_and_ids(tmp_path: Path) -> None:
    landing, config = tmp_path / "landing", tmp_path / "config"
    landing.mkdir()
    config.mkdir()
    (config / "s.yaml").write_text(CONFIG + "text: {cards: mask, ibans: mask}\n", encoding="utf-8")
    orders, cards = ["4000000000000002", "4000000000000010"], ["5555555555554444", "4111111111111111"]
    body = "id,note,order_no,card_number\n" + "".join(
        f'{i},"{v}",{orders[(i - 1) % 2]},{cards[(i - 1) % 2]}\n' for i, v in enumerate(B10_NOTES, 1)
    )
    (landing / "a.csv").write_text(body, encoding="utf-8")
    settings = Settings(home=tmp_path / "home", landing_uri=landing.as_uri(), config_dir=config, pii_digest_key="test-key")
    ref = FileRef(DATE, "a.csv")
    ingest_file((landing / "a.csv").read_bytes(), ref, settings)
    assert clean_file(ref, settings)["curated"] == 10
    layout = Layout(settings.data_dir, DATE)
    manifest, curated = read_json(layout.manifest(ref.key)), pd.read_parquet(layout.curated(ref.key))
    assert curated["note"].tolist() == [
        "Charge [CARD] 12/26 123 please", "card [CARD] exp 0926 cvv 737", "Amex [CARD] 1234 on file",
        "pan [CARD] copied from the portal", "ｃａｒｄ [CARD]", "iban [IBAN] lower case", "iban [IBAN] hyphens",
        "Order SO-4000000000000002 shipped", "ratio 0.5555555555554444 computed", "card [CARD] dots",
    ]  # fmt: skip
    assert curated["note__reason"].fillna("-").tolist() == [
        "masked: cards", "masked: cards", "masked: cards", "masked: cards", "masked: cards",
        "masked: ibans", "masked: ibans", "-", "-", "masked: cards",
    ]  # fmt: skip
    # the sequential ids of order_no land as written (read as integers: every value is one), the card numbers masked
    assert curated["order_no"].tolist() == [int(orders[i % 2]) for i in range(10)] and "order_no__reason" not in curated
    assert curated["card_number"].tolist() == ["[CARD]"] * 10 and "card_number__raw" not in curated
    assert manifest["column_types"]["order_no"] == "integer"
    assert manifest["sensitive_numbers"] == {
        "card_number": {"payment_card": 10},
        "note": {"card_like_id": 1, "iban": 2, "payment_card": 6},
        "order_no": {"card_like_id": 10},
    }
    assert manifest["text_masked"] == {"card_number": {"cards": 10}, "note": {"cards": 6, "ibans": 2}}
    assert [w.split(":")[0] for w in manifest["clean_warnings"] if "card-like" in w] == ["note", "order_no"]
