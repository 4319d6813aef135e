"""The README's configuration reference and config/source.schema.json are generated from the models, and stay so."""

import json
import typing
from pathlib import Path

import pytest
import yaml
from headwater.config import reference
from headwater.config.base import ConfigModel, choices
from headwater.config.chunking import ChunkingOptions, ColumnChunking
from headwater.config.dedup import DedupOptions, LinkageOptions, TextDedupOptions
from headwater.config.finetune import ExportOptions
from headwater.config.impute import ImputeSpec
from headwater.config.read import ReadOptions
from headwater.config.schema import ColumnSpec, MappingOptions, SchemaSpec
from headwater.config.settings import Settings
from headwater.config.source import SourceConfig, load_source
from headwater.config.text import TextColumnRule, TextOptions
from headwater.config.types import TypeOptions

PROJECT = Path(__file__).resolve().parents[4]
MODELS = [
    SourceConfig, ReadOptions, SchemaSpec, ColumnSpec, MappingOptions, TypeOptions, ImputeSpec,
    TextOptions, TextColumnRule, DedupOptions, TextDedupOptions, LinkageOptions, ChunkingOptions, ColumnChunking, ExportOptions,
]
SHIPPED = sorted([*(PROJECT / "config" / "sources").glob("*.yaml"), *(PROJECT / "tests" / "include" / "headwater" / "malformed" / "config").glob("*.yaml")])


def test_readme_regions_are_what_the_models_generate() -> None:
    """Fails when a field is added, removed or changed without ``make docs``."""
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    assert reference.read_region(readme, reference.SETTINGS_REGION) == reference.settings_reference() + "\n"
    assert reference.read_region(readme, reference.SOURCE_REGION) == reference.source_reference() + "\n"
    assert reference.render_readme(readme) == readme


def test_committed_json_schema_is_what_the_models_generate() -> None:
    assert (PROJECT / reference.SCHEMA).read_text(encoding="utf-8") == reference.schema_text()
    assert reference.main(["--check", "--root", str(PROJECT)]) == 0


def test_check_fails_on_a_stale_readme(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / reference.SCHEMA).write_text(reference.schema_text(), encoding="utf-8")
    stale = "# R\n<!-- BEGIN GENERATED: settings reference (make docs) -->\nold\n<!-- END GENERATED: settings reference -->\n" \
            "<!-- BEGIN GENERATED: source reference -->\n<!-- END GENERATED: source reference -->\ntail\n"
    (tmp_path / "README.md").write_text(stale, encoding="utf-8")
    assert reference.main(["--check", "--root", str(tmp_path)]) == 1
    assert capsys.readouterr().err == f"{tmp_path / 'README.md'} is stale: run make docs\n"
    assert reference.main(["--write", "--root", str(tmp_path)]) == 0
    written = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert written == (
        "# R\n<!-- BEGIN GENERATED: settings reference (make docs) -->\n" + reference.settings_reference()
        + "\n<!-- END GENERATED: settings reference -->\n<!-- BEGIN GENERATED: source reference -->\n"
        + reference.source_reference() + "\n<!-- END GENERATED: source reference -->\ntail\n"
    )
    assert reference.main(["--check", "--root", str(tmp_path)]) == 0


def test_replace_region_keeps_everything_outside_the_markers() -> None:
    text = "a\n<!-- BEGIN GENERATED: x (how) -->\nold 1\nold 2\n<!-- END GENERATED: x -->\nb\n"
    assert reference.replace_region(text, "x", "new") == "a\n<!-- BEGIN GENERATED: x (how) -->\nnew\n<!-- END GENERATED: x -->\nb\n"
    with pytest.raises(ValueError, match="README.md: no <!-- BEGIN GENERATED: y -->"):
        reference.replace_region(text, "y", "new")


def test_source_reference_rows() -> None:
    text = reference.source_reference()
    assert (
        "**`read`**: How a landing file is read.\n\n"
        "| key | type | default | allowed | description |\n|---|---|---|---|---|\n"
        "| `max_field_chars` | integer | `1048576` | `[1, inf]` | A row with a longer field is quarantined (the file goes on). |\n"
        "| `encoding` | string |  |  | Force an encoding (e.g. cp1252) instead of detecting it. |\n"
        '| `delimiter` | choice |  | `","`, `";"`, `"\\t"`, `"\\|"`, `tab`, `"\\\\t"` | Force a delimiter (, ; tab \\|) instead of sniffing it. |\n'
        "| `max_nul_share` | number | `0.05` | `[0, 1]` | More NUL/control bytes than this share of the first 64 KiB: the file is binary. |\n"
    ) in text
    assert "| `files` | string or list | required, except in default.yaml |  | Globs of table names (case-insensitive) of this source: a file's name without its compression suffix (a.csv.gz: a.csv), a zip member's file name. |" in text
    assert "| `keywords` | integer | `3` (keyword) | `[1, inf]` | Keywords per value, one chunk centred on each. |" in text
    assert "| `queries` | string or list | required (query) |  | Texts to match chunks against (one string is a list of one). |" in text
    assert "| `dayfirst` | choice | `auto` | `auto`, `true`, `false` |" in text
    headings = [line.split(":")[0] for line in text.splitlines() if line.startswith("**")]
    assert headings == [
        "**top level**", "**`read`**", "**`schema`**", "**`schema.columns.<name>`**", "**`mapping`**", "**`types`**",
        "**`impute.<column>`**", "**`text`**", "**`dedup`**", "**`dedup.text`**", "**`dedup.linkage`**", "**`chunking`**", "**`chunking.default`, `chunking.columns.<column>`**", "**`rows`**", "**`stream`**",
    ]


def test_settings_reference_rows() -> None:
    text = reference.settings_reference()
    assert "| `HEADWATER_CHUNK_TOKENS` | integer in `[8, inf]` | `128` | Max tokens per chunk (embedding tokenizer). |" in text
    assert (
        "| `HEADWATER_DATA_DIR` | path or string | `<home>/data` | Curated, quarantine, chunks, vectors and state (ledger, caches, "
        "models): a local folder, or an object-storage URI s3://bucket/prefix (endpoint and credentials from AWS_ENDPOINT_URL, "
        "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION; needs HEADWATER_STATE_URL). |"
    ) in text
    assert [line for line in text.splitlines() if line.startswith("**")] == ["**paths**", "**processing**", "**scheduling**", "**finetune**", "**monitoring**"]
    assert text.count("| `HEADWATER_") == len(Settings.model_fields) == 33


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_field_has_a_type_a_one_line_description_and_its_choices(model: type[ConfigModel]) -> None:
    for name, field in model.model_fields.items():
        assert field.annotation is not None, f"{model.__name__}.{name}"
        assert field.description and "\n" not in field.description and len(field.description) <= 200, f"{model.__name__}.{name}"
        assert not field.is_required() or name in ("name", "columns"), f"{model.__name__}.{name} has no default"
        for choice in choices(field.annotation):
            assert not isinstance(choice, str) or choice in reference.allowed_values(field) or json.dumps(choice) in reference.allowed_values(field)


def test_every_settings_field_has_a_description_and_a_group() -> None:
    for name, field in Settings.model_fields.items():
        assert field.description and "\n" not in field.description, name
        assert isinstance(field.json_schema_extra, dict) and field.json_schema_extra["group"], name


@pytest.fixture(scope="module")
def validator():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((PROJECT / reference.SCHEMA).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_source_files_validate_against_the_schema(validator, path: Path) -> None:
    assert [e.message for e in validator.iter_errors(yaml.safe_load(path.read_text(encoding="utf-8")))] == []
    load_source(path)  # and against the models


def test_shipped_files_are_the_ones_expected() -> None:
    assert [p.name for p in SHIPPED] == ["customers.yaml", "huge.yaml", "strict.yaml"]


def test_the_schema_accepts_the_shorthands_and_rejects_what_the_models_reject(validator) -> None:
    shorthands = {
        "files": "a*.csv",
        "read": {"delimiter": "tab"},
        "schema": {"columns": {"id": {"identifier": True, "aliases": "cust_no"}, "notes": "text", "extra": None}},
        "impute": {"x": "median"},
        "chunking": {"default": "keyword", "columns": {"body": "heading", "faq": {"strategy": "query", "queries": "refund"}}},
        "types": {"dayfirst": True, "na_values": [-999]},
    }
    assert list(validator.iter_errors(shorthands)) == []
    bad = {
        "types": {"on_error": "drop"},
        "colour": "red",
        "schema": {"columns": {"a": {"typ": "number"}}},
        "dedup": {"text": {"threshold": 0}},
        "chunking": {"columns": {"body": "magic"}},
    }
    assert sorted(".".join(map(str, e.absolute_path)) or e.validator for e in validator.iter_errors(bad)) == [
        "additionalProperties", "chunking.columns.body", "dedup.text.threshold", "schema", "types.on_error",
    ]


def test_customers_yaml_points_editors_at_the_schema() -> None:
    path = PROJECT / "config" / "sources" / "customers.yaml"
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../source.schema.json"
    assert (path.parent / first.split("$schema=")[1]).resolve() == (PROJECT / reference.SCHEMA).resolve()


def test_schema_describes_the_yaml_not_the_python_objects() -> None:
    schema = reference.source_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert list(schema["properties"]) == list(SourceConfig.model_fields)
    column = schema["$defs"]["ColumnEntry"]
    assert "name" not in column["properties"] and column["additionalProperties"] is False
    assert schema["properties"]["name"]["description"] == "Source name, recorded in the manifest of every file it claims. Default: the YAML file's stem."
    keywords = schema["$defs"]["ColumnChunking"]["properties"]["keywords"]
    assert keywords["description"] == "Keywords per value, one chunk centred on each. Strategy keyword only; default 3."
    assert not [k for k in json.dumps(schema).split('"') if k in ("shown_default", "only_for", "strategy_default")]


def test_literal_choices_are_typed_once() -> None:
    """The tuples other modules import are the models' Literal choices."""
    from headwater.config import chunking, dedup, finetune, impute, schema, text, types

    assert chunking.STRATEGIES == typing.get_args(ColumnChunking.model_fields["strategy"].annotation)
    assert (dedup.SCOPES, finetune.FIELDS_CHOICES, impute.STRATEGIES, text.PII_ACTIONS, types.ON_ERROR) == (
        ("file", "run", "history"), ("all", "text", "none"),
        ("none", "constant", "mean", "median", "mode", "knn", "missforest"), ("keep", "remove", "mask"), ("keep_raw", "quarantine"),
    )
    assert schema.COLUMN_TYPES == ("string", "text", "integer", "number", "boolean", "date", "datetime")
