"""Breaker7 #13 and #17: a first row of rising numbers whose label reads as a column name only by a weak sign stays a
record when its numbers lie among the values below (the split rule: kept, warned).

#17: ``Day,1,2,3`` over ``Night,5,4,1`` / ``Swing,2,2,0`` (shifts), ``Sample`` over ``Control``, ``Member`` over
``Guest`` were taken as the header because ``day``/``sample``/``member`` are in LABEL_WORDS, although the label is
written like the values below it and the numbers lie among theirs: the first record left the table. A column word
written like the values is now weak evidence; against numbers among the values it is split evidence, a record,
warned. LABEL_WORDS covers the languages of the summary-row labels (German, French, Spanish, Russian...): a column
word there is evidence as the English one is (``Artikel,36,38,40`` over counts is the header) — written like the values,
only when the file's other words show that language (breaker8 #11: ``Bürste`` below; test_header_foreign_labels.py).

#13: ``widget,1,2,3`` over ``Gadget,5,4,1`` / ``Gizmo,9,9,0`` was taken as the header by its lower case alone; one
cell's case is weak evidence against numbers among the values: a record, warned.

Inputs from /work/notes/breaker7/in/ (hdr2, hdr3), embedded; read by parse_csv and, for the accounting, through
ingest + clean + the run report.
"""

from __future__ import annotations

import pytest

from headwater.config.settings import Settings
from headwater.ingest import table
from headwater.ingest.csv_file import parse_csv
from header_cases import accounted, headerless, kept, rows, taken
from test_table_stage import run, values


def word(cell: str, shown: str, span: str) -> str:
    return f"{cell!r} is a column word but is written like the values below it ({shown}) and its numbers lie among theirs ({span})"


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"Day,1,2,3\nNight,5,4,1\nSwing,2,2,0\n", word("Day", "'Night', 'Swing'", "0..5")),  # hdr3/a_shift.csv
        (b"Sample,1,2,3\nControl,5,4,1\nBlank,0,0,0\n", word("Sample", "'Control', 'Blank'", "0..5")),  # hdr3/b_sample.csv
        (b"Member,1,2,3\nGuest,5,4,1\nStaff,9,9,0\n", word("Member", "'Guest', 'Staff'", "0..9")),  # hdr3/c_member.csv
        (b"Student,1,2,3\nAnn,3,5,2\nBob,1,4,4\n", word("Student", "'Ann', 'Bob'", "1..5")),  # hdr2/a_student_among.csv
        (b"Employee,1,2,3\nAnn,5,4,1\nBob,2,0,3\n", word("Employee", "'Ann', 'Bob'", "0..5")),  # hdr/a_employee_hdr.csv
        # German nouns are all capitalised: the column word is written like the values, the numbers among them
        (b"Artikel,1,2,3\nStift,5,4,1\nHeft,9,9,0\n", word("Artikel", "'Stift', 'Heft'", "0..9")),  # hdr3/d_artikel_hdr.csv
        (b"Mitarbeiter,1,2,3,4,5\nAnna,3,4,2,5,1\nBen,2,2,3,1,4\n", word("Mitarbeiter", "'Anna', 'Ben'", "1..5")),
        (b"Semaine,1,2,3\nLundi,5,4,1\nMardi,9,9,0\n", word("Semaine", "'Lundi', 'Mardi'", "0..9")),  # French
        (b"DAY,1,2,3\nNIGHT,5,4,1\nSWING,2,2,0\n", word("DAY", "'NIGHT', 'SWING'", "0..5")),  # in capitals
        # #13: a name by its case alone
        (b"widget,1,2,3\nGadget,5,4,1\nGizmo,9,9,0\n",  # hdr2/d_lower.csv
         "'widget' differs from the values below it ('Gadget', 'Gizmo') only in its letter case and its numbers lie among theirs (0..9)"),
        (b"WIDGET,1,2,3\nGadget,5,4,1\nGizmo,9,9,0\n",
         "'WIDGET' differs from the values below it ('Gadget', 'Gizmo') only in its letter case and its numbers lie among theirs (0..9)"),
        (b"widget,10,20,30\nGadget,50,40,10\nGizmo,90,90,0\n",  # numbers that rise by other steps, among the values
         "'widget' differs from the values below it ('Gadget', 'Gizmo') only in its letter case and its numbers lie among theirs (0..90)"),
    ],
)
def test_a_weak_label_over_numbers_among_the_values_is_a_record(data: bytes, why: str) -> None:
    parsed = parse_csv(data, "x.csv")
    first = rows(data)[0]
    nums = [c for c in first if c.isdigit()]
    how = f"count up ({nums[0]}..{nums[-1]})" if int(nums[1]) == int(nums[0]) + 1 else f"rise ({nums[0]}..{nums[-1]})"
    assert parsed.header == [f"column_{i}" for i in range(1, len(first) + 1)]
    assert (parsed.records, parsed.lines) == (rows(data), list(range(1, len(rows(data)) + 1)))
    assert parsed.warnings == [kept(repr(first), how, why)]


@pytest.mark.parametrize(
    ("data", "run_"),
    [
        # the weak sign with numbers outside the values below: the header, as before
        # (a word of another language needs the file's other words to show it, breaker8 #11: ``Bürste``, not ``Heft``,
        # which stays a record, test_header_foreign_labels.py)
        ("Artikel,36,38,40\nStift,3,4,1\nBürste,6,2,1\n".encode(), "rise (36..40)"),
        (b"Producto,36,38,40\nCamisa,3,4,1\nPantal\xc3\xb3n,6,2,1\n", "rise (36..40)"),
        (b"widget,1,2,3\nGadget,15,14,11\nGizmo,19,19,10\n", "count up (1..3)"),
        # a column word not written like the values: the header whatever the numbers
        (b"name,1,2,3\nAnn,5,4,1\nBob,9,9,0\n", "count up (1..3) and its label 'name' is a column word, though they lie among the values below (0..9)"),
        (b"nom,1,2,3\nAnne,5,4,1\nBruno,9,9,0\n", "count up (1..3) and its label 'nom' is a column word, though they lie among the values below (0..9)"),  # French, lower case over capitalised names
        ("Имя,1,2,3\nанна,5,4,1\nборис,9,9,0\n".encode(), "count up (1..3) and its label 'Имя' is a column word, though they lie among the values below (0..9)"),  # Russian, capitalised over lower case
        ("名称,1,2,3\n苹果,5,4,1\n香蕉,9,9,0\n".encode(), "count up (1..3) and its label '名称' is a column word, though they lie among the values below (0..9)"),  # Chinese: no letter case to share
        # in the plural (the rows as a set), or in more words than the values
        (b"Days,1,2,3\nNight,5,4,1\nSwing,2,2,0\n", "count up (1..3) and its label 'Days' is a column word, though they lie among the values below (0..5)"),  # hdr3/f_products.csv's pattern
        (b"Products,1,2,3\nWidget,5,4,1\nGizmo,9,9,0\n", "count up (1..3) and its label 'Products' is a column word, though they lie among the values below (0..9)"),
        (b"Product Name,1,2,3\nGadget,5,4,1\nGizmo,9,9,0\n", "count up (1..3) and its label 'Product Name' is a column word, though they lie among the values below (0..9)"),
        # not in as many words as each value: question texts under 'Question' (breaker7 in/hdr/j_likert_counts.csv)
        (b"Question,1,2,3,4,5\nEase of use,3,10,20,5,1\nPrice,1,2,30,10,4\n", "count up (1..5) and its label 'Question' is a column word, though they lie among the values below (1..30)"),
        # in lower case, the style schemas write column names in, over lower-case values
        (b"1;2;3;team\n4;0;7;red\n2;9;1;blue\n", "count up (1..3) and its label 'team' is a column word, though they lie among the values below (0..9)"),
        # an underscore is no weak sign
        (b"first_name,1,2,3\nAnn,5,4,1\nBob,9,9,0\n", "count up (1..3) and its label 'first_name' is a column word, though they lie among the values below (0..9)"),
    ],
)
def test_a_label_with_evidence_keeps_the_header(data: bytes, run_: str) -> None:
    delimiter = ";" if b";" in data else ","
    first, *below = rows(data, delimiter)
    parsed = parse_csv(data, "x.csv")
    assert (parsed.header, parsed.records, parsed.lines) == (first, below, list(range(2, len(below) + 2)))
    assert parsed.warnings == [taken(repr(first), run_)]


@pytest.mark.parametrize(
    ("cell", "word_"),
    [("Artikel", True), ("Mitarbeiter", True), ("Größe", True), ("nom", True), ("Semaine", True), ("Producto", True),
     ("Имя", True), ("名称", True), ("Artikelnummer", True), ("Prénom", True), ("Stift", False), ("Nacht", False),
     ("Lundi", False), ("sensor-A", False)],
)
def test_label_word_in_other_languages(cell: str, word_: bool) -> None:
    assert table.label_word(cell) is word_


def test_the_shift_record_is_curated_through_ingest_and_clean(settings: Settings) -> None:
    data = b"Day,1,2,3\nNight,5,4,1\nSwing,2,2,0\n"
    manifest, curated, entry = run(settings, "a_shift.csv", data)
    assert values(curated) == [headerless(1, "Day", 1, 2, 3), headerless(2, "Night", 5, 4, 1), headerless(3, "Swing", 2, 2, 0)]
    assert (manifest["table"]["header"], manifest["table"]["header_unconfirmed"], manifest["structural"]) == ("none found", False, {})
    assert manifest["read_warnings"] == [kept("['Day', '1', '2', '3']", "count up (1..3)", word("Day", "'Night', 'Swing'", "0..5"))]
    assert accounted(entry) == (3, 3, 0)
