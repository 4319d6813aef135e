"""Every configuration error reads ``<file>: <dotted.key>: <problem>``, with the allowed values where there are some."""

from pathlib import Path

import pytest
from headwater.config.base import ConfigError
from headwater.config.chunking import ChunkingOptions, ColumnChunking
from headwater.config.impute import ImputeSpec
from headwater.config.read import ReadOptions
from headwater.config.schema import ColumnSpec, SchemaSpec
from headwater.config.settings import Settings
from headwater.config.source import load_source
from headwater.config.text import TextColumnRule, TextOptions

CHUNKING_KEYS = "strategy, max_tokens, overlap, keywords, language, stemmer, phrase_min_count, phrase_threshold, max_heading_chars, queries, top_k, min_similarity"


def _error(tmp_path: Path, text: str) -> str:
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_source(path)
    message = str(err.value)
    assert message.startswith(f"{path}: ")
    return message[len(f"{path}: ") :]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # wrong type
        ("files: [a.csv]\nread: {max_field_chars: big}\n", "read.max_field_chars: expected an integer, got 'big'"),
        ("files: [a.csv]\ndedup: {exact: 'yes'}\n", "dedup.exact: expected true or false, got 'yes'"),
        ("files: [a.csv]\ntypes: {infer_min_share: '0.9'}\n", "types.infer_min_share: expected a number, got '0.9'"),
        ("files: [a.csv]\nschema: {columns: {amount: {type: number, min: abc}}}\n", "schema.columns.amount.min: expected a number, got 'abc'"),
        ("files: [a.csv]\ntypes: {na_values: [true]}\n", "types.na_values.0: expected a string, got True"),
        ("files: [a.csv]\ntext: {columns: notes}\n", "text.columns: expected a list of column names, got 'notes'"),
        ("files: [a.csv]\nname: 5\n", "name: expected a string, got 5"),
        ("files: 3\n", "files: expected a non-empty list of globs, got 3"),
        ("files: [a.csv, '']\n", "files: expected a non-empty list of globs, got ['a.csv', '']"),
        ("- a\n", "expected a mapping, got list ['a']"),
        # out of range
        ("files: [a.csv]\ndedup: {text: {shingle_size: 0}}\n", "dedup.text.shingle_size: 0 must be in [1, 8]"),
        ("files: [a.csv]\ndedup: {text: {bands: 256}}\n", "dedup.text.bands: 256 must be in [1, 128]"),
        ("files: [a.csv]\nimpute: {x: {strategy: knn, n_neighbors: 0}}\n", "impute.x.n_neighbors: 0 must be in [1, 1000]"),
        ("files: [a.csv]\nchunking: {columns: {body: {strategy: raw, max_tokens: 4}}}\n", "chunking.columns.body.max_tokens: 4 must be in [8, inf]"),
        # not one of the choices
        ("files: [a.csv]\nread: {delimiter: ':'}\n", "read.delimiter: ':' is not one of ',', ';', '\\t', '|', tab, '\\\\t'"),
        ("files: [a.csv]\nschema: {columns: {notes: txt}}\n", "schema.columns.notes.type: 'txt' is not one of string, text, integer, number, boolean, date, datetime"),
        # unknown keys, with a hint when one is close
        (
            "files: [a.csv]\nchunking: {columns: {body: {stratgy: heading}}}\n",
            f"chunking.columns.body.stratgy: unknown key (did you mean strategy?); expected one of {CHUNKING_KEYS}",
        ),
        ("files: [a.csv]\nschema: {nme: x, columns: {a: string}}\n", "schema.nme: unknown key (did you mean name?); expected one of name, columns"),
        (
            "files: [a.csv]\ncolour: red\n",
            "colour: unknown key; expected one of name, description, files, read, schema, mapping, types, impute, text, dedup, chunking, rows, stream",
        ),
        ("files: [a.csv]\nschema: {columns: {a: {name: b}}}\n", "schema.columns.a.name: unknown key (a column's name is its key under columns)"),
        # bad shorthands
        ("files: [a.csv]\nimpute: {amount: 3}\n", "impute.amount: expected a strategy name or a mapping, got int"),
        ("files: [a.csv]\nchunking: {columns: {body: 3}}\n", "chunking.columns.body: expected a strategy name or a mapping, got int"),
        ("files: [a.csv]\nchunking: {default: [raw]}\n", "chunking.default: expected a strategy name or a mapping, got list"),
        ("files: [a.csv]\nschema: {columns: {notes: 5}}\n", "schema.columns.notes: expected a type name or a mapping, got int"),
        # rules across keys
        ("files: [a.csv]\nchunking: {default: {strategy: query, queries: []}}\n", "chunking.default.queries: strategy 'query' needs a non-empty list of non-blank query texts"),
        ("files: [a.csv]\nchunking: {default: {strategy: keyword, top_k: 2}}\n", "chunking.default.top_k: only used by strategy 'query', this column uses 'keyword' — remove it"),
        ("files: [a.csv]\nschema: {columns: {a: {aliases: b}, b: string}}\n", "schema.columns.a.aliases: 'b' also names column b"),
        ("files: [a.csv]\ndedup: {text: {num_perm: 100, bands: 16}}\n", "dedup.text.bands: 16 must divide num_perm=100"),
        # row documents: units, templates and column names are checked when the config loads
        ("files: [a.csv]\nschema: {columns: {name: {unit: kg}}}\n", "schema.columns.name.unit: only integer/number columns take unit (type is string)"),
        ("files: [a.csv]\nrows: {mode: always}\n", "rows.mode: 'always' is not one of auto, on, off"),
        ("files: [a.csv]\nrows: {template: '{{ name '}\n", "rows.template: template line 1: unexpected end of template, expected 'end of print statement'."),
        ("files: [a.csv]\nrows: {template: ' '}\n", "rows.template: empty template; leave template out for 'Label: value' lines"),
        (
            "files: [a.csv]\nschema: {columns: {name: string, score: number}}\nrows: {template: '{{ nmae }} {{ score }} {{ line }}'}\n",
            "rows.template: nmae is neither a column of schema s (name, score) nor one of fields, chunks, table, source_file, line",
        ),
        ("files: [a.csv]\nschema: {columns: {name: string}}\nrows: {exclude: [nam]}\n", "rows.exclude: nam: not a column of schema s (name)"),
        ("", "files: missing: list the landing file globs of this source, e.g. ['customers_*.csv']"),
    ],
)
def test_yaml_errors_name_file_key_and_allowed_values(tmp_path: Path, text: str, message: str) -> None:
    assert _error(tmp_path, text) == message


def test_shorthands_and_empty_sections(tmp_path: Path) -> None:
    path = tmp_path / "crm.yaml"
    path.write_text(
        "files: 'crm_*.csv'\nread: {delimiter: tab}\nmapping:\n"
        "schema:\n  columns:\n    id: {identifier: true, aliases: [2024]}\n    notes: text\n    amount: number\n    extra:\n"
        "impute: {amount: median}\ntypes: {na_values: [-999, n.a.]}\n"
        "chunking: {default: keyword, columns: {notes: heading}}\n",
        encoding="utf-8",
    )
    config = load_source(path)
    assert (config.files, config.read.delimiter, config.mapping.fuzzy_threshold) == (["crm_*.csv"], "\t", 85.0)
    assert [(c.name, c.type, c.aliases) for c in config.schema.columns] == [
        ("id", "string", ["2024"]), ("notes", "text", []), ("amount", "number", []), ("extra", "string", [])
    ]
    assert (config.schema.name, config.impute, config.types.na_values) == ("crm", {"amount": ImputeSpec(strategy="median")}, ["-999", "n.a."])
    assert config.chunking.default == ColumnChunking(
        strategy="keyword", keywords=3, language="english", stemmer="snowball", phrase_min_count=2, phrase_threshold=0.5
    )
    assert config.chunking.columns == {"notes": ColumnChunking(strategy="heading", max_heading_chars=80)}
    assert config.path == path and config.describe() == {"name": "crm", "path": str(path), "schema": "crm"}


def test_models_built_in_python_word_errors_the_same_way() -> None:
    with pytest.raises(ConfigError, match=r"^x\.max_length: 0 must be in \[1, inf\]$"):
        ColumnSpec("x", max_length=0)
    with pytest.raises(ConfigError, match=r"^columns: expected a mapping of column name -> spec \(at least one column\), got \[\]$"):
        SchemaSpec("s", [])
    with pytest.raises(ConfigError, match=r"^columns: a declared twice$"):
        SchemaSpec("s", [ColumnSpec("a"), ColumnSpec("a")])
    with pytest.raises(ConfigError, match=r"^default\.strategy: 'semantic' is not one of raw, keyword, heading, query$"):
        ChunkingOptions(default="semantic")
    with pytest.raises(ConfigError, match=r"^max_nul_share: 2 must be in \[0, 1\]$"):
        ReadOptions(max_nul_share=2)
    with pytest.raises(ConfigError) as err:
        TextOptions(url="keep")
    assert str(err.value) == (
        "url: unknown key (did you mean urls?); expected one of repair_unicode, fold_quotes, fold_ligatures, fold_width, strip_html, urls, emails, phones, cards, ibans, card_ids, phone_region, mask_field_values, whitespace, columns"
    )
    with pytest.raises(TypeError, match="ImputeSpec takes at most 1 positional arguments \\(2 given\\)"):
        ImputeSpec("mean", 3)


def test_dataclass_habits_still_hold() -> None:
    """Positional fields, equality, frozen options (hashable when every value is) and the tab shorthand."""
    assert ImputeSpec("median") == ImputeSpec(strategy="median") and ReadOptions(delimiter="\\t").delimiter == "\t"
    assert TextColumnRule(50, 7.5) == TextColumnRule(min_mean_chars=50, min_mean_words=7.5)
    assert hash(TextColumnRule()) == hash(TextColumnRule(40, 6.0))
    with pytest.raises(Exception, match="frozen"):
        TextOptions().urls = "mask"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"HEADWATER_CHUNK_TOKENS": "4"}, "HEADWATER_CHUNK_TOKENS='4': must be in [8, inf]"),
        ({"HEADWATER_MAX_ACTIVE_RUNS": "two"}, "HEADWATER_MAX_ACTIVE_RUNS='two': expected an integer, got 'two'"),
        ({"HEADWATER_START_DATE": "soon"}, "HEADWATER_START_DATE='soon': expected a date (YYYY-MM-DD), got 'soon'"),
        (
            {"HEADWATER_CHUNK_TOKENS": "32", "HEADWATER_CHUNK_OVERLAP": "32"},
            "chunk_overlap=32: must be >= 0 and < chunk_tokens=32 (HEADWATER_CHUNK_OVERLAP)",
        ),
    ],
)
def test_settings_errors_name_the_variable(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as err:
        Settings.from_env(environ)
    assert str(err.value) == message
