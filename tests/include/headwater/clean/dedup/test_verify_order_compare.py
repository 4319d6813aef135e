"""Near-duplicate text: swapped numbers, emoji or weekdays and a changed comparison sign are two records (breaker8 #5, #13; nd10).

breaker8 #13: in/nd3/a.csv ``… potassium level > 5.0``/``… < 5.0`` (Jaccard 0.87) and ``glucose level ≥ 7.0``/``≤ 7.0`` were
merged: ``_NUMBER`` read ``5.0`` on both sides. A comparison sign right before a number (``<``, ``>``, ``≤``, ``≥``, ``=``, ``≠``,
``~``, ``≈``, and ``<=``, ``>=``, ``!=`` read as ``≤``, ``≥``, ``≠``) is now part of the number: a changed, added or removed sign
vetoes (``number``). Invented variants: ``<=``/``>=``, ``=``/``≠``, a sign on one side only, ``<=``/``≤`` (one sign: merged).

breaker8 #5: in/nd/a.csv and in/nd2/a.csv texts that swap two numbers (``2 weeks late, not 3``/``3 … not 2``, ``Lions 3 Tigers 1``/
``Lions 1 Tigers 3``, ``from -18 to -20``/``from -20 to -18``, ``1,000 EUR … 5,000 EUR`` swapped), two emoji (``👍 … 👎``/``👎 … 👍``,
flags ``🇩🇪 … 🇫🇷`` swapped) or two weekdays (``from Monday to Tuesday``/``from Tuesday to Monday``) were merged: the number and
emoji vetoes compared multisets. Now the tokens both texts share must read in one order in both (``_reordered``). Invented
variants: three numbers rotated, emoji swapped at the end of a text (in/ndgen), the same numbers in the same order with a typo
elsewhere (merged), a number only added (merged, as before), a repeated emoji (merged, as before).
"""

from __future__ import annotations

import pytest
from test_verify import _clean, _dups, _vetoes

from headwater.clean.dedup.verify import REASONS, _reordered, difference, tokens_of

TEXT = {"schema": {"columns": {"id": {"type": "integer"}, "body": {"type": "text"}}}}  # in/nd3/config/t.yaml
LAB = "Lab result for the patient in ward seven came back this morning: potassium level {}"
LATE = "Both versions of the customer complaint about the delayed kitchen renovation said it was {}"
CHAIR = "Pros and cons of the new office chair after two weeks of daily use: lumbar support {}"


@pytest.mark.parametrize(
    ("a", "b", "reason"),
    [(LAB.format("> 5.0"), LAB.format("< 5.0"), "number"),  # breaker8 #13, in/nd3 lines 6-7
     ("Lab result for the patient in ward nine came back this morning: glucose level \u2265 7.0",
      "Lab result for the patient in ward nine came back this morning: glucose level \u2264 7.0", "number"),  # lines 8-9
     (LAB.format("<= 5.0"), LAB.format(">= 5.0"), "number"),
     (LAB.format("= 5.0"), LAB.format("\u2260 5.0"), "number"),
     (LAB.format("!= 5.0"), LAB.format("= 5.0"), "number"),
     (LAB.format("~ 5.0"), LAB.format("> 5.0"), "number"),
     (LAB.format("\u2248 5.0"), LAB.format("5.0"), "number"),
     (LAB.format("> 5.0"), LAB.format("5.0"), "number"),  # a sign on one side only
     (LAB.format("5.0"), LAB.format("< 5.0"), "number"),
     (LAB.format("> -5"), LAB.format("< -5"), "number"),  # with a minus
     ("Refund if the total is > $100", "Refund if the total is < $100", "number"),  # with a currency
     (LAB.format("<= 5.0"), LAB.format("\u2264 5.0"), None),  # one sign written two ways
     (LAB.format(">= 5.0"), LAB.format("\u2265 5.0"), None),
     (LAB.format("!= 5.0"), LAB.format("\u2260 5.0"), None),
     (LAB.format("> 5.0"), LAB.format(">5.0"), None),  # a space after the sign
     (LAB.format("> +5"), LAB.format("> 5"), None),  # a leading + is no difference after a sign either
     (LAB.format("> 5.0"), "lab result for the patient in ward seven came back this morning - potassium level > 5.0!", None)],
)
def test_comparison_sign_veto(a: str, b: str, reason: str | None) -> None:
    assert difference(tokens_of(a), tokens_of(b), REASONS) == reason
    assert difference(tokens_of(b), tokens_of(a), REASONS) == reason


def test_comparison_sign_tokens() -> None:
    assert tokens_of("K > 5.0, Na <= 135, pH \u2248 7.4, x != 2, y = -3, z ~ 10").number_order == (
        ">5.0", "\u2264135", "\u22487.4", "\u22602", "=-3", "~10")
    assert tokens_of("from 1,000 to 5,000 EUR").number_order == ("1000", "5000")


@pytest.mark.parametrize(
    ("a", "b", "reason"),
    [(LATE.format("2 weeks late, not 3"), LATE.format("3 weeks late, not 2"), "number"),  # breaker8 #5, in/nd2 lines 10-11
     ("Final score of the tournament at the city stadium: Lions 3 Tigers 1",
      "Final score of the tournament at the city stadium: Lions 1 Tigers 3", "number"),  # in/nd lines 10-11
     ("Freezer setting was changed by maintenance from -18 to -20 degrees",
      "Freezer setting was changed by maintenance from -20 to -18 degrees", "number"),  # in/nd lines 12-13
     ("Transfer approved for the supplier payment: 1,000 EUR from account A to 5,000 EUR limit",
      "Transfer approved for the supplier payment: 5,000 EUR from account A to 1,000 EUR limit", "number"),  # in/nd2 6-7
     ("Scores by round: 1 then 2 then 3 points", "Scores by round: 2 then 3 then 1 points", "number"),  # three numbers rotated
     ("Blood groups on file: A+ then B-", "Blood groups on file: B- then A+", "number"),  # signed codes swapped
     (LATE.format("2 weeks late, not 3"), LATE.format("2 weeks late, not 3") + ", call 555-0100", None),  # a number added
     (LATE.format("2 weeks late, not 3"), "Both versions of the custmer complaint about the delayed kitchen renovation said "
      "it was 2 weeks late, not 3.", None),  # a typo elsewhere, the numbers in order
     ("Order 12 shipped, order 12 invoiced, order 7 open", "Order 12 shipped, order 7 open", None)],  # a repeat left out
)
def test_swapped_numbers_veto(a: str, b: str, reason: str | None) -> None:
    assert difference(tokens_of(a), tokens_of(b), REASONS) == reason
    assert difference(tokens_of(b), tokens_of(a), REASONS) == reason


@pytest.mark.parametrize(
    ("a", "b", "reason"),
    [(CHAIR.format("\U0001f44d armrests \U0001f44e"), CHAIR.format("\U0001f44e armrests \U0001f44d"), "emoji"),  # in/nd2 2-3
     ("Flight for the conference departs from \U0001f1e9\U0001f1ea and lands in \U0001f1eb\U0001f1f7",
      "Flight for the conference departs from \U0001f1eb\U0001f1f7 and lands in \U0001f1e9\U0001f1ea", "emoji"),  # in/nd2 8-9
     ("Quarterly late the parcel arrived leaking printer delivery water. \U0001f1e9\U0001f1ea \U0001f44e",
      "Quarterly late the parcel arrived leaking printer delivery water. \U0001f44e \U0001f1e9\U0001f1ea", "emoji"),  # in/ndgen 4, 85
     ("Ranking of the desserts: \U0001f370 \U0001f366 \U0001f369", "Ranking of the desserts: \U0001f369 \U0001f370 \U0001f366", "emoji"),
     (CHAIR.format("\U0001f44d armrests \U0001f44e"), CHAIR.format("\U0001f44d\U0001f44d armrests \U0001f44e"), None),  # repeated
     ("Thanks \U0001f64f for the help \U0001f64f", "Thanks \U0001f64f for the help", None),
     (CHAIR.format("\U0001f44d armrests \U0001f44e"), CHAIR.format("\U0001f44d\ufe0f armrests \U0001f44e") + "!", None)],
)
def test_swapped_emoji_veto(a: str, b: str, reason: str | None) -> None:
    assert difference(tokens_of(a), tokens_of(b), REASONS) == reason
    assert difference(tokens_of(b), tokens_of(a), REASONS) == reason


@pytest.mark.parametrize(
    ("a", "b", "reason"),
    [("Please move the meeting with the external auditors from Monday to Tuesday",
      "Please move the meeting with the external auditors from Tuesday to Monday", "word_order"),  # in/nd2 lines 12-13
     ("The shift rota for the warehouse team: Friday early, Sunday late, Monday off",
      "The shift rota for the warehouse team: Monday early, Friday late, Sunday off", "word_order"),
     ("Please move the meeting with the external auditors from Monday to Tuesday",
      "please move the meeting with the external auditers from monday to tuesday.", None)],  # case and a typo
)
def test_swapped_weekdays_veto(a: str, b: str, reason: str | None) -> None:
    assert difference(tokens_of(a), tokens_of(b), REASONS) == reason
    assert difference(tokens_of(b), tokens_of(a), REASONS) == reason


@pytest.mark.parametrize(
    ("x", "y", "expected"),
    [(("2", "3"), ("3", "2"), True), (("1", "2", "3"), ("2", "3", "1"), True), (("1", "2"), ("1", "2"), False),
     (("1", "2"), ("1", "9", "2"), False), (("1", "2", "1"), ("1", "2"), False), (("1", "2", "1"), ("2", "1"), False),
     (("1",), ("1", "1"), False), ((), ("1",), False), (("a", "b", "c", "d"), ("a", "c", "b", "d"), True)],
)
def test_reordered(x: tuple[str, ...], y: tuple[str, ...], expected: bool) -> None:
    assert _reordered(x, y) is expected
    assert _reordered(y, x) is expected


def test_the_clean_stage_keeps_breaker8_nd3_signs_apart() -> None:
    """in/nd3/a.csv lines 6-9 with in/nd3/config/t.yaml: before, lines 7 and 9 were near_text duplicates of 6 and 8."""
    rows = [["5", LAB.format("> 5.0")], ["6", LAB.format("< 5.0")],
            ["7", "Lab result for the patient in ward nine came back this morning: glucose level \u2265 7.0"],
            ["8", "Lab result for the patient in ward nine came back this morning: glucose level \u2264 7.0"],
            ["9", LAB.format("<= 5.0")], ["10", LAB.format("\u2264 5.0")]]  # one sign written two ways: merged
    result = _clean(["id", "body"], rows, TEXT)
    assert _dups(result) == [(7, "near_text")]
    assert result.curated["id"].tolist() == [5, 6, 7, 8, 9]


def test_the_clean_stage_keeps_breaker8_swaps_apart() -> None:
    """in/nd2/a.csv's swapped pairs (and in/nd's): before, the second of each pair was a near_text duplicate of the first."""
    texts = [LATE.format("2 weeks late, not 3"), LATE.format("3 weeks late, not 2"),
             CHAIR.format("\U0001f44d armrests \U0001f44e"), CHAIR.format("\U0001f44e armrests \U0001f44d"),
             "Transfer approved by the finance department for the supplier payment: 1,000 EUR from account A to 5,000 EUR limit",
             "Transfer approved by the finance department for the supplier payment: 5,000 EUR from account A to 1,000 EUR limit",
             "Flight itinerary for the sales conference next month departs from \U0001f1e9\U0001f1ea and lands in \U0001f1eb\U0001f1f7",
             "Flight itinerary for the sales conference next month departs from \U0001f1eb\U0001f1f7 and lands in \U0001f1e9\U0001f1ea",
             "Please move the meeting with the external auditors from Monday to Tuesday",
             "Please move the meeting with the external auditors from Tuesday to Monday",
             "Final score of the regional youth football tournament held at the city stadium: Lions 3 Tigers 1",
             "Final score of the regional youth football tournament held at the city stadium: Lions 1 Tigers 3",
             "Temperature setting of the warehouse freezer unit was changed by maintenance from -18 to -20 degrees",
             "Temperature setting of the warehouse freezer unit was changed by maintenance from -20 to -18 degrees",
             # a real near copy (a typo, the numbers in the same order): still merged
             "Temperature setting of the warehouse freezer unit was changed by maintenence from -18 to -20 degrees"]
    result = _clean(["id", "body"], [[str(k), t] for k, t in enumerate(texts, 1)], TEXT)
    assert _dups(result) == [(16, "near_text")] and len(result.curated) == 14
    vetoes = _vetoes(result)
    assert (vetoes["vetoed_number"], vetoes["vetoed_emoji"], vetoes["vetoed_word_order"]) == (4, 2, 1)
