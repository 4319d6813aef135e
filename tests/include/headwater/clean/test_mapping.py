import pandas as pd
import pytest

from headwater.clean.frame import build_frame
from headwater.clean.steps.base import LINE, REASON
from headwater.clean.mapping import map_columns
from headwater.config.schema import ColumnSpec, MappingOptions, SchemaSpec
from headwater.config.source import SourceConfig
from headwater.clean.steps.validate import ValidateSchema

CUSTOMER = SchemaSpec(
    "customer",
    [
        ColumnSpec("customer_id", identifier=True, nullable=False, pattern=r"^C-\d+$"),
        ColumnSpec("full_name", aliases=["name"]),
        ColumnSpec("email", aliases=["email_address", "E-Mail"]),
        ColumnSpec("signup_date", type="date"),
        ColumnSpec("lifetime_value", type="number", min=0),
    ],
)


def _how(header: list[str], schema: SchemaSpec = CUSTOMER, **options) -> list[tuple]:
    mapping = map_columns(header, schema, MappingOptions(**options))
    return [(m.original, m.standardized, m.canonical, m.method, m.score) for m in mapping.matches]


def test_three_header_conventions_land_on_one_schema() -> None:
    title = map_columns([" Customer ID ", "Full Name", "Email Address", "Signup Date", "Lifetime Value"], CUSTOMER)
    snake = map_columns(["customer_id", "full_name", "email_address", "signup_date", "lifetime_value"], CUSTOMER)
    camel = map_columns(["customerID", "fullName", "emailAddr", "signupDt", "lifetimeVal"], CUSTOMER)
    assert title.order == snake.order == camel.order == CUSTOMER.names
    assert [m.output for m in title.matches] == [m.output for m in snake.matches] == [m.output for m in camel.matches]
    assert [(m.method, m.score) for m in camel.matches] == [
        ("exact", 100.0), ("exact", 100.0), ("fuzzy", 87.0), ("fuzzy", 90.0), ("fuzzy", 92.3),
    ]
    assert camel.matches[2].matched == "email_address"  # the alias it resembled


def test_aliases_are_standardized_before_matching() -> None:
    assert _how(["E_MAIL", "name"]) == [
        ("E_MAIL", "e_mail", "email", "alias", 100.0),
        ("name", "name", "full_name", "alias", 100.0),
    ]


def test_below_threshold_stays_unmapped_and_is_reported() -> None:
    mapping = map_columns(["customer_id", "loyaltyTier", "emailAddr"], CUSTOMER, MappingOptions(fuzzy_threshold=95))
    assert [(m.original, m.canonical, m.method) for m in mapping.matches] == [
        ("customer_id", "customer_id", "exact"),
        ("loyaltyTier", None, "unmapped"),
        ("emailAddr", None, "unmapped"),
    ]
    assert mapping.unmapped == ["loyaltyTier", "emailAddr"]
    assert mapping.missing == ["full_name", "email", "signup_date", "lifetime_value"]
    assert mapping.order == [*CUSTOMER.names, "loyalty_tier", "email_addr"]
    manifest = mapping.to_manifest()
    assert manifest["columns"][1] == {
        "original": "loyaltyTier", "standardized": "loyalty_tier", "canonical": None, "score": 0.0, "method": "unmapped", "matched": None,
    }
    assert (manifest["schema"], manifest["unmapped_columns"]) == ("customer", ["loyaltyTier", "emailAddr"])


def test_mapping_is_one_to_one_exact_beats_alias_beats_fuzzy() -> None:
    # "email" is exact; "email_address" (alias of email) then has nothing left and stays unmapped.
    assert _how(["email_address", "Email"]) == [
        ("email_address", "email_address", None, "unmapped", 0.0),
        ("Email", "email", "email", "exact", 100.0),
    ]


def test_no_schema_keeps_standardized_names() -> None:
    mapping = map_columns(["A b", "cD"], None)
    assert [(m.canonical, m.method) for m in mapping.matches] == [("a_b", "no_schema"), ("c_d", "no_schema")]
    assert mapping.unmapped == [] and mapping.missing == []


def test_build_frame_adds_missing_canonical_columns_in_schema_order() -> None:
    config = SourceConfig(schema=CUSTOMER)
    df, mapping = build_frame(["Name", "Extra", "customer id"], [["Ann", "x", "C-1"]], [2], "d/c.csv", config)
    assert list(df.columns) == ["_source", LINE, *CUSTOMER.names, "extra"]
    assert df.loc[0, ["customer_id", "full_name", "extra"]].tolist() == ["C-1", "Ann", "x"]
    assert df[["email", "signup_date", "lifetime_value"]].isna().all().all()
    assert mapping.missing == ["email", "signup_date", "lifetime_value"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "Customer ID"}, "Customer ID: canonical names must be snake_case; write 'customer_id'"),
        ({"name": "x", "type": "money"}, "x.type: 'money' is not one of string, text, integer"),
        ({"name": "x", "min": 0}, "x.min: only integer/number columns take min (type is string)"),
        ({"name": "x", "pattern": "("}, "x.pattern: not a valid regular expression"),
        ({"name": "x", "nullable": "no"}, "x.nullable: expected true or false"),
    ],
)
def test_column_spec_errors_name_the_key(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ColumnSpec(**kwargs)


def test_schema_rejects_an_alias_shared_by_two_columns() -> None:
    with pytest.raises(ValueError, match="columns.b.aliases: 'A' also names column a"):
        SchemaSpec("s", [ColumnSpec("a"), ColumnSpec("b", aliases=["A"])])


def test_validation_quarantines_rows_naming_column_and_rule() -> None:
    df = pd.DataFrame(
        {
            "_source": "d/c.csv",
            LINE: [2, 3, 4, 5],
            "customer_id": pd.array(["C-1", None, "X-9", "C-4"], dtype="string"),
            "lifetime_value": pd.array([10.0, 5.0, -1.0, None], dtype="Float64"),
        },
        index=[10, 11, 12, 13],
    )
    out = ValidateSchema(CUSTOMER).apply(df)
    assert out.kept.index.tolist() == [10, 13]
    assert out.quarantined[REASON].tolist() == [
        "line 3: fails schema customer — customer_id is missing (nullable: false) — row quarantined",
        "line 4: fails schema customer — customer_id='X-9' breaks pattern ^C-\\d+$; lifetime_value=-1.0 breaks min 0 — row quarantined",
    ]
    assert ValidateSchema(None).apply(df).kept.equals(df)


def test_non_latin_headers_match_canonical_names_and_aliases() -> None:
    schema = SchemaSpec("people", [ColumnSpec("имя"), ColumnSpec("city", aliases=["Город"]), ColumnSpec("名前")])
    assert _how(["Имя", "Город", "名前", "Возраст"], schema) == [
        ("Имя", "имя", "имя", "exact", 100.0),
        ("Город", "город", "city", "alias", 100.0),
        ("名前", "名前", "名前", "exact", 100.0),
        ("Возраст", "возраст", None, "unmapped", 0.0),
    ]
    # transliterated, the header and the canonical name meet as ASCII, and the column keeps its canonical name
    assert _how(["Имя", "Город"], schema, transliterate=True) == [
        ("Имя", "imia", "имя", "exact", 100.0),
        ("Город", "gorod", "city", "alias", 100.0),
    ]
    assert map_columns(["Имя", "Город"], None, MappingOptions(transliterate=True)).order == ["imia", "gorod"]
    assert map_columns(["Имя", "Город"], None).order == ["имя", "город"]


# ------------------------------------------------------------------ breaker2 #16: every renamed column is said


@pytest.mark.parametrize(
    ("header", "warnings"),
    [
        (["id", "Name", "name ", "NAME"], [
            "column 3 ('name ') loaded as 'name_2': its name standardized is 'name', as column 2 ('Name')'s — the two are told "
            "apart by position only; rename one in the export",
            "column 4 ('NAME') loaded as 'name_3': its name standardized is 'name', as column 2 ('Name')'s — the two are told "
            "apart by position only; rename one in the export",
        ]),
        (["name", "name"], [
            "column 2 ('name') loaded as 'name_2': its name standardized is 'name', as column 1 ('name')'s — the two are told "
            "apart by position only; rename one in the export",
        ]),
        (["a", " "], ["column 2 has no name: loaded as 'column_2'"]),
        # breaker5 #4: a column whose own name is free keeps it; only the suffixed one moves, and it is said
        (["Name", "name", "name_2"], [
            "column 2 ('name') loaded as 'name_3': its name standardized is 'name', as column 1 ('Name')'s — the two are told "
            "apart by position only; rename one in the export",
        ]),
        (["", "column_1"], ["column 1 has no name: loaded as 'column_1_2'"]),
        (["_line", "price__raw", "ok"], [
            "column 1 ('_line') loaded as 'line': '_' first or '__' inside are Headwater's own column names (_line, <col>__raw)",
            "column 2 ('price__raw') loaded as 'price_raw': '_' first or '__' inside are Headwater's own column names (_line, <col>__raw)",
        ]),
        (["Customer ID", "e-mail"], []),  # standardizing alone (customer_id, e_mail) is no renaming to warn about
        (["", "", ""], []),  # generic names of a file without usable names: said by ingest
        # breaker9 #10: a name of signs or emoji only standardizes to column_<position> like a blank one, and is said so
        (["item", "👍", "👎"], [
            "column 2 ('👍') has no letter or digit in its name: loaded as 'column_2' (the name as written kept in the "
            "manifest's columns); rename it in the export",
            "column 3 ('👎') has no letter or digit in its name: loaded as 'column_3' (the name as written kept in the "
            "manifest's columns); rename it in the export",
        ]),
        (["+", "-", "=", " "], [  # said even where no column has a word for a name; the blank one beside them too
            *(f"column {i} ({n!r}) has no letter or digit in its name: loaded as 'column_{i}' (the name as written kept in the "
              "manifest's columns); rename it in the export" for i, n in ((1, "+"), (2, "-"), (3, "="))),
            "column 4 has no name: loaded as 'column_4'",
        ]),
        (["id", "★", "column_2"], [  # the sign's generated name is taken: the file's own column_2 keeps its name
            "column 2 ('★') has no letter or digit in its name: loaded as 'column_2_2' (the name as written kept in the "
            "manifest's columns); rename it in the export",
        ]),
        (["item", "%", "#", "$", "N°"], []),  # signs that spell a word (pct, num, dollar, no) name their column
        # N° (a degree sign) standardizes like Nº and No: the clash with No is said for both
        (["Nr.", "#", "No", "N°", "Nº"], [
            "column 4 ('N°') loaded as 'no_2': its name standardized is 'no', as column 3 ('No')'s — the two are told apart "
            "by position only; rename one in the export",
            "column 5 ('Nº') loaded as 'no_3': its name standardized is 'no', as column 3 ('No')'s — the two are told apart "
            "by position only; rename one in the export",
        ]),
    ],
)
def test_renamed_columns_are_warned(header: list[str], warnings: list[str]) -> None:
    assert map_columns(header, None).warnings() == warnings


def test_a_sign_only_name_keeps_its_text_in_the_manifest() -> None:
    columns = map_columns(["item", "👍", "+"], None).to_manifest()["columns"]
    assert [(c["original"], c["standardized"]) for c in columns] == [("item", "item"), ("👍", "column_2"), ("+", "column_3")]


# breaker3 #11: a currency sign is spelled in the name (Amount ($) -> amount_dollar); a schema or alias written for the
# name without it still matches, below a match of the full name.
def test_currency_signs_are_spelled_and_names_written_without_them_still_match() -> None:
    assert _how(["Lifetime Value ($)", "Amount (€)"]) == [
        ("Lifetime Value ($)", "lifetime_value_dollar", "lifetime_value", "exact", 100.0),
        ("Amount (€)", "amount_eur", None, "unmapped", 0.0),
    ]
    both = SchemaSpec("s", [ColumnSpec("amount"), ColumnSpec("amount_eur")])
    assert _how(["Amount (€)", "Amount ($)"], both) == [
        ("Amount (€)", "amount_eur", "amount_eur", "exact", 100.0),
        ("Amount ($)", "amount_dollar", "amount", "exact", 100.0),
    ]
    aliased = SchemaSpec("s", [ColumnSpec("total", aliases=["Amount (€)"]), ColumnSpec("price", aliases=["cost"])])
    assert _how(["Amount (€)", "Cost ($)"], aliased) == [
        ("Amount (€)", "amount_eur", "total", "alias", 100.0),
        ("Cost ($)", "cost_dollar", "price", "alias", 100.0),
    ]


def test_without_a_schema_two_currencies_land_on_two_names() -> None:
    mapping = map_columns(["Amount ($)", "Amount (€)", "Amount (USD)", "amount_usd"], None)
    assert [m.output for m in mapping.matches] == ["amount_dollar", "amount_eur", "amount_usd", "amount_usd_2"]
