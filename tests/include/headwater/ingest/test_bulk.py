"""The fast read engine (read.engine: arrow, headwater.ingest.bulk) against the careful reader alone, on hostile files.

Every file is read by both engines and the results must be equal: header, dialect, warnings,
structural lines, records, raw values, line numbers, quarantined rows with their reasons and raw
text (and, through the autouse fixture of tests/include/headwater/conftest.py, every batch). Each
hostile region sits between runs of plain lines, so Arrow reads around it and the careful reader
inside it; a count of the lines Arrow took proves the fast engine did read part of each file.
"""

from __future__ import annotations

import io

import pytest

from headwater.config.read import ReadOptions
from headwater.ingest import bulk, streams
from headwater.ingest.csv_file import parse_csv
from headwater.ingest.stage import ingest
from headwater.manifest import FileRef

PLAIN = "".join(f'{i},"Ana, {i}",x{i}\n' for i in range(40))  # plain lines: a quoted field with the delimiter in it


def _around(region: str, header: str = "id,name,note\n") -> bytes:
    return (header + PLAIN + region + PLAIN).encode("utf-8")


HOSTILE = {
    "embedded quotes": 'q1,"she said ""hi""",""\n',
    "quoted newline": 'q1,"two\nlines",z\n',
    "quoted CRLF newline": 'q1,"two\r\nlines",z\r\n',
    "CRLF lines among LF lines": "c1,a,b\r\nc2,a,b\r\n",
    "bare CR in a field": "r1,a\rb,z\n",
    "ragged row, short": "g1,only\n",
    "ragged row, long": "g2,a,b,c\n",
    "trailing delimiter": "t1,a,b,\n",
    "repeated header": "id,name,note\n",
    "repeated header upper-cased": "ID,NAME,NOTE\n",
    "repeated header, first name quoted": '"id",name,note\n',
    "repeated header, title-cased and quoted": '"Id","Name","Note"\n',
    "a record whose first value is the header's first name": "id,Ann,x\n",
    "blank line": "\n",
    "blank line then a second table": "\nsku,price\nA1,2\nA2,3\n",
    "whitespace-only values": "w1,  ,\t\n",
    "big integers and leading zeros": "123456789012345678901234567890,007,-0001.50\n",
    "byte-order mark inside": "\ufeffb1,a,b\n",
    "quote inside an unquoted field": 'u1,a"b,c\n',
    "text after a closing quote": 'u2,"ab"c,d\n',
    "unclosed quote": 'u3,"never closed,d\n',
    "empty quoted fields": 'e1,"",""\n',
    "unicode": "ü1,Zürich,São Paulo — ok\n",
    "line separators in values": "s1,a\x0bb\x0cc,d\u2028e\x1cf\n",
}


@pytest.fixture
def arrow_lines(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Count the lines Arrow takes (bulk.LineBlocks.take)."""
    taken = {"lines": 0}
    take = bulk.LineBlocks.take

    def counted(self, n):  # type: ignore[no-untyped-def]
        table = take(self, n)
        taken["lines"] += table.num_rows if table is not None else 0
        return table

    monkeypatch.setattr(bulk.LineBlocks, "take", counted)
    return taken


def _both(data: bytes, options: ReadOptions | None = None):  # type: ignore[no-untyped-def]
    options = options or ReadOptions()
    careful = parse_csv(io.BytesIO(data), "x.csv", options.model_copy(update={"engine": "python"}))
    fast = parse_csv(io.BytesIO(data), "x.csv", options.model_copy(update={"engine": "arrow"}))
    assert (fast.header, fast.encoding, fast.delimiter, fast.warnings) == (careful.header, careful.encoding, careful.delimiter, careful.warnings)
    assert (fast.records, fast.lines) == (careful.records, careful.lines)
    assert [vars(i) for i in fast.issues] == [vars(i) for i in careful.issues]
    assert vars(fast.structure) == vars(careful.structure)
    return fast


@pytest.mark.parametrize("min_run", [1, 32])
@pytest.mark.parametrize("block", [7, 1 << 20])
@pytest.mark.parametrize("kind", list(HOSTILE))
def test_hostile_region_reads_the_same_through_both_engines(kind, block, min_run, monkeypatch, arrow_lines) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(streams, "READ_BLOCK", block)  # tiny blocks: lines and characters cut across decoded chunks
    monkeypatch.setattr(bulk, "MIN_RUN", min_run)
    parsed = _both(_around(HOSTILE[kind]))
    assert parsed.records[:2] == [["0", "Ana, 0", "x0"], ["1", "Ana, 1", "x1"]]
    assert arrow_lines["lines"] >= 40 or (min_run > 1 and block < 100)  # a 7-byte block holds no run of 32 lines


def test_a_ragged_row_mid_file_keeps_its_reason_and_line_and_arrow_reads_the_rest(arrow_lines) -> None:  # type: ignore[no-untyped-def]
    parsed = _both(_around('g1,only\nq1,"two\nlines",z\nid,name,note\n'))
    assert [(i.line, i.reason, i.raw) for i in parsed.issues] == [(42, "x.csv line 42: 2 fields, header has 3 — row quarantined", "g1,only\n")]
    # header 1, plain 2-41, ragged 42, a record on lines 43-44, the header again on 45, plain from 46
    assert parsed.lines[40:43] == [43, 46, 47] and parsed.records[40] == ["q1", "two\nlines", "z"]
    assert parsed.structure.counts == {"header": 1, "repeated_header": 1} and parsed.structure.lines["repeated_header"] == [45]
    assert arrow_lines["lines"] == 80


def test_values_arrow_reads_stay_exactly_as_written() -> None:
    parsed = _both(_around('n1,007,"  "\nn2,123456789012345678901234567890,""\n'))
    assert parsed.records[40:42] == [["n1", "007", "  "], ["n2", "123456789012345678901234567890", ""]]


@pytest.mark.parametrize(
    ("data", "options"),
    [
        ("id;name;note\n" + PLAIN.replace(",", ";") + 'x;"a;b";c\n', None),  # semicolons, a quoted delimiter
        ("id\tname\tnote\n" + PLAIN.replace(",", "\t") + "x\ty\tz\n", None),  # tabs
        ("id,name,note\n" + "".join(f"{i},'O''Brien, {i}',z\n" for i in range(40)), None),  # apostrophe quotes
        ("Report 2026\n\nid,name,note\n" + PLAIN, None),  # preamble above the header
        ("id,name,note\n" + PLAIN + "9,a,b", None),  # no line end at the end
        ("id,name,note\n" + PLAIN + "9,a,b\r", None),  # a lone \r at the end
        ("id,name,note\r\n" + PLAIN.replace("\n", "\r\n"), None),  # CRLF throughout
        ("id,name,note\n" + PLAIN + "L1,abcdefghijklmnopqrstuvwxyz,z\n" + PLAIN, ReadOptions(max_field_chars=20)),  # a field over the limit
        ("id,name,note\n" + PLAIN.replace(",", ", "), None),  # spaces after the delimiter (skip-initial-space: careful reader only)
        ("id,name,note\n" + PLAIN + 'x,"a \\"q\\" b",c\n', None),  # backslash-escaped quotes (careful reader only)
        # CRLF throughout with a bare \r in a field, a \r\r\n line end and a quoted \r among them (the \r's counted, then found)
        ("id,name,note\r\n" + PLAIN.replace("\n", "\r\n") + 'r1,a\rb,z\r\nr2,a,b\r\r\nr3,"a\rb",c\r\n' + PLAIN.replace("\n", "\r\n"), None),
        ("id,name,note\r\n" + PLAIN.replace("\n", "\r\n") + "9,a,b\r", None),  # CRLF throughout, a lone \r at the very end
    ],
)
def test_dialects_and_edges_read_the_same_through_both_engines(data: str, options: ReadOptions | None) -> None:
    _both(data.encode("utf-8"), options)


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16", "latin-1"])
def test_files_not_in_utf8_read_the_same_through_both_engines(encoding: str, arrow_lines) -> None:  # type: ignore[no-untyped-def]
    parsed = _both(("id,name,note\n" + PLAIN + "é1,café,Müller\n" + PLAIN).encode(encoding))
    assert parsed.records[40] == ["é1", "café", "Müller"] and arrow_lines["lines"] >= 80


def test_nul_bytes_and_a_late_non_utf8_byte_read_the_same_through_both_engines(monkeypatch, arrow_lines) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(streams, "READ_BLOCK", 4096)
    late = b"id,name,note\n" + b"1,a\x00b,c\n" * 5 + b"1,ab,c\n" * 5000 + "2,café,d\n".encode("cp1252") + PLAIN.encode()
    parsed = _both(late)
    assert parsed.encoding == "cp1252" and parsed.records[0] == ["1", "a\x00b", "c"] and parsed.records[5005] == ["2", "café", "d"]
    assert any("NUL" in w for w in parsed.warnings) and arrow_lines["lines"] > 2000


def test_the_ingest_stage_writes_the_same_staging_quarantine_and_manifest_with_both_engines(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import pandas as pd

    from headwater.config.settings import Settings
    from headwater.manifest import layout

    data = _around("".join(HOSTILE.values()))
    out = {}
    for engine in ("python", "arrow"):
        home = tmp_path / engine
        (home / "sources").mkdir(parents=True)
        (home / "sources" / "default.yaml").write_text(f"read:\n  engine: {engine}\n")
        s = Settings(home=home, landing_uri=(tmp_path / "landing").as_uri(), config_dir=home / "sources")
        ref = FileRef("2026-11-20", "x.csv")
        info = ingest(data, ref, s)
        lay = layout(s, ref.date)
        manifest = {k: v for k, v in pd.read_json(lay.manifest(ref.key), typ="series").items() if k not in ("stages", "run_id", "fingerprint")}  # timings; the config hash (engine differs)
        out[engine] = (info["rows_read"], manifest, pd.read_parquet(lay.staging(ref.key)), lay.quarantine_rows(ref.key).read_text(encoding="utf-8"))
    (rows_a, manifest_a, staged_a, quarantine_a), (rows_p, manifest_p, staged_p, quarantine_p) = out["arrow"], out["python"]
    assert rows_a == rows_p and manifest_a["records"] == manifest_p["records"] == rows_a + sum(manifest_a["structural"].values())
    assert manifest_a["quarantined"] > 0 and manifest_a["structural"] == manifest_p["structural"]
    assert manifest_a.keys() == manifest_p.keys()
    assert {k: str(v) for k, v in manifest_a.items() if str(v) != str(manifest_p[k])} == {}
    assert staged_a.equals(staged_p) and quarantine_a == quarantine_p


@pytest.mark.parametrize("block", [4093, 1 << 20])
def test_a_utf8_file_past_the_sample_reads_the_same_from_the_bytes_as_read(block, monkeypatch, arrow_lines) -> None:  # type: ignore[no-untyped-def]
    """Past the sample Arrow parses the bytes text_chunks read (no re-encoding): characters of 2-4 bytes cut across blocks,
    hostile regions among them, and each block's bytes are its text's UTF-8."""
    monkeypatch.setattr(streams, "READ_BLOCK", block)
    utf8 = bulk.LineBlocks._utf8
    checked = {"raw": 0}

    def spied(self, chunk):  # type: ignore[no-untyped-def]
        data, ok = utf8(self, chunk)
        assert data == chunk.encode("utf-8") and ok
        checked["raw"] += self._raw[0] is chunk
        return data, ok

    monkeypatch.setattr(bulk.LineBlocks, "_utf8", spied)
    plain = "".join(f'{i},"Zürich — {i}, 😀",日本{i}\n' for i in range(2500))  # about 80 KB: more than the 64 KiB sample
    regions = 'q1,"two\nlines",z\ng1,only\n\u00e9,"a ""b""",c\r\n'
    parsed = _both(("id,name,note\n" + plain + regions + plain).encode("utf-8"))
    assert len(parsed.records) == 5002 and parsed.records[2500] == ["q1", "two\nlines", "z"] and parsed.records[2501] == ["é", 'a "b"', "c"]
    assert parsed.records[-1] == ["2499", "Zürich — 2499, 😀", "日本2499"] and parsed.lines[-1] == 5005
    assert [(i.line, i.reason) for i in parsed.issues] == [(2504, "x.csv line 2504: 2 fields, header has 3 — row quarantined")]
    assert checked["raw"] >= 1 and arrow_lines["lines"] >= 4000


def _plain_reference(line: bytes, width: int, quote: int, delim: int, max_chars: int) -> bool:
    """Whether one line (its line end kept) is plain, by the rules of bulk's docstring, one byte at a time."""
    if len(line) > max_chars or line.startswith(b"\xef\xbb\xbf") or not line.endswith(b"\n"):
        return False  # a last line with no \n: the careful reader decides (csv_file's no_line_terminator)
    body = line[:-1]
    if body.endswith(b"\r"):
        body = body[:-1]  # the \r of \r\n
    if b"\r" in body:
        return False
    if body and not body.replace(bytes([delim]), b""):
        return False  # delimiters only: no value, a blank line for the careful reader (struct6)
    fields, i, n = 1, 0, len(body)
    while i <= n:  # at the start of a field
        if i < n and body[i] == quote:
            i += 1
            while True:  # inside quotes: a doubled quote is a quote; a single one closes the field
                j = body.find(bytes([quote]), i)
                if j < 0:
                    return False
                if j + 1 < n and body[j + 1] == quote:
                    i = j + 2
                    continue
                i = j + 1
                break
            if i < n and body[i] != delim:
                return False  # text after a closing quote
        else:
            j = body.find(bytes([delim]), i)
            end = n if j < 0 else j
            if quote in body[i:end]:
                return False
            i = end
        if i >= n:
            break
        fields, i = fields + 1, i + 1
        if i == n:
            break  # the line ends with a delimiter: an empty last field
    return fields == width


def _spellings(firsts: set[str], quote: str, delim: str) -> list[bytes]:
    """How a plain line can start when its first value is one of ``firsts``: quoted (quotes doubled) or, when it can be, bare."""
    out = []
    for f in firsts:
        out.append((quote + f.replace(quote, quote * 2) + quote + delim).encode())
        if not any(c in f for c in (quote, delim, "\r", "\n")):
            out.append((f + delim).encode())
    return out


@pytest.mark.parametrize("with_firsts", [False, True])
def test_plain_lines_are_those_of_a_byte_by_byte_reference_on_random_blocks(with_firsts: bool) -> None:
    """Random blocks of quotes, delimiters, \n, \r (bare and in \r\n), BOMs: plain exactly when the reference says so;
    with header first names (set_firsts, of the lengths the random first fields take, quoted or not), a line starting
    with one of their spellings is never plain."""
    import random

    import numpy as np

    rng = random.Random(15)
    alphabet = ["a", "b", ",", ",", '"', '"', "\n", "\n", "\r", "\ufeff", "é", " ", ";", "'"]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 60)))
        width, quote, delim, max_chars = rng.randint(2, 4), rng.choice("\"'"), rng.choice(",;"), rng.choice([3, 10, 1000])
        firsts = {"".join(rng.choice(['a', 'b', 'é', '"', "'", ",", ";"]) for _ in range(rng.randint(0, 3))) for _ in range(4)} if with_firsts else set()
        blocks = bulk.LineBlocks(iter([text]), delim, quote, max_chars)
        blocks.width, blocks.count_fields = width, True
        if firsts:
            blocks.set_firsts(firsts)
        assert blocks._load(1 << 20)
        nxt = blocks._classify()
        data, starts = blocks._data, blocks._starts
        lines = [data[a:b] for a, b in zip(starts[:-1], starts[1:])]
        spelled = _spellings(firsts, quote, delim)
        want = [_plain_reference(line, width, ord(quote), ord(delim), max_chars) and not line.startswith(tuple(spelled)) for line in lines]
        got = list(nxt[:-1] != np.arange(len(lines)))
        assert got == want, (text, width, quote, delim, max_chars, firsts)


@pytest.mark.parametrize(
    ("header", "again"),
    [
        ('"a,""b""",name,note\n', '"a,""b""",name,note\n'),  # a first name holding the delimiter and a quote: quoted only
        ("id,name,note\n", '"id",name,note\n'),  # met again quoted
        ("id,name,note\n", "Id,name,note\n"),  # met again capitalized (a case variant of the first name)
        ("id,name,note\n", "ID,x,y\n"),  # only the first name: a record, kept by the careful reader
        ("year,name,note\n", "Year,name,note\n"),  # first values as long as the first name (2013 / year): compared byte by byte
        ("year,name,note\n", "YEAR,x,y\n"),  # the same length, only the first name: a record
    ],
)
def test_a_header_met_again_mid_run_is_the_careful_readers_whatever_its_spelling(header, again, arrow_lines) -> None:  # type: ignore[no-untyped-def]
    plain = "".join(f'{2000 + i},"Ana, {i}",x{i}\n' for i in range(40)) if header.startswith("year") else PLAIN
    parsed = _both((header + plain + again + plain).encode())
    repeated = parsed.structure.counts.get("repeated_header", 0)
    assert (repeated, len(parsed.records)) == ((0, 81) if ",x," in again else (1, 80))
    assert parsed.structure.lines.get("repeated_header", [42])[0] == 42 and arrow_lines["lines"] == 80


@pytest.mark.parametrize("region", ["g1,only\n", "g2,a,b,c\n", 'q1,"two\nlines",z\n'])
def test_a_run_arrow_does_not_read_as_one_record_per_line_goes_to_the_careful_reader(region, monkeypatch, arrow_lines) -> None:  # type: ignore[no-untyped-def]
    """Should the classification ever call a ragged row or a quoted newline plain, Arrow's own parse refuses the run
    (ArrowInvalid, or another number of rows than lines) and the careful reader reads it, the same. (Not a blank line:
    Arrow reads one as a row of empty values, so only the classification keeps it out: it has one field.)"""
    classify = bulk.LineBlocks._classify

    def all_plain(self):  # type: ignore[no-untyped-def]
        import numpy as np

        real = classify(self)
        n = self._n
        return np.append(np.where(np.arange(n) == n - 1, real[n - 1], n), n) if n else real  # every line but a cut last one

    monkeypatch.setattr(bulk.LineBlocks, "_classify", all_plain)
    parsed = _both(_around(region))
    assert len(parsed.records) + len(parsed.issues) + parsed.structure.counts.get("blank", 0) >= 80
    assert arrow_lines["lines"] < 80 + region.count("\n")  # the run holding the region was not Arrow's


def _arrow_refuses(line: bytes, width: int, quote: str, delim: str) -> bool:
    """Whether pyarrow.csv.read_csv, as bulk.LineBlocks.take calls it, refuses ``line`` alone (raises, or reads another number of rows)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    names = [f"c{i}" for i in range(width)]
    try:
        table = pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(line)),
            read_options=pacsv.ReadOptions(column_names=names),
            parse_options=pacsv.ParseOptions(delimiter=delim, quote_char=quote, double_quote=True, escape_char=False,
                                             newlines_in_values=False, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string())),
        )
    except (pa.ArrowInvalid, ValueError):
        return True
    return table.num_rows != 1


@pytest.mark.parametrize("with_firsts", [False, True])
def test_without_the_field_count_a_line_is_plain_or_arrow_refuses_it_on_random_blocks(with_firsts: bool) -> None:
    """The classification without its field count (LineBlocks.count_fields False, until Arrow first refuses a run) calls
    plain every line the full one does, and each line it adds (another number of fields) is one Arrow's parse refuses."""
    import random

    import numpy as np

    rng = random.Random(16)
    alphabet = ["a", "b", ",", ",", '"', '"', "\n", "\n", "\r", "\ufeff", "é", " ", ";", "'"]
    added = 0
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 60)))
        width, quote, delim, max_chars = rng.randint(2, 4), rng.choice("\"'"), rng.choice(",;"), rng.choice([3, 10, 1000])
        firsts = {"".join(rng.choice(['a', 'b', 'é', '"', "'", ",", ";"]) for _ in range(rng.randint(0, 3))) for _ in range(4)} if with_firsts else set()
        got = {}
        for count in (True, False):
            blocks = bulk.LineBlocks(iter([text]), delim, quote, max_chars)
            blocks.width, blocks.count_fields = width, count
            if firsts:
                blocks.set_firsts(firsts)
            assert blocks._load(1 << 20)
            nxt = blocks._classify()
            got[count] = nxt[:-1] != np.arange(blocks._n)
        data, starts = blocks._data, blocks._starts
        assert not (got[True] & ~got[False]).any(), (text, width, quote, delim, max_chars, firsts)
        for i in np.flatnonzero(got[False] & ~got[True]):
            added += 1
            assert _arrow_refuses(data[starts[i] : starts[i + 1]], width, quote, delim), (text, width, quote, delim, i)
    assert added > 100  # the random lines do reach the case: ragged lines that pass every other check


@pytest.mark.parametrize("region", ["g1,only\n", "g2,a,b,c\n", "g3,a,b,c,d,e\n", ",a\n"])
def test_a_ragged_row_in_a_run_is_counted_then_arrow_reads_the_lines_around_it(region, monkeypatch, arrow_lines) -> None:  # type: ignore[no-untyped-def]
    """A ragged row inside a run the field-count-free classification calls plain: Arrow refuses the run once, the block is
    classified again with the count (and every block after it), and Arrow still reads every plain line around both rows."""
    parse, refused = bulk.LineBlocks._parse, []

    def spied(self, n):  # type: ignore[no-untyped-def]
        table = parse(self, n)
        if table is None:
            refused.append(n)
        return table

    monkeypatch.setattr(bulk.LineBlocks, "_parse", spied)
    parsed = _both(_around(region) + _around(region, header=""))  # header 1, plain 2-41, ragged 42, plain 43-122, ragged 123
    assert [(i.line, i.raw) for i in parsed.issues] == [(42, region), (123, region)]
    assert arrow_lines["lines"] == 160 and len(parsed.records) == 160
    # the first run (lines 2-163) once: the block is counted from then on; a line of at most width bytes (",a\n") is not plain
    # even without the count (too short for width fields), so Arrow never sees it
    assert refused == ([] if len(region) <= 3 else [162])


@pytest.mark.parametrize(
    ("firsts", "not_plain"),
    [
        ({"City"}, [1]),  # 'City,': only the line that starts so; 'C-1,' and 'Ci,' share one or two bytes with it
        ({"Ci"}, [2]),  # two bytes and the delimiter: the 3-byte spelling, not 'City,...' (its 3rd byte is no delimiter)
        ({""}, [4]),  # an empty first name: the delimiter alone, whatever byte follows it
        ({"é"}, [3]),  # a 2-byte character: its two bytes are the pair
        ({"C-1", "Ci"}, [0, 2]),
        ({"Cx", "Zz", '"C'}, [5]),  # quoted: '"""C",' (a first name holding a quote, quotes doubled)
    ],
)
def test_a_header_first_name_is_found_by_its_first_two_bytes_and_its_whole_spelling(firsts, not_plain) -> None:  # type: ignore[no-untyped-def]
    """set_firsts' candidates: lines starting with a spelling's first two bytes, then the whole spelling compared."""
    import numpy as np

    text = 'C-1,a\nCity,b\nCi,c\né,d\n,e\n"""C",f\nCa,g\n'
    blocks = bulk.LineBlocks(iter([text]), ",", '"', 1000)
    blocks.width = 2
    blocks.set_firsts(firsts)
    assert blocks._load(1 << 20)
    nxt = blocks._classify()
    assert [int(i) for i in np.flatnonzero(nxt[:-1] == np.arange(7))] == not_plain
