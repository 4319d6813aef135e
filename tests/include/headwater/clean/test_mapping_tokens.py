"""Fuzzy column mapping refuses a name that differs in a meaningful token, and says so; every fuzzy mapping is a warning."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from headwater.clean.mapping import map_columns, token_conflict
from headwater.clean.stage import clean as clean_file
from headwater.config.schema import ColumnSpec, MappingOptions, SchemaSpec
from headwater.config.settings import Settings
from headwater.ingest.stage import ingest as ingest_file
from headwater.layout import Layout
from headwater.manifest import FileRef
from headwater.storage import read_json

CRM = SchemaSpec("crm", [ColumnSpec("customer_id", identifier=True), ColumnSpec("email"), ColumnSpec("phone"),
                         ColumnSpec("ship_date", type="date"), ColumnSpec("amount", type="number")])


@pytest.mark.parametrize(("name", "other", "conflict"), [
    ("customer_ip", "customer_id", "ip vs id"),
    ("valid_to", "valid_from", "to vs from"),
    ("price_min", "price_max", "min vs max"),
    ("start_date", "end_date", "start vs end"),
    ("billing_address", "shipping_address", "billing vs shipping"),
    ("phone_2", "phone_1", "2 vs 1"),
    ("phone_2", "phone", "2 vs nothing"),
    ("bill_date", "ship_date", "bill vs ship"),
    ("height_cm", "weight_cm", "height vs weight"),  # one letter apart, but another word
])
def test_a_meaningful_token_conflicts(name: str, other: str, conflict: str) -> None:
    assert token_conflict(name, other) == conflict


@pytest.mark.parametrize(("name", "other"), [
    ("e_mail", "email"), ("email_addr", "email_address"), ("signup_dt", "signup_date"), ("lifetime_val", "lifetime_value"),
    ("custmer_id", "customer_id"), ("shiping_date", "shipping_date"), ("order_qty", "order_quantity"),
])
def test_abbreviations_typos_and_separators_do_not(name: str, other: str) -> None:
    assert token_conflict(name, other) is None


# The mapping warnings of the breaker's CRM header (config_fuzzy/crm.yaml), from map_columns and in the clean manifest alike.
BREAKER_WARNINGS = [
    "column 'E-mail' mapped to 'email' by a fuzzy match (score 90.9, resembles 'email') — check it, or add the header as an alias",
    "column 'Customer IP' not mapped to 'customer_id' although its fuzzy score is 90.9: the names differ in ip vs id — kept under its own name",
    # schema drift (breaker4 #6): the declared columns no file column fills, naming what was left unmapped
    "column 'customer_id' of schema 'crm' is not in the file: no column maps to it, so it is empty in every row (columns left "
    "unmapped: 'Customer IP', 'Phone 2', 'Bill Date', 'Comment'; add the one that holds it as an alias)",
    "column 'ship_date' of schema 'crm' is not in the file: no column maps to it, so it is empty in every row (columns left "
    "unmapped: 'Customer IP', 'Phone 2', 'Bill Date', 'Comment'; add the one that holds it as an alias)",
]


def test_the_breakers_header_maps_no_ip_into_the_customer_id() -> None:
    mapping = map_columns(["Customer IP", "E-mail", "Phone", "Phone 2", "Bill Date", "Amount", "Comment"], CRM)
    assert [(m.original, m.canonical, m.method, m.score) for m in mapping.matches] == [
        ("Customer IP", None, "unmapped", 0.0), ("E-mail", "email", "fuzzy", 90.9), ("Phone", "phone", "exact", 100.0),
        ("Phone 2", None, "unmapped", 0.0), ("Bill Date", None, "unmapped", 0.0), ("Amount", "amount", "exact", 100.0),
        ("Comment", None, "unmapped", 0.0),
    ]
    assert mapping.warnings() == BREAKER_WARNINGS


def test_a_refusal_is_silent_when_the_column_landed_there_anyway_and_other_scorers_are_vetoed_too() -> None:
    schema = SchemaSpec("s", [ColumnSpec("valid_from"), ColumnSpec("valid_to")])
    mapping = map_columns(["Valid From", "Valid To"], schema)
    assert [(m.canonical, m.method) for m in mapping.matches] == [("valid_from", "exact"), ("valid_to", "exact")]
    assert mapping.warnings() == []
    # token_set_ratio scores customer_ip against customer_id high as well: the token check still refuses it
    loose = map_columns(["customer ip"], SchemaSpec("s", [ColumnSpec("customer_id")]), MappingOptions(scorer="token_set_ratio", fuzzy_threshold=50))
    assert loose.matches[0].canonical is None and [r.conflict for r in loose.refused] == ["ip vs id"]


def test_the_clean_stage_writes_the_mapping_warnings_into_the_manifest(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    # the breaker's config_fuzzy/crm.yaml
    (config / "crm.yaml").write_text(
        'files: ["crm*.csv"]\nschema:\n  columns:\n    customer_id: {type: string, identifier: true}\n    email: string\n'
        "    phone: string\n    ship_date: date\n    amount: number\n", encoding="utf-8")
    settings = Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=config)
    ref = FileRef("2026-11-21", "crm_export.csv")
    ingest_file(b"Customer IP,E-mail,Phone,Phone 2,Bill Date,Amount,Comment\n10.0.0.1,a@x.org,555-1234,555-9999,2025-01-02,10.00,first order\n",
                ref, settings)
    clean_file(ref, settings)
    lay = Layout(settings.data_dir, ref.date)
    manifest = read_json(lay.manifest(ref.key))
    assert [w for w in manifest["clean_warnings"] if w.startswith("column ")] == BREAKER_WARNINGS
    curated = pd.read_parquet(lay.curated(ref.key))
    assert curated["customer_id"].isna().all() and curated["customer_ip"].tolist() == ["10.0.0.1"]


def test_schema_drift_warns_per_declared_column_the_file_lacks() -> None:
    """breaker4 #6: an export whose columns were renamed (order_date for placed, buyer_email for customer_email) landed with
    the declared columns all null and 0 warnings; every declared column no file column fills is now a warning."""
    orders = SchemaSpec("orders", [ColumnSpec("order_id", identifier=True), ColumnSpec("amount", type="number"),
                                   ColumnSpec("placed", type="date"), ColumnSpec("customer_email")])
    mapping = map_columns(["order_id", "amount", "order_date", "buyer_email"], orders)
    assert mapping.missing == ["placed", "customer_email"] and mapping.unmapped == ["order_date", "buyer_email"]
    tail = " is not in the file: no column maps to it, so it is empty in every row (columns left unmapped: 'order_date', " \
           "'buyer_email'; add the one that holds it as an alias)"
    assert mapping.warnings() == [f"column 'placed' of schema 'orders'{tail}", f"column 'customer_email' of schema 'orders'{tail}"]
    absent = map_columns(["order_id", "amount", "placed"], orders)  # simply absent: nothing left unmapped to point at
    assert absent.warnings() == ["column 'customer_email' of schema 'orders' is not in the file: no column maps to it, so it is empty in every row"]
    assert map_columns(["order_id", "amount", "placed", "customer_email"], orders).warnings() == []
