"""A total label in a name column beside a filled first name is a surname, not a label (nd11; breaker8 #1, ``Sum``).

breaker8 #1 (in/sum): ``first,last,amount`` / ``Anna,Rossi,10`` / ``Marco,Bianchi,20`` / ``Lucia,Sum,30``: Lucia Sum, whose
amount happens to equal the two rows above, was quarantined as a summary row (``Sum`` is a total word; the ordinary words
``Summa``, ``Razem``, ... were taken out of the list by sum9, but ``Sum`` stays a label). A total row leaves the other text
cells empty (``,Sum,30``) or, in a table of groups, repeats the group's key the row above holds (``Sales,Total,30``); a
first name beside it that the row above does not hold says the label is a name. Now such a row is a record, with a
``possible_summary_row`` warning. Invented variants: the name columns the other way round (``last,first``), two sums
(``qty`` and ``amount``), a city beside the name, the row the first of its batch (the row above in the batch before);
kept quarantined: ``,Sum,30``, ``Sum,,30``, in/sum/i_sum_surname.csv as it is (``name,qty,amount`` / ``Sum,3,30``: no other
text), a group key repeated (``Sales,Total,30``, ``Total,Fruit,30``), and a label outside a name column beside a note.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_summary_rows import _clean
from test_summary_rows_trailers import _run

PEOPLE = [["Anna", "Rossi", "10"], ["Marco", "Bianchi", "20"]]
SUM = "summary row 'Sum': amount=30 equal the column sums over the 2 rows above it"


@pytest.mark.parametrize(
    ("columns", "rows"),
    [(["first", "last", "amount"], [*PEOPLE, ["Lucia", "Sum", "30"]]),  # breaker8 #1
     (["last", "first", "amount"], [["Rossi", "Anna", "10"], ["Bianchi", "Marco", "20"], ["Sum", "Lucia", "30"]]),
     (["first_name", "last_name", "qty", "amount"], [["Anna", "Rossi", "1", "10"], ["Marco", "Bianchi", "2", "20"], ["Lucia", "Sum", "3", "30"]]),
     (["first", "last", "amount"], [*PEOPLE, ["Lucia", "Total", "30"]]),
     (["name", "city", "amount"], [["Anna", "Rome", "10"], ["Marco", "Milan", "20"], ["Sum", "Paris", "30"]]),
     (["surname", "given", "amount"], [["Rossi", "Anna", "10"], ["Bianchi", "Marco", "20"], ["SUM", "Lucia", "30"]])],
)
def test_a_label_beside_a_name_is_a_record(columns: list[str], rows: list[list[str]]) -> None:
    curated, quarantined = _clean(columns, rows)
    assert quarantined == []
    assert [r[:2] for r in curated] == [r[:2] for r in rows]


@pytest.mark.parametrize(
    ("columns", "rows", "reason"),
    [(["first", "last", "amount"], [*PEOPLE, [None, "Sum", "30"]], SUM),  # a total row: the first name empty
     (["first", "last", "amount"], [*PEOPLE, ["Sum", None, "30"]], SUM),
     (["first", "last", "amount"], [*PEOPLE, ["  ", "Sum", "30"]], SUM),  # blank
     (["name", "qty", "amount"], [["Eddie", "1", "10"], ["Alan", "2", "20"], ["Sum", "3", "30"]],  # in/sum/i_sum_surname.csv
      "summary row 'Sum': qty=3, amount=30 equal the column sums over the 2 rows above it"),
     (["department", "name", "salary"], [["Sales", "Ann", "10"], ["Sales", "Bob", "20"], ["Sales", "Total", "30"]],  # a group key
      "summary row 'Total': salary=30 equal the column sums over the 2 rows above it"),
     (["product_name", "category", "amount"], [["Apples", "Fruit", "10"], ["Pears", "Fruit", "20"], ["Total", "Fruit", "30"]],
      "summary row 'Total': amount=30 equal the column sums over the 2 rows above it"),
     (["region", "note", "amount"], [["North", "a", "10"], ["South", "b", "20"], ["Sum", "all regions", "30"]], SUM)],  # no name column
)
def test_a_total_row_stays_a_summary_row(columns: list[str], rows: list[list[str | None]], reason: str) -> None:
    curated, quarantined = _clean(columns, rows)
    assert quarantined == [(4, f"line 4: {reason} — kept in quarantine, not curated as a record")]
    assert len(curated) == 2


@pytest.mark.parametrize("batch_rows", [1, 2, 50_000])
def test_the_surname_row_is_warned_and_curated_whatever_the_batches(tmp_path: Path, batch_rows: int) -> None:
    text = "first,last,amount\nAnna,Rossi,10\nMarco,Bianchi,20\nLucia,Sum,30\n"
    curated, quarantined, warnings, counts = _run(tmp_path, text, batch_rows)
    assert curated == [{"first": "Anna", "last": "Rossi", "amount": 10}, {"first": "Marco", "last": "Bianchi", "amount": 20},
                       {"first": "Lucia", "last": "Sum", "amount": 30}]
    assert quarantined == []
    assert [w for w in warnings if "possible_summary_row" in w] == [
        f"possible_summary_row: line 4: {SUM}, but its 'last' is a name column and 'first' holds 'Lucia' beside it, which a "
        "total row leaves empty — kept as a record"]
    assert counts == {"records": 4, "rows_read": 3, "curated": 3, "quarantined": 0}  # records: the header line too


@pytest.mark.parametrize("batch_rows", [1, 2, 50_000])
def test_a_group_key_repeated_from_the_batch_before_is_no_name(tmp_path: Path, batch_rows: int) -> None:
    text = "department,name,salary\nSales,Ann,10\nSales,Bob,20\nSales,Total,30\n"
    curated, quarantined, warnings, counts = _run(tmp_path, text, batch_rows)
    assert [r["name"] for r in curated] == ["Ann", "Bob"]
    assert quarantined == [(4, "line 4: summary row 'Total': salary=30 equal the column sums over the 2 rows above it — kept in "
                                "quarantine, not curated as a record")]
    assert not [w for w in warnings if "possible_summary_row" in w]
