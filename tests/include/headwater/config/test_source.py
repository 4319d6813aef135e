from pathlib import Path

import pytest

from headwater.config.impute import ImputeSpec
from headwater.config.base import ConfigError
from headwater.config.settings import Settings
from headwater.config.source import SourceConfig, load_source, load_sources

PROJECT = Path(__file__).resolve().parents[4]


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_customers_source_loads_and_matches_its_three_files() -> None:
    sources = load_sources(PROJECT / "config" / "sources")
    for name in ("Customers Export.csv", "customers_eu.csv", "customersApac.csv"):
        assert sources.for_file(name).name == "customers"
    config = sources.for_file("customers_eu.csv")
    assert config.schema is not None and config.schema.names == ["customer_id", "full_name", "email", "signup_date", "lifetime_value", "notes"]
    assert config.identifiers == {"customer_id"}
    assert config.impute == {"lifetime_value": ImputeSpec("median")}
    assert config.types.on_error == "keep_raw" and config.mapping.fuzzy_threshold == 85
    assert sources.for_file("SUPPORT_TICKETS.csv").name == "default"  # no source: built-in defaults


def test_no_config_folder_means_defaults(tmp_path: Path) -> None:
    sources = load_sources(tmp_path / "missing")
    config = sources.for_file("anything.csv")
    assert (config.name, config.schema, config.impute, config.path) == ("default", None, {}, None)
    assert config.types.infer and config.read.max_field_chars == 1_048_576


def test_config_dir_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEADWATER_CONFIG_DIR", str(tmp_path))
    assert Settings().config_dir == tmp_path.resolve()
    monkeypatch.delenv("HEADWATER_CONFIG_DIR")
    monkeypatch.setenv("HEADWATER_PROJECT_DIR", str(tmp_path))
    assert Settings().config_dir == tmp_path.resolve() / "config" / "sources"


def test_minimal_source_and_shorthands(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "crm.yaml",
        "files: 'crm_*.csv'\n"
        "schema:\n  columns:\n    id: {identifier: true}\n    note: text\n    amount: number\n"
        "impute:\n  amount: median\n",
    )
    config = load_source(path)
    assert (config.name, config.files, config.schema.name) == ("crm", ["crm_*.csv"], "crm")
    assert config.schema.types == {"id": "string", "note": "text", "amount": "number"}
    assert config.impute["amount"].strategy == "median"
    assert config.matches("CRM_2024.CSV") and not config.matches("other.csv")


def test_default_yaml_overrides_the_defaults(tmp_path: Path) -> None:
    _write(tmp_path, "default.yaml", "types: {on_error: quarantine}\n")
    _write(tmp_path, "crm.yaml", "files: [crm*.csv]\n")
    sources = load_sources(tmp_path)
    assert sources.for_file("x.csv").types.on_error == "quarantine"
    assert sources.for_file("crm.csv").types.on_error == "keep_raw"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("files: [a.csv]\ntypes: {on_eror: quarantine}\n", "types.on_eror: unknown key \\(did you mean on_error\\?\\)"),
        ("files: [a.csv]\ntypes: {on_error: drop}\n", "types.on_error: 'drop' is not one of keep_raw, quarantine"),
        ("files: [a.csv]\nmapping: {fuzzy_threshold: 120}\n", r"mapping.fuzzy_threshold: 120 must be in \[0, 100\]"),
        ("files: [a.csv]\nread: {max_field_chars: 0}\n", r"read.max_field_chars: 0 must be in \[1, inf\]"),
        ("files: [a.csv]\nschema: {columns: {amount: {type: money}}}\n", "schema.columns.amount.type: 'money' is not one of"),
        ("files: [a.csv]\nschema: {columns: {amount: {typ: number}}}\n", "schema.columns.amount.typ: unknown key \\(did you mean type\\?\\)"),
        ("files: [a.csv]\nschema: {columns: {'Amount ($)': number}}\n", "schema.columns.Amount \\(\\$\\): canonical names must be snake_case; write 'amount_dollar'"),
        ("files: [a.csv]\nschema: {columns: []}\n", "schema.columns: expected a mapping of column name -> spec"),
        ("files: [a.csv]\nschema: {columns: {id: {identifier: true}}}\nimpute: {id: mode}\n", "impute.id: id is an identifier"),
        ("files: [a.csv]\nschema: {columns: {note: text}}\nimpute: {note: {strategy: constant, value: x}}\n", "impute.note: note is free text"),
        ("files: [a.csv]\nschema: {columns: {note: text}}\nimpute: {amount: mean}\n", "impute.amount: not a column of schema s"),
        ("files: [a.csv]\nschema: {columns: {name: string}}\nimpute: {name: knn}\n", "impute.name: strategy knn needs a numeric column, name is string"),
        ("files: [a.csv]\nimpute: {order_id: mode}\n", "impute.order_id: order_id is an identifier"),
        ("files: [a.csv]\nimpute: {x: {strategy: median, k: 3}}\n", "impute.x.k: unknown key"),
        ("schema: {columns: {a: string}}\n", "files: missing: list the landing file globs"),
        ("files: []\n", "files: expected a non-empty list of globs"),
        ("filez: [a.csv]\n", "filez: unknown key \\(did you mean files\\?\\)"),
        ("files: [a.csv]\nread: [1]\n", "read: expected a mapping, got list"),
        ("files: [a.csv\n", "not valid YAML"),
    ],
)
def test_invalid_config_fails_fast_naming_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, "s.yaml", text)
    with pytest.raises(ConfigError, match=f"^{str(path)}: {message}"):
        load_sources(tmp_path)


def test_a_file_claimed_by_two_sources_is_an_error(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", "files: ['orders*.csv']\n")
    _write(tmp_path, "b.yaml", "files: ['*_2024.csv']\n")
    sources = load_sources(tmp_path)
    assert sources.for_file("orders.csv").name == "a"
    with pytest.raises(ConfigError, match=r"orders_2024.csv matches several sources: a \(.*a.yaml\), b \(.*b.yaml\)"):
        sources.for_file("orders_2024.csv")


def test_duplicate_source_names_are_an_error(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", "name: crm\nfiles: [a.csv]\n")
    _write(tmp_path, "b.yml", "name: crm\nfiles: [b.csv]\n")
    with pytest.raises(ConfigError, match="b.yml: name: source 'crm' is also defined in .*a.yaml"):
        load_sources(tmp_path)


@pytest.mark.parametrize(
    ("section", "module", "cls", "text", "key"),
    [
        ("text", "headwater.config.text", "TextOptions", "text: {emails: shout}", "text.emails: "),
        ("chunking", "headwater.config.chunking", "ChunkingOptions", "chunking: {columns: {body: {strategy: magic}}}", "chunking.columns.body.strategy: "),
    ],
)
def test_embedded_sections_are_built_by_their_modules(tmp_path: Path, section, module, cls, text, key) -> None:
    """Other modules own these sections; the loader builds them and prefixes file and section to their errors."""
    options_cls = getattr(pytest.importorskip(module), cls, None)
    if options_cls is None:
        pytest.skip(f"{module}.{cls} not defined yet")
    assert isinstance(getattr(SourceConfig(), section), options_cls)
    path = _write(tmp_path, "s.yaml", f"files: [a.csv]\n{text}\n")
    with pytest.raises(ConfigError, match=f"^{path}: {key}"):
        load_sources(tmp_path)


def test_value_options_per_source_and_per_column(tmp_path: Path) -> None:
    path = tmp_path / "places.yaml"
    path.write_text(
        "files: [places*.csv]\n"
        "types: {na_values: [unknown], not_na_values: [NA], na_codes_are_data: false, warn_failed_share: 0.25}\n"
        "mapping: {transliterate: true}\n"
        "schema:\n  columns:\n"
        "    answer: {not_na_values: N/A, na_values: [tbd]}\n"
        "    rate: {type: number, decimal: ','}\n"
        "    born: {type: date, dayfirst: true}\n"
        "    logged: {type: datetime, timezone: UTC}\n"
        "    имя: string\n",
        encoding="utf-8",
    )
    config = load_source(path)
    assert (config.types.na_values, config.types.not_na_values, config.types.na_codes_are_data) == (["unknown"], ["NA"], False)
    assert (config.types.warn_failed_share, config.mapping.transliterate) == (0.25, True)
    assert (config.columns["answer"].not_na_values, config.columns["answer"].na_values) == (["N/A"], ["tbd"])
    assert config.column_formats == {"rate": {"decimal": ","}, "born": {"dayfirst": True}, "logged": {"timezone": "UTC"}}
    assert list(config.columns) == ["answer", "rate", "born", "logged", "имя"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("types: {na_values: [NA], not_na_values: [' na ']}", "types.not_na_values: 'na' is also in na_values; a spelling is either missing or data"),
        ("schema: {columns: {a: {na_values: [N/A], not_na_values: [n/a]}}}",
         "schema.columns.a.not_na_values: 'n/a' is also in na_values; a spelling is either missing or data"),
        ("schema: {columns: {a: {type: string, decimal: ','}}}", "schema.columns.a.decimal: only integer/number columns take decimal (type is string)"),
        ("schema: {columns: {a: {type: number, dayfirst: true}}}", "schema.columns.a.dayfirst: only date/datetime columns take dayfirst (type is number)"),
        ("schema: {columns: {a: {type: number, decimal: ';'}}}", "schema.columns.a.decimal: ';' is not one of ., ','"),
        ("types: {warn_failed_share: 2}", "types.warn_failed_share: 2 must be in [0.0, 1.0]"),
        ("schema: {columns: {Имя: string}}", "schema.columns.Имя: canonical names must be snake_case; write 'имя'"),
        ("schema: {columns: {a: {type: datetime, timezone: Mars/Olympus}}}",
         "schema.columns.a.timezone: 'Mars/Olympus' is not an IANA time zone name (like America/New_York or Europe/Paris)"),
        ("schema: {columns: {a: {type: date, timezone: UTC}}}", "schema.columns.a.timezone: only datetime columns take timezone (type is date)"),
        ("types: {tz_abbreviations: {EST: Mars/Olympus}}",
         "types.tz_abbreviations: 'Mars/Olympus' is not an IANA time zone name (like America/New_York or Europe/Paris)"),
        ("types: {tz_abbreviations: {UTC: Europe/London}}",
         "types.tz_abbreviations: 'UTC' is not a time zone abbreviation to map (2-5 capital letters like EST; UTC and GMT are read already)"),
        ("types: {tz_abbreviations: {est: America/New_York}}",
         "types.tz_abbreviations: 'est' is not a time zone abbreviation to map (2-5 capital letters like EST; UTC and GMT are read already)"),
    ],
)
def test_value_options_are_checked(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("files: [a.csv]\n" + text + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_source(path)
    assert str(err.value) == f"{path}: {message}"


def test_rows_mode_on_and_off_read_as_yaml_writes_them(tmp_path: Path) -> None:
    for text, mode in (("on", "on"), ("off", "off"), ("'on'", "on"), ("auto", "auto"), ("true", "on")):
        path = tmp_path / "pets.yaml"
        path.write_text(f"files: [pets.csv]\nrows: {{mode: {text}}}\n", encoding="utf-8")
        assert load_source(path).rows.mode == mode  # YAML 1.1 reads a bare on/off as a boolean
