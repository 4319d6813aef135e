"""The clean stage over a file in batches: same outputs as one batch, staging read once, quarantine appended once."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from headwater.clean.stage import clean as clean_file
from headwater.config.settings import Settings
from headwater.ingest.stage import ingest as ingest_file
from headwater.layout import Layout
from headwater.manifest import FileRef
from headwater.storage import read_json

DATE = "2026-11-20"
CONFIG = """\
files: ["people_*.csv", "knn_*.csv"]
schema:
  name: people
  columns:
    id: {identifier: true, nullable: false}
    name: {type: string}
    score: {type: number, min: 0, max: 100}
    age: {type: integer}
    city: {type: string}
types:
  on_error: keep_raw
impute:
  score: {strategy: mean}
  age: {strategy: median}
"""
PEOPLE = [
    "id,name,score,age,city",
    "S-1,Ada Lovelace,10,30,Oslo",
    "S-2,Grace Hopper,,40,Paris",  # score imputed: the mean of the rows validation keeps, 150 / 4 (breaker9 #7: was 395 / 6, with 250 and -5)
    "S-3,Linus Torvalds,30,,Berlin",  # age imputed: the median of the rows validation keeps, 60 (was 50, with S-4's and S-7's)
    "S-4,Barbara Liskov,250,50,Madrid",  # breaks max 100: quarantined in the first pass, before imputation learns
    "S-5,Ken Thompson,50,,Lisbon",
    "S-1,Ada Lovelace,10,30,Oslo",  # line 2 again, in a later batch: a duplicate
    "S-6,Margaret Hamilton,,70,Rome",
    "S-7,Edsger Dijkstra,-5,20,Zurich",  # breaks min 0: quarantined, in another batch
    "S-8,Alan Turing,twelve,60,London",  # kept in score__raw, not imputed
    "S-9,John",  # 2 fields: quarantined by ingest
    "S-10,Donald Knuth,60,80,Bergen",
    ",,,,",  # a line of delimiters only: a structural blank line (struct6; before: quarantined as every value empty)
]


def _settings(tmp_path: Path, batch_rows: int) -> Settings:
    config = tmp_path / "config"
    config.mkdir(exist_ok=True)
    (config / "people.yaml").write_text(CONFIG, encoding="utf-8")
    return Settings(home=tmp_path / f"home-{batch_rows}", landing_uri=tmp_path.as_uri(), batch_rows=batch_rows, config_dir=config)


def _run(tmp_path: Path, batch_rows: int, name: str = "people_a.csv", lines: list[str] = PEOPLE) -> tuple[dict, Layout, FileRef]:
    settings = _settings(tmp_path, batch_rows)
    ref = FileRef(DATE, name)
    ingest_file(("\n".join(lines) + "\n").encode(), ref, settings)
    return clean_file(ref, settings), Layout(settings.data_dir, DATE), ref


def _outputs(lay: Layout, ref: FileRef) -> tuple[pd.DataFrame, pd.DataFrame, bytes, dict]:
    manifest = read_json(lay.manifest(ref.key))
    fields = ("rows_read", "curated", "duplicates", "quarantined", "coercion_failures", "imputed", "dtypes", "clean_steps", "duplicate_of")
    return (
        pd.read_parquet(lay.curated(ref.key)),
        pd.read_parquet(lay.duplicates(ref.key)),
        lay.quarantine_rows(ref.key).read_bytes(),
        {k: manifest[k] for k in fields},
    )


@pytest.mark.parametrize(("batch_rows", "batches"), [(2, 5), (3, 4), (5, 2)])
def test_batches_give_the_outputs_of_one_batch_with_whole_column_fits(tmp_path: Path, batch_rows: int, batches: int) -> None:
    one, lay1, ref = _run(tmp_path, 100_000)
    many, lay2, _ = _run(tmp_path, batch_rows)
    assert one == many
    assert (many["rows_read"], many["curated"], many["duplicates"], many["quarantined"]) == (11, 7, 1, 3)
    (cur1, dup1, q1, m1), (cur2, dup2, q2, m2) = _outputs(lay1, ref), _outputs(lay2, ref)
    pd.testing.assert_frame_equal(cur1, cur2)
    # a duplicate carries score__raw only when its batch had a failure (as before the runner): compare values
    both = [c for c in dup1.columns if c in dup2.columns]
    assert all(d[c].isna().all() for d in (dup1, dup2) for c in d.columns if c not in both)
    pd.testing.assert_frame_equal(dup1[both], dup2[both])
    # The exact key folds in <col>__raw values, not columns: line 7 is an exact duplicate in every batching.
    assert m2["clean_steps"]["exact_duplicates"] == {"in": 10, "kept": 9, "quarantined": 0, "duplicates": 1}
    assert q1 == q2 and m1 == m2
    assert (read_json(lay1.manifest(ref.key))["clean_batches"], read_json(lay2.manifest(ref.key))["clean_batches"]) == (1, batches)

    assert cur2["_line"].tolist() == [2, 3, 4, 6, 8, 10, 12]
    assert [None if pd.isna(v) else v for v in cur2["score"]] == [10.0, 37.5, 30.0, 50.0, 37.5, None, 60.0]
    assert cur2["score__imputed"].tolist() == [False, True, False, False, True, False, False]
    assert [None if pd.isna(v) else v for v in cur2["score__raw"]] == [None] * 5 + ["twelve", None]
    assert [None if pd.isna(v) else v for v in cur2["score__reason"]] == [None] * 5 + ["not_a_number", None]
    assert cur2["age"].tolist() == [30, 40, 60, 60, 70, 60, 80]
    assert cur2["age__imputed"].tolist() == [False, False, True, True, False, False, False]
    assert dup2["_line"].tolist() == [7] and dup2["_duplicate_of"].tolist() == cur2["_row_id"].tolist()[:1]
    assert m2["coercion_failures"] == {"score": 1} and m2["imputed"] == {"score": 2, "age": 2}
    assert m2["dtypes"] == {
        "_row_id": "str", "_source": "str", "_line": "int64", "id": "string", "name": "string", "score": "Float64",
        "score__raw": "string", "score__reason": "string", "score__imputed": "boolean", "age": "Int64", "age__imputed": "boolean", "city": "string",
    }
    assert m2["clean_steps"]["validate_schema"] == {"in": 9, "kept": 7, "quarantined": 2, "duplicates": 0}

    rows = [json.loads(line) for line in q2.decode("utf-8").splitlines()]
    assert [(r["line"], r["stage"]) for r in rows] == [(11, "ingest"), (5, "clean"), (9, "clean")]  # line 13 (,,,,): blank
    assert rows[1] == {
        "source": f"{DATE}/people_a.csv", "line": 5, "stage": "clean",
        "reason": "people_a.csv line 5: fails schema people — score=250.0 breaks max 100 — row quarantined",
        "raw": {"id": "S-4", "name": "Barbara Liskov", "score": "250", "age": "50", "city": "Madrid"},
    }
    assert rows[2]["raw"] == {"id": "S-7", "name": "Edsger Dijkstra", "score": "-5", "age": "20", "city": "Zurich"}


def test_the_curated_summary_is_what_the_committed_file_holds(tmp_path: Path) -> None:
    """Tallied while writing, yet equal to counting the committed file's columns (the old read-back)."""
    _, lay, ref = _run(tmp_path, 2)
    manifest = read_json(lay.manifest(ref.key))
    table = pq.read_table(lay.curated(ref.key))
    assert manifest["curated"] == table.num_rows == 7
    assert manifest["coercion_failures"] == {"score": table.num_rows - table["score__raw"].null_count} == {"score": 1}
    assert manifest["imputed"] == {c: sum(table[f"{c}__imputed"].to_pylist()) for c in ("score", "age")}
    assert manifest["dtypes"] == {c: str(t) for c, t in table.to_pandas().dtypes.items()}


def test_a_retried_clean_leaves_the_quarantine_file_unchanged(tmp_path: Path) -> None:
    _, lay, ref = _run(tmp_path, 2)
    settings = _settings(tmp_path, 2)
    path = lay.quarantine_rows(ref.key)
    first, curated = path.read_bytes(), lay.curated(ref.key).read_bytes()
    again = clean_file(ref, settings)
    assert path.read_bytes() == first and lay.curated(ref.key).read_bytes() == curated
    assert again["quarantined"] == 3 and len(first.splitlines()) == 3
    # an attempt killed after appending (a torn last line included) is cut back by the next one
    with open(path, "ab") as fh:
        fh.write(b'{"source": "x", "line": 99, "stage": "clean"}\n{"source": "x", "li')
    clean_file(ref, settings)
    assert path.read_bytes() == first
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no temporary file left


def test_a_failed_clean_leaves_the_last_outputs_as_they_were(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from headwater.clean.steps.validate import ValidateSchema

    _, lay, ref = _run(tmp_path, 2)
    before = {p: p.read_bytes() for p in (lay.quarantine_rows(ref.key), lay.curated(ref.key), lay.duplicates(ref.key))}
    calls = []

    def fails_on_the_third_batch(self, df):
        calls.append(len(df))
        if len(calls) == 3:
            raise RuntimeError("disk on fire")
        return original(self, df)

    original = ValidateSchema.apply
    monkeypatch.setattr(ValidateSchema, "apply", fails_on_the_third_batch)
    with pytest.raises(RuntimeError, match="disk on fire"):
        clean_file(ref, _settings(tmp_path, 2))
    assert {p: p.read_bytes() for p in before} == before
    leftovers = [p.name for p in lay.root.rglob(".*") if p.is_file() or p.is_dir()]
    assert leftovers == []


def test_staging_is_read_once_and_no_output_is_read_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    settings = _settings(tmp_path, 2)
    ref = FileRef(DATE, "people_a.csv")
    ingest_file(("\n".join(PEOPLE) + "\n").encode(), ref, settings)
    lay = Layout(settings.data_dir, DATE)
    watched = {lay.staging(ref.key): "staging", lay.curated(ref.key): "curated", lay.quarantine_rows(ref.key): "quarantine"}
    seen: list[str] = []

    def spy(name, original):
        def call(source, *args, **kwargs):
            mode = args[0] if args and isinstance(args[0], str) else kwargs.get("mode", "")
            if Path(str(source)) in watched and "a" not in str(mode) and "w" not in str(mode):
                seen.append(f"{watched[Path(str(source))]}: {name}")
            return original(source, *args, **kwargs)
        return call

    monkeypatch.setattr(pq, "ParquetFile", _counting_parquet_file(pq.ParquetFile, watched, seen))
    monkeypatch.setattr(pq, "read_table", spy("read_table", pq.read_table))
    monkeypatch.setattr(pq, "read_schema", spy("read_schema", pq.read_schema))
    monkeypatch.setattr(pd, "read_parquet", spy("read_parquet", pd.read_parquet))
    monkeypatch.setattr(builtins, "open", spy("open", builtins.open))
    info = clean_file(ref, settings)
    assert info["curated"] == 7 and info["quarantined"] == 3
    assert seen == ["staging: ParquetFile", "staging: iter_batches"]


def _counting_parquet_file(base, watched, seen):
    class Counting(base):
        def __init__(self, source, *args, **kwargs):
            self._watched = watched.get(Path(str(source)))
            if self._watched:
                seen.append(f"{self._watched}: ParquetFile")
            super().__init__(source, *args, **kwargs)

        def iter_batches(self, *args, **kwargs):
            if self._watched:
                seen.append(f"{self._watched}: iter_batches")
            return super().iter_batches(*args, **kwargs)

        def read(self, *args, **kwargs):
            if self._watched:
                seen.append(f"{self._watched}: read")
            return super().read(*args, **kwargs)

    return Counting


def test_a_manifest_from_before_the_ingest_byte_count_still_appends_once(tmp_path: Path) -> None:
    """Manifests written before ingest recorded its quarantine length: clean finds it in the file."""
    _, lay, ref = _run(tmp_path, 2)
    first = lay.quarantine_rows(ref.key).read_bytes()
    manifest = read_json(lay.manifest(ref.key))
    for key in ("ingest_quarantined", "ingest_quarantine_bytes"):
        del manifest[key]
    lay.manifest(ref.key).write_text(json.dumps(manifest), encoding="utf-8")
    assert clean_file(ref, _settings(tmp_path, 2))["quarantined"] == 3
    assert lay.quarantine_rows(ref.key).read_bytes() == first


def test_a_quarantine_file_shorter_than_ingest_left_it_is_an_error(tmp_path: Path) -> None:
    _, lay, ref = _run(tmp_path, 2)
    curated = lay.curated(ref.key).read_bytes()
    lay.quarantine_rows(ref.key).write_text("", encoding="utf-8")
    with pytest.raises(RuntimeError, match=r"rows.jsonl: 0 bytes, but ingest wrote \d+ bytes .* re-run the ingest stage for 2026-11-20/people_a.csv"):
        clean_file(ref, _settings(tmp_path, 2))
    assert lay.curated(ref.key).read_bytes() == curated


def test_whole_table_imputation_gets_the_file_as_one_batch(tmp_path: Path) -> None:
    config = CONFIG.replace("score: {strategy: mean}", "score: {strategy: knn, n_neighbors: 2}")
    rows = ["id,name,score,age,city"] + [f"K-{i},n{i},{'' if i % 4 == 0 else i * 10},{i},c{i}" for i in range(1, 10)]
    outputs = []
    for batch_rows in (100_000, 2):
        settings = _settings(tmp_path, batch_rows)
        (settings.config_dir / "people.yaml").write_text(config, encoding="utf-8")
        ref = FileRef(DATE, "knn_a.csv")
        ingest_file(("\n".join(rows) + "\n").encode(), ref, settings)
        clean_file(ref, settings)
        lay = Layout(settings.data_dir, DATE)
        assert read_json(lay.manifest(ref.key))["clean_batches"] == 1
        outputs.append(pd.read_parquet(lay.curated(ref.key)))
    pd.testing.assert_frame_equal(*outputs)
    # KNN on age (the only other numeric column): the two nearest rows of age 4 and 8 are 3 and 5, 7 and 9
    assert outputs[1]["score"].tolist() == [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0]
    assert outputs[1]["score__imputed"].tolist() == [False, False, False, True, False, False, False, True, False]


def test_a_header_only_file_gets_the_columns_and_no_rows(tmp_path: Path) -> None:
    info, lay, ref = _run(tmp_path, 2, lines=PEOPLE[:1])
    assert (info["status"], info["rows_read"], info["curated"], info["quarantined"]) == ("empty", 0, 0, 0)
    curated = pd.read_parquet(lay.curated(ref.key))
    assert list(curated.columns) == ["_row_id", "_source", "_line", "id", "name", "score", "score__imputed", "age", "age__imputed", "city"]
    manifest = read_json(lay.manifest(ref.key))
    assert (manifest["clean_batches"], manifest["imputed"], manifest["coercion_failures"]) == (0, {"score": 0, "age": 0}, {})
    assert lay.quarantine_rows(ref.key).read_bytes() == b"" and not lay.duplicates(ref.key).exists()
