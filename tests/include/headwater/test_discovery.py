"""Which landing names are processed, which records a zip archive holds, and why every other file is skipped (issue 9, item 21)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from headwater.discovery import Scan, Skipped, batches, compression_of, is_table_name, list_local, scan, skip_reason, split_member, zip_members

EXTENSIONS = (
    "unknown extension ({}): Headwater reads .csv, .tsv and .txt files, plain or compressed (.gz, .bz2, .zst, .xz), "
    "and .zip archives of them"
)
HIDDEN = "hidden or temporary name (starts with '.' or '_')"


def _zip(*names: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in names:
            zf.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), "" if name.endswith("/") else "id\n1\n")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("orders.csv", None),
        ("orders.CSV.GZ", None),
        ("orders.csv.bz2", None),
        ("orders.csv.zst", None),
        ("orders.tsv.gz", None),
        ("orders.txt.xz", None),
        ("orders.zip", None),
        (".DS_Store", HIDDEN),
        ("_SUCCESS", HIDDEN),
        (".orders.csv.swp", HIDDEN),
        ("orders.csv.part", "upload in progress (.part)"),
        ("orders.csv.gz.tmp", "upload in progress (.tmp)"),
        ("orders.csv.crdownload", "upload in progress (.crdownload)"),
        ("notes.md", EXTENSIONS.format(".md")),
        ("orders.gz", EXTENSIONS.format(".gz")),  # compressed, but not a table we know of
        ("orders.csv.7z", EXTENSIONS.format(".7z")),
        ("README", EXTENSIONS.format("none")),
    ],
)
def test_skip_reasons_of_landing_names(name: str, reason: str | None) -> None:
    assert skip_reason(name) == reason


def test_names_say_their_compression_and_members_their_archive() -> None:
    assert [compression_of(n) for n in ("a.csv.gz", "a.csv.BZ2", "a.csv.zst", "a.tsv.xz", "a.csv", "a.zip")] == [
        "gzip", "bzip2", "zstd", "xz", None, None,
    ]
    assert is_table_name("a.TXT.gz") and not is_table_name("a.gz") and not is_table_name("a.zip")
    assert split_member("orders.zip/data/a.csv") == ("orders.zip", "data/a.csv")
    assert split_member("orders.csv") == ("orders.csv", None)


@pytest.mark.filterwarnings("ignore:Duplicate name:UserWarning")  # the archive is made with a duplicate on purpose
def test_a_zip_lists_each_table_as_a_record_and_skips_the_rest_with_reasons() -> None:
    data = _zip(
        "part-1.csv", "data/", "data/part-2.tsv", "readme.pdf", "__MACOSX/data/._part-2.tsv", "data/.hidden.csv",
        "inner.csv.gz", "part-1.csv", "noext",
    )
    found = zip_members("orders.zip", io.BytesIO(data))
    assert found.files == ["orders.zip/part-1.csv", "orders.zip/data/part-2.tsv"]  # directory entries are not files
    assert found.skipped == [
        Skipped("orders.zip/readme.pdf", "zip member that is not a CSV (.pdf)"),
        Skipped("orders.zip/__MACOSX/data/._part-2.tsv", "hidden or temporary name inside the archive (a path part starts with '.' or '_')"),
        Skipped("orders.zip/data/.hidden.csv", "hidden or temporary name inside the archive (a path part starts with '.' or '_')"),
        Skipped("orders.zip/inner.csv.gz", "compressed file inside a zip archive: not read (put the table in the archive uncompressed)"),
        Skipped("orders.zip/part-1.csv", "a second member with the same name in the archive: only the first is read"),
        Skipped("orders.zip/noext", "zip member that is not a CSV (no extension)"),
    ]
    assert zip_members("empty.zip", io.BytesIO(_zip())) == Scan([], [Skipped("empty.zip", "zip archive without any file")])
    assert zip_members("dirs.zip", io.BytesIO(_zip("a/", "a/b/"))) == Scan([], [Skipped("dirs.zip", "zip archive without any file")])


def test_scan_lists_records_and_every_skipped_file_with_its_reason(tmp_path: Path) -> None:
    files = {
        "q3 sales.csv": b"id\n1\n", "q3_sales.csv": b"id\n2\n", "orders.csv.gz": b"", "orders.zip": _zip("a.csv", "b.csv", "c.pdf"),
        "broken.zip": b"PK\x03\x04 half an upload", ".DS_Store": b"", "x.csv.part": b"", "notes.md": b"",
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    opened: list[str] = []

    def open_file(name: str):
        opened.append(name)
        return open(tmp_path / name, "rb")

    found = scan(files, open_file=open_file)
    assert found.files == ["orders.csv.gz", "orders.zip/a.csv", "orders.zip/b.csv", "q3 sales.csv", "q3_sales.csv"]
    assert found.skipped == [
        Skipped(".DS_Store", HIDDEN),
        Skipped("broken.zip", "zip archive that cannot be listed (BadZipFile: File is not a zip file): still uploading or damaged; listed again on the next run"),
        Skipped("notes.md", EXTENSIONS.format(".md")),
        Skipped("orders.zip/c.pdf", "zip member that is not a CSV (.pdf)"),
        Skipped("x.csv.part", "upload in progress (.part)"),
    ]
    assert opened == ["broken.zip", "orders.zip"]  # only archives are opened (their central directory)

    narrowed = scan(files, "orders*", open_file=open_file)
    assert narrowed.files == ["orders.csv.gz", "orders.zip/a.csv", "orders.zip/b.csv"]
    assert Skipped("q3 sales.csv", "not matched by file_glob 'orders*'") in narrowed.skipped
    members = scan(files, "*/a.csv", open_file=open_file)  # a glob may name a member
    assert members.files == ["orders.zip/a.csv"]
    assert Skipped("orders.zip/b.csv", "not matched by file_glob '*/a.csv'") in members.skipped

    (tmp_path / "2026-11-20").mkdir()
    for name, data in files.items():
        (tmp_path / "2026-11-20" / name).write_bytes(data)
    assert list_local(tmp_path.as_uri(), "2026-11-20") == found


@pytest.mark.parametrize(
    ("n", "limit", "sizes"),
    [
        (0, 1024, []),
        (7, 1024, [1] * 7),  # up to max_map_length: one file per mapped task group, as before
        (7, 7, [1] * 7),
        (7, 3, [3, 2, 2]),
        (2000, 1024, [2] * 976 + [1] * 48),  # the day: 2,000 files under the default limit
        (10_000, 1024, [10] * 784 + [9] * 240),
        (5, 1, [5]),
    ],
)
def test_batches_cut_the_file_list_to_at_most_max_map_length_in_order(n: int, limit: int, sizes: list[int]) -> None:
    records = [f"f{i}.csv" for i in range(n)]
    got = batches(records, limit)
    assert [len(b) for b in got] == sizes
    assert [r for b in got for r in b] == records  # every record once, in discovery order


def test_batches_refuse_a_limit_below_one() -> None:
    with pytest.raises(ValueError, match="max_map_length must be >= 1"):
        batches(["a.csv"], 0)


def _landing_with_subfolders(tmp_path: Path) -> Path:
    folder = tmp_path / "landing" / "2026-03-02"
    (folder / "eu").mkdir(parents=True)
    (folder / "us" / "deep").mkdir(parents=True)
    (folder / "top.csv").write_text("id\n1\n")
    (folder / "eu" / "orders.csv").write_text("id\n2\n")
    (folder / "us" / "orders.csv").write_text("id\n3\n")
    (folder / "us" / "deep" / "x.csv").write_text("id\n4\n")
    (folder / "~$top.csv").write_bytes(b"\x00")  # Excel's lock file
    return folder


def test_files_in_sub_folders_and_lock_files_are_listed_as_skipped(tmp_path: Path) -> None:
    from headwater.discovery import NESTED_REASON, scan_folder

    folder = _landing_with_subfolders(tmp_path)
    lock = "lock or temporary file of an editor (starts with '~', as Excel's ~$name.csv)"
    expected = Scan(
        ["top.csv"],
        [Skipped("~$top.csv", lock), Skipped("eu/orders.csv", NESTED_REASON), Skipped("us/deep/x.csv", NESTED_REASON), Skipped("us/orders.csv", NESTED_REASON)],
    )
    assert list_local(f"file://{tmp_path}/landing", "2026-03-02") == expected  # the CLI's listing
    assert scan_folder(folder) == expected  # the DAGs' listing (a path object)
    assert scan_folder(folder / "missing") == Scan()
    assert skip_reason("~$orders.csv") == lock and skip_reason("~orders.csv") == lock
