from __future__ import annotations

from pathlib import Path

import pytest

from headwater.config.settings import Settings

SAMPLE = Path(__file__).resolve().parents[3] / "sample_data" / "landing" / "2026-11-20"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings writing under a fresh temporary home."""
    return Settings(home=tmp_path, landing_uri=(SAMPLE.parent).as_uri())


@pytest.fixture
def bucket(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh bucket on the session's moto server; the AWS variables point every client (s3fs, Lance) at it."""
    import uuid

    import boto3

    for name, value in {
        "AWS_ENDPOINT_URL": moto_server, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    name = f"hw-{uuid.uuid4().hex[:12]}"
    boto3.client("s3").create_bucket(Bucket=name)
    return name


# ------------------------------------------------------------------ both read engines, every read compared

import io  # noqa: E402

from headwater.ingest import bulk, csv_file  # noqa: E402
from headwater.ingest.streams import LandingStream  # noqa: E402


def _replayable(source: object) -> tuple[bytes, object, object, object] | None:
    """(bytes from the read position, zip member, max bytes, max ratio) to read ``source`` again; None when it cannot be."""
    member = max_bytes = max_ratio = None
    if isinstance(source, LandingStream):
        member, max_bytes, max_ratio = source.member, source.max_bytes, source.max_ratio
        origin, source = source._origin, source._src
    elif isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), None, None, None
    else:
        origin = source.tell() if source.seekable() else None  # type: ignore[attr-defined]
    if isinstance(source, io.BytesIO):
        return source.getvalue()[origin:], member, max_bytes, max_ratio
    name = getattr(source, "name", None)
    if isinstance(name, str) and origin is not None:
        with open(name, "rb") as f:
            f.seek(origin)
            return f.read(), member, max_bytes, max_ratio
    return None


def careful_read(data: bytes, name: str, options: object, size: int, member: object = None, limits: tuple = (None, None)):  # noqa: ANN201
    """The careful reader alone (read.engine: python) over ``data``: (the opened file, its batches), read again when it says so."""
    # model_copy keeps the schema's known names (ReadOptions.known_names, a private attribute): both engines read alike
    careful = options.model_copy(update={"engine": "python"})  # type: ignore[attr-defined]
    f = csv_file.CsvFile(LandingStream(io.BytesIO(data), member, *limits), name, careful)  # type: ignore[arg-type]
    while True:
        try:
            return f, list(f.batches(size))
        except csv_file.ReadAgain:
            f.restart()


def assert_same_read(fast: csv_file.CsvFile, fast_batches: list, careful: csv_file.CsvFile, careful_batches: list) -> None:
    """Both engines gave the same file: header, dialect, warnings, structure, table description and every batch (values, lines, issues)."""
    assert (fast.header, fast.encoding, fast.delimiter, fast.warnings) == (careful.header, careful.encoding, careful.delimiter, careful.warnings)
    assert vars(fast.structure) == vars(careful.structure)
    assert (fast.describe(), fast.lines_read) == (careful.describe(), careful.lines_read)
    assert len(fast_batches) == len(careful_batches)
    for got, want in zip(fast_batches, careful_batches):
        assert got.table.equals(want.table), (got.table.to_pydict(), want.table.to_pydict())
        assert [vars(i) for i in got.issues] == [vars(i) for i in want.issues]


@pytest.fixture(autouse=True)
def both_read_engines(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file these tests read with the fast engine is read again by the careful reader alone: the results must be equal.

    ``bulk.MIN_RUN`` is 1, so that Arrow takes every plain line of these small inputs (a longer minimum
    only moves lines to the careful reader). The test's own assertions then hold for both engines.
    """
    monkeypatch.setattr(bulk, "MIN_RUN", 1)
    init, batches = csv_file.CsvFile.__init__, csv_file.CsvFile.batches

    def checked_init(self, source, name, options=None):  # type: ignore[no-untyped-def]
        self._replay = _replayable(source)
        init(self, source, name, options)

    def checked_batches(self, size=50_000):  # type: ignore[no-untyped-def]
        got = []
        for batch in batches(self, size):
            got.append(batch)
            yield batch
        if self._replay is not None and self.options.engine == "arrow":
            data, member, max_bytes, max_ratio = self._replay
            careful, want = careful_read(data, self.name, self.options, size, member, (max_bytes, max_ratio))
            assert_same_read(self, got, careful, want)

    monkeypatch.setattr(csv_file.CsvFile, "__init__", checked_init)
    monkeypatch.setattr(csv_file.CsvFile, "batches", checked_batches)
