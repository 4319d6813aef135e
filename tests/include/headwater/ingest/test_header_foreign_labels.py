"""Breaker8 #11: the label words of other languages than English (table.LABEL_WORDS: ``nome``, ``marca``, ``rok``)
turned a headerless file's first record into its header: ``Nome,10,20,30`` over ``Juneau,45,52,61`` (Nome, Alaska),
``Marca,1,2,3`` over ``Benfica,7,8,9`` (a football club), ``Rok,2019,2020,2021`` over ``Anna,2018,...`` (a given name).
Each is a capitalised single word over capitalised single words, the weak-label shape, whose numbers lie outside the
values below: by the weak sign they became the header, and the first record left the table.

A label word of another language only, written like the values below it, is now a weak sign only when the file's
other words show that language (a letter only it writes, ``Forlì``, ``Bürste``, ``Pantalón``; its script, Cyrillic or
Chinese; another label word of it); else it is no evidence and the row stays a record, warned. English label words,
and a foreign one not written like the values (lower case, the plural), keep the header as before.

Inputs from /work/notes/breaker8/in/hdr3 and variants, embedded; read by parse_csv and, for the accounting, through
ingest + clean + the run report.
"""

from __future__ import annotations

import pytest

from headwater.config.settings import Settings
from headwater.ingest import table
from headwater.ingest.csv_file import parse_csv
from test_header_evidence import kept, taken
from test_table_stage import run, values


def rows(data: bytes) -> list[list[str]]:
    return [line.split(",") for line in data.decode().splitlines()]


def foreign(cell: str, languages: str, shown: str, span: str) -> str:
    """Why a first row kept as a record may be the header: its label word is one of another language, unbacked."""
    return (
        f"{cell!r} is a column word only in {languages}, but is written like the values below it ({shown}) and no other word "
        f"of the file is in {languages}, though its numbers lie outside theirs ({span})"
    )


NOME = b"Nome,10,20,30\nJuneau,45,52,61\nSitka,38,41,70\n"  # in/hdr3/a_nome_city.csv


@pytest.mark.parametrize(
    ("data", "how", "why"),
    [
        (NOME, "rise (10..30)", foreign("Nome", "Italian", "'Juneau', 'Sitka'", "38..70")),
        (b"Marca,1,2,3\nBenfica,7,8,9\nPorto,6,5,4\n", "count up (1..3)",  # in/hdr3/c_marca.csv
         foreign("Marca", "Italian or Spanish", "'Benfica', 'Porto'", "4..9")),
        (b"Rok,2019,2020,2021\nAnna,2018,2017,2016\n", "count up (2019..2021)",  # in/hdr3/f_rok_name.csv
         foreign("Rok", "Polish", "'Anna'", "2016..2018")),
        # Anno: a German given name, Italian for year
        (b"Anno,1,2,3\nBruno,7,8,9\nCarla,6,5,4\n", "count up (1..3)", foreign("Anno", "Italian", "'Bruno', 'Carla'", "4..9")),
        # Land: German for country, over English country names
        (b"Land,10,20,30\nHolland,45,52,61\nIreland,38,41,70\n", "rise (10..30)",
         foreign("Land", "German", "'Holland', 'Ireland'", "38..70")),
        # Artikel (German, Dutch, Scandinavian) over words none of which shows those languages: the former header test
        (b"Artikel,36,38,40\nStift,3,4,1\nHeft,6,2,1\n", "rise (36..40)",
         foreign("Artikel", "Dutch, German or Scandinavian", "'Stift', 'Heft'", "1..6")),
        # a German letter does not back an Italian word
        ("Nome,10,20,30\nMünchen,45,52,61\nSitka,38,41,70\n".encode(), "rise (10..30)",
         foreign("Nome", "Italian", "'München', 'Sitka'", "38..70")),
        # Russian's label over Latin names: another script
        ("Имя,1,2,3\nAnna,15,14,11\nBoris,19,19,10\n".encode(), "count up (1..3)", foreign("Имя", "Russian", "'Anna', 'Boris'", "10..19")),
    ],
)
def test_a_foreign_label_word_written_like_the_values_is_no_header_evidence(data: bytes, how: str, why: str) -> None:
    parsed = parse_csv(data, "x.csv")
    first = rows(data)[0]
    assert parsed.header == [f"column_{i}" for i in range(1, len(first) + 1)]
    assert (parsed.records, parsed.lines) == (rows(data), list(range(1, len(rows(data)) + 1)))
    assert parsed.structure.lines == {}
    assert parsed.warnings == [kept(repr(first), how, why)]


@pytest.mark.parametrize(
    ("data", "why"),
    [
        # no label word at all (Data: Italian/Portuguese for date, not in LABEL_WORDS): a record, as before
        (b"Data,1,2,3\nBruno,7,8,9\nCarla,6,5,4\n", "'Data' is written like the values below it ('Bruno', 'Carla'), though its numbers lie outside theirs (4..9)"),
        # numbers among the values: a record whatever the label says, warned as a weak label (test_header_split_labels)
        (b"Nome,1,2,3\nJuneau,5,4,1\nSitka,9,9,0\n",
         "'Nome' is a column word but is written like the values below it ('Juneau', 'Sitka') and its numbers lie among theirs (0..9)"),
    ],
)
def test_other_first_records_stay_records(data: bytes, why: str) -> None:
    parsed = parse_csv(data, "x.csv")
    assert (parsed.header[0], parsed.records, parsed.warnings) == ("column_1", rows(data), [kept(repr(rows(data)[0]), "count up (1..3)", why)])


@pytest.mark.parametrize(
    ("data", "run_"),
    [
        # the file's other words show the label's language: the weak sign counts, as before
        ("Nome,10,20,30\nRoma,45,52,61\nForlì,38,41,70\n".encode(), "rise (10..30)"),
        ("Artikel,36,38,40\nStift,3,4,1\nBürste,6,2,1\n".encode(), "rise (36..40)"),
        ("Producto,36,38,40\nCamisa,3,4,1\nPantalón,6,2,1\n".encode(), "rise (36..40)"),  # test_header_split_labels' case
        ("Marca,1,2,3\nCitroën,7,8,9\nSeat,6,5,4\n".encode(), None),  # ë: French/Dutch, not Italian or Spanish (below)
        ("Имя,1,2,3\nАнна,15,14,11\nБорис,19,19,10\n".encode(), "count up (1..3)"),  # the same script
        # another label word of the language on the row
        (b"Nome,Cliente,1,2,3\nGiulia,Acme,7,8,9\nMarco,Beta,6,5,4\n", "count up (1..3)"),
        # not written like the values: the lower case of column names, or the plural
        (b"nome,10,20,30\nJuneau,45,52,61\nSitka,38,41,70\n", "rise (10..30)"),
        (b"Marcas,1,2,3\nBenfica,7,8,9\nPorto,6,5,4\n", "count up (1..3)"),
        # English label words: unchanged (breaker8's held-up headers)
        (b"Day,10,20,30\nSmith,45,52,61\nJones,38,41,70\n", "rise (10..30)"),  # in/hdr3/d_day_surname.csv
    ],
)
def test_a_label_word_the_file_backs_keeps_the_header(data: bytes, run_: str | None) -> None:
    first, *below = rows(data)
    parsed = parse_csv(data, "x.csv")
    if run_ is None:  # Citroën backs neither Italian nor Spanish: a record, warned
        assert (parsed.header[0], parsed.records) == ("column_1", rows(data))
        assert parsed.warnings == [kept(repr(first), "count up (1..3)", foreign("Marca", "Italian or Spanish", "'Citroën', 'Seat'", "4..9"))]
        return
    assert (parsed.header, parsed.records, parsed.lines) == (first, below, list(range(2, len(below) + 2)))
    assert parsed.warnings == [taken(repr(first), run_)]


@pytest.mark.parametrize(
    ("data", "warnings"),
    [
        ("Nome,Età\nGiulia,34\nMarco,28\n".encode(), []),  # a real Italian file: the header by its votes (Età over ages)
        # every column text: the header as before, unconfirmed (its own warning, no language involved)
        ("Nome,Città\nGiulia,Roma\nMarco,Forlì\n".encode(), [
            "line 1 taken as the header without evidence: every column holds text and its names are written like the values "
            "below them (['Nome', 'Città']) — if it is a record, set read.header: none for this source (read.header: 1 confirms "
            "it and silences this warning)"]),
        (b"Product,Jan,Feb,Mar\nWidget,1,2,3\nGadget,4,5,6\n", []),  # in/hdr/n_product_months.csv
        (b"Store,2019,2020,2021\nBerlin,5,6,7\nParis,8,9,10\n", []),  # in/hdr/f_store_years.csv (years: found by its votes)
    ],
)
def test_headers_of_words_stay_headers(data: bytes, warnings: list[str]) -> None:
    first, *below = rows(data)
    parsed = parse_csv(data, "x.csv")
    assert (parsed.header, parsed.records, parsed.structure.lines) == (first, below, {"header": [1]})
    assert parsed.warnings == warnings


@pytest.mark.parametrize(
    ("cell", "languages"),
    [("Nome", {"Italian"}), ("Marca", {"Italian", "Spanish"}), ("Rok", {"Polish"}), ("Artikel", {"German", "Dutch", "Scandinavian"}),
     ("Имя", {"Russian"}), ("名称", {"Chinese"}), ("Name", set()), ("Person", set()), ("Product name", set()), ("Stift", set())],
)
def test_foreign_languages(cell: str, languages: set[str]) -> None:
    assert table._foreign_languages(cell) == languages


@pytest.mark.parametrize(
    ("texts", "languages"),
    [(["Forlì"], {"Italian"}), (["Bürste"], {"German", "French", "Dutch", "Spanish"}), (["Анна"], {"Russian"}), (["苹果"], {"Chinese"}),
     (["Cliente"], {"French", "Italian", "Spanish"}), (["Juneau", "Sitka", "10"], set()), (["Łódź"], {"Polish", "Italian", "Dutch", "Spanish"}), (["Łdź"], {"Polish"})],
)
def test_file_languages(texts: list[str], languages: set[str]) -> None:
    assert table._file_languages(texts) == languages


def test_the_label_words_are_the_union_of_the_languages() -> None:
    assert table.LABEL_WORDS == frozenset().union(*table.LABEL_WORDS_BY_LANGUAGE.values())
    assert {"nome", "marca", "rok", "name", "artikel", "имя", "名称"} <= table.LABEL_WORDS


def test_the_nome_record_is_curated_through_ingest_and_clean(settings: Settings) -> None:
    manifest, curated, entry = run(settings, "a_nome_city.csv", NOME)
    assert values(curated) == [
        {"_line": 1, "column_1": "Nome", "column_2": 10, "column_3": 20, "column_4": 30},
        {"_line": 2, "column_1": "Juneau", "column_2": 45, "column_3": 52, "column_4": 61},
        {"_line": 3, "column_1": "Sitka", "column_2": 38, "column_3": 41, "column_4": 70},
    ]
    assert (manifest["table"]["header"], manifest["table"]["header_unconfirmed"], manifest["structural"]) == ("none found", False, {})
    assert manifest["read_warnings"] == [kept("['Nome', '10', '20', '30']", "rise (10..30)", foreign("Nome", "Italian", "'Juneau', 'Sitka'", "38..70"))]
    assert (entry["records"], entry["curated"], entry["structural_lines"]) == (3, 3, 0)
