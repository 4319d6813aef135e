"""The schema's known names travel with the read options (ReadOptions.known_names), not as a parameter of each reader.

``open_landing`` sets them from the source's schema (SchemaSpec.known_names) with ``ReadOptions.declaring``; CsvFile and
table.find_table read them from the options they already take. They are no YAML key and no field of the model.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from headwater.config.base import ConfigError
from headwater.config.read import ReadOptions
from headwater.config.settings import Settings
from headwater.ingest.stage import open_landing
from headwater.ingest.table import find_table
from headwater.manifest import FileRef

LIKERT = "Name,1,2,3,4,5\nAnn,4,5,3,2,1\nBen,2,2,3,4,5\nCid,5,4,3,2,1\n"


def test_declaring_copies_the_options_with_the_names() -> None:
    plain = ReadOptions(delimiter=";", header="auto")
    declared = plain.declaring(["name", "respondent"])
    assert declared.known_names == frozenset({"name", "respondent"}) and plain.known_names == frozenset()
    assert declared.model_dump() == plain.model_dump()  # every field as it was; the names are no field
    assert declared.model_copy(update={"engine": "python"}).known_names == frozenset({"name", "respondent"})
    assert "known_names" not in ReadOptions.model_fields and "_known_names" not in ReadOptions.model_fields


def test_known_names_are_no_yaml_key() -> None:
    with pytest.raises(ConfigError, match="known_names"):
        ReadOptions.from_mapping({"known_names": ["name"]})


def test_find_table_reads_the_names_from_the_options() -> None:
    assert find_table(LIKERT, ReadOptions().declaring({"name"})).header_rows == 1
    assert find_table(LIKERT, ReadOptions()).header_rows == 0  # without them the row stays a record (warned by the reader)


@pytest.mark.parametrize(
    ("config", "names"),
    [
        ('files: ["*.csv"]\nschema:\n  name: s\n  columns:\n    respondent: {type: string, aliases: [Full Name]}\n',
         frozenset({"respondent", "full_name"})),
        ('files: ["*.csv"]\nread:\n  delimiter: ";"\n', frozenset()),  # no schema: none
    ],
)
def test_open_landing_declares_the_schemas_names(tmp_path: Path, config: str, names: frozenset[str]) -> None:
    folder = tmp_path / "config"
    folder.mkdir()
    (folder / "s.yaml").write_text(config)
    settings = Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=folder)
    landing, options = open_landing(LIKERT.encode(), FileRef("2026-11-20", "a.csv"), settings)
    with landing:
        assert options.known_names == names
