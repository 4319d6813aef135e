"""Write the malformed-file suite (deterministic): ``python tests/include/headwater/malformed/make_files.py``.

Each file is a small hand-made case of something that goes wrong in real CSV drops.
Expected counts and reasons live in test_malformed_files.py; change both together.
"""

from __future__ import annotations

import codecs
import gzip
import io
import zipfile
from pathlib import Path

FILES_DIR = Path(__file__).resolve().parent / "files"


def _zip(*members: tuple[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in members or (("sheet.csv", "a,b\n1,2\n"),):
            zf.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), text)
    return buf.getvalue()


FILES: dict[str, bytes] = {
    # -- line endings and layout
    "crlf.csv": b"id,name\r\n1,Ann\r\n2,Bob\r\n",
    "bare_cr.csv": b"id,name\r1,Ann\r2,Bob\r2,Bob\r",
    "mixed_line_endings.csv": b"id,name\r\n1,Ann\n2,Bob\r3,Cy\r\n",
    "no_final_newline.csv": b"id,name\n1,Ann\n2,Bob",
    "blank_lines_between_rows.csv": b"\n\nid,name\n\n1,Ann\n\n\n2,Bob\n\n",
    "multiline_quoted.csv": b'id,note\n1,"line one\nline two"\n2,"a ""quoted"" word, and a comma"\n3,plain\n',
    "trailing_delimiters.csv": b"id,name\n1,Ann,,\n2,Bob,\n",
    # -- encodings
    "utf8_bom_pipe.csv": codecs.BOM_UTF8 + "id|name\n1|Zoë\n2|Søren\n".encode(),
    "utf16_bom.csv": "id,name\r\n1,Zoë\r\n2,Ann\r\n".encode("utf-16"),
    "utf16le_no_bom.csv": "id,name\n1,Zoë\n2,Ann\n".encode("utf-16-le"),
    "utf16be_no_bom.csv": "id,name\n1,Zoë\n2,Ann\n".encode("utf-16-be"),
    "latin1_semicolon.csv": "name;city\nZoë Müller;Köln\nFrançois;Besançon\n".encode("latin-1"),
    "cp1252_euro_sign.csv": "id\tquote\n1\tCafé €5\n2\tŒuvre\n".encode("cp1252"),
    "nul_bytes.csv": b"id,name\n1,An\x00n\n2,Bob\x00\x00\n",
    # -- broken rows
    "ragged_rows.csv": b"a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n",
    "unclosed_quote.csv": b'id,name\n1,Ann\n2,"never closed\n3,Cy\n4,Di\n',
    "stray_quote.csv": b'id,name\n1,"Ann"x\n2,Bob\n',
    "huge_field.csv": b"id,blob\n1,small\n2," + b"x" * 1500 + b"\n3,small too\n",
    "all_empty_rows.csv": b"id,name\n,\n , \nNA,null\n1,Ann\n",
    "duplicates.csv": b"id,fruit\n1,apple\n1,apple\n2,zebra melon\n2,  zebra   melon \n",
    # -- headers
    "header_only.csv": b"id,name,email\n",
    "header_and_blank_lines.csv": b"id,name\n\n\n   \n",
    "duplicate_and_blank_headers.csv": b"id,Name,NAME,,\n1,a,b,c,d\n",
    "broken_header_quote.csv": b'"id,name\n1,Ann\n',
    # -- where the table is (issue 9)
    "single_column_commas.csv": b"review\nNice fit, runs large\nColour faded, sent back\n",
    "no_header.csv": b"K-17,2025-03-01,Quito,3.10\nK-18,2025-03-01,Accra,8.00\n",
    "preamble_lines.csv": b"Sales report Q1\nPeriod: 2025-01-01 to 2025-03-31\nNOTE,,,\nid,city,amount,day\n1,Quito,3.10,2025-03-01\n2,Accra,8.00,2025-03-02\n",
    "excel_sep_line.csv": b"sep=;\nid;name\n1;Ann\n2;Bob\n",
    "repeated_header.csv": b"id,amount\n1,10\n2,20\n\xef\xbb\xbfid,amount\n3,30\n",
    "bare_cr_in_field.csv": b"id,text,user\n1,hello\rworld,bob\n2,x,y\n3,z,w\n",
    # -- values (type coercion and schema validation, see config/)
    "bad_number_kept_raw.csv": b"id,amount\n" + b"".join(f"{i},{i}.5\n".encode() for i in range(1, 10)) + b"10,twelve\n",
    "strict_bad_values.csv": b"id,amount,when\n1,10,2024-01-01\n2,twelve,2024-01-02\n3,3,soon\n4,\"1,204.50\",15/02/2024\n",
    "strict_schema_violations.csv": b"id,amount,when\nA-1,10,2024-01-01\nB2,5,2024-01-02\nA-3,-4,2024-01-03\n,1,2024-01-04\n",
    # -- compressed under a plain name: read through the decompressor (or quarantined with the reason)
    "gzip_disguised.csv": gzip.compress(b"id,name\n1,Ann\n", mtime=0),
    "zip_disguised.csv": _zip(),
    "gzip_truncated.csv": gzip.compress(b"id,name\n1,Ann\n2,Bob\n", mtime=0)[:-8],  # the 8-byte trailer cut off
    "zip_two_tables.csv": _zip(("a.csv", "id\n1\n"), ("b.csv", "id\n2\n")),
    "xlsx_disguised.csv": _zip(("[Content_Types].xml", "<Types/>"), ("xl/workbook.xml", "<workbook/>")),
    # -- not CSV at all
    "empty.csv": b"",
    "blank.csv": b"\n \n\t\n",
    "pdf_disguised.csv": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
    "sqlite_disguised.csv": b"SQLite format 3\x00" + bytes(84),
    "html_error_page.csv": b"<!DOCTYPE html>\n<html><body><h1>502 Bad Gateway</h1></body></html>\n",
    "binary_garbage.csv": bytes((i * 37 + 11) % 256 for i in range(4096)),
}


def main() -> None:
    FILES_DIR.mkdir(parents=True, exist_ok=True)
    for old in FILES_DIR.iterdir():
        old.unlink()
    for name, data in FILES.items():
        (FILES_DIR / name).write_bytes(data)
    print(f"{len(FILES)} files in {FILES_DIR}")


if __name__ == "__main__":
    main()
