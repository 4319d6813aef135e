"""Near-duplicate text: a changed emoji and a one-sided street quadrant are two records (breaker7 #7, #16; nd9).

breaker7 #7: in/nd/a.csv line 11 ``Family trip 👨‍👩‍👦`` was removed as a ``near_text`` duplicate of line 10
``Family trip 👨‍👩‍👧`` (Jaccard 0.87), and in in/speed2/e_emoji_only.csv ``👨‍👩‍👦`` alone of ``👨‍👩‍👧`` (0.84): the
5-byte shingles of an 18-byte ZWJ sequence whose last person changes are mostly shared. ``👍🏽``/``👍🏿`` were kept
apart only because their 8 bytes share 3 of 5 shingles (0.6, below the threshold): now one rule, ``emoji``
(headwater.clean.dedup.verify._emoji), keeps every changed, added or removed emoji apart. Invented variants: flags,
keycaps, a profession and a gender sign in a ZWJ sequence, thumbs up/down, an emoji added to a text (vetoed: a false
merge costs more than a missed duplicate), a repeated emoji and ``❤``/``❤️`` (one emoji: merged).

breaker7 #16: in/nd3 ``100 Main Street SE``/``100 Main Street`` (t1), ``NE``/none (t2), ``1200 K Street NW``/none (t4)
merged; ``NE``/``SE`` (t3) was kept apart. Now a quadrant on one address only is another place (``quadrant``), as a
generational suffix on one name only is another person. Invented variants: ``Southeast``, ``S.E.``, a prefix quadrant
(``1200 SW 45th St``), capitals, a comma before it; ``NE``/``Northeast`` stays one address; French ``NE`` (``L'AVENUE
NE SERA PLUS``) stays a negator, not a quadrant.
"""

from __future__ import annotations

import pytest
from test_verify import _clean, _dups, _vetoes

from headwater.clean.dedup.verify import REASONS, difference, tokens_of

FAMILY_GIRL = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # man, woman, girl
FAMILY_BOY = "\U0001f468\u200d\U0001f469\u200d\U0001f466"  # man, woman, boy


@pytest.mark.parametrize(
    ("a", "b", "reason"),
    [(f"Family trip {FAMILY_GIRL}", f"Family trip {FAMILY_BOY}", "emoji"),  # breaker7 #7, in/nd/a.csv 10-11
     (FAMILY_GIRL, FAMILY_BOY, "emoji"),  # in/speed2/e_emoji_only.csv ids 5-6
     ("\U0001f44d\U0001f3fd", "\U0001f44d\U0001f3ff", "emoji"),  # skin tones (kept apart before by the threshold alone)
     ("Great service from the team \U0001f44d\U0001f3fd", "Great service from the team \U0001f44d\U0001f3ff", "emoji"),
     ("Greetings from the team in \U0001f1e9\U0001f1ea", "Greetings from the team in \U0001f1e6\U0001f1f9", "emoji"),  # DE/AT
     ("Press #\ufe0f\u20e3 to confirm the booking", "Press *\ufe0f\u20e3 to confirm the booking", "emoji"),  # keycaps
     ("Press 1\ufe0f\u20e3 to confirm the booking", "Press 2\ufe0f\u20e3 to confirm the booking", "number"),  # its digit first
     ("Nurse on call tonight \U0001f469\u200d\u2695\ufe0f", "Nurse on call tonight \U0001f468\u200d\u2695\ufe0f", "emoji"),
     ("Runner \U0001f3c3\u200d\u2640\ufe0f finished the race", "Runner \U0001f3c3\u200d\u2642\ufe0f finished the race", "emoji"),
     ("Delivery arrived on time \U0001f44d", "Delivery arrived on time \U0001f44e", "emoji"),
     ("Great service!", "Great service! \U0001f44d", "emoji"),  # added: vetoed (decided: a false merge costs more)
     ("The parcel arrived this morning", "The parcel arrived this morning \U0001f621", "emoji"),  # ... it may flip the sense
     ("Thanks for the quick help \U0001f64f", "Thanks for the quick help \U0001f64f\U0001f64f", None),  # repeated: one emoji
     ("Love the new design \u2764", "Love the new design \u2764\ufe0f", None),  # presentation selector only
     (f"Family trip {FAMILY_GIRL}", f"family trip {FAMILY_GIRL}!", None),  # case and punctuation only
     ("Family trip to the lake", "Family trip to the lake.", None)],  # no emoji at all: unchanged
)
def test_emoji_veto(a: str, b: str, reason: str | None) -> None:
    assert difference(tokens_of(a), tokens_of(b), REASONS) == reason
    assert difference(tokens_of(b), tokens_of(a), REASONS) == reason


def test_emoji_tokens_are_grapheme_clusters() -> None:
    t = tokens_of(f"Trip {FAMILY_GIRL} \U0001f1e9\U0001f1ea 1\ufe0f\u20e3 \U0001f44d\U0001f3fd \u2764\ufe0f \u2764 plain text")
    assert t.emoji == frozenset({FAMILY_GIRL, "\U0001f1e9\U0001f1ea", "1\u20e3", "\U0001f44d\U0001f3fd", "\u2764"})
    assert tokens_of("caf\u00e9 na\u00efve \u00fcber").emoji == frozenset() and tokens_of("ascii only").emoji == frozenset()


TICKET = "Our technician visited the customer at {} on Monday morning and replaced the broken water heater in the basement."


@pytest.mark.parametrize(
    ("a", "b", "reason"),
    [(TICKET.format("100 Main Street SE"), TICKET.format("100 Main Street"), "quadrant"),  # breaker7 #16, in/nd3/t1
     (TICKET.format("100 Main Street NE"), TICKET.format("100 Main Street"), "quadrant"),  # t2
     (TICKET.format("100 Main Street NE"), TICKET.format("100 Main Street SE"), "quadrant"),  # t3 (a substitution before)
     (TICKET.format("1200 K Street NW"), TICKET.format("1200 K Street"), "quadrant"),  # t4
     (TICKET.format("1200 K Street SW"), TICKET.format("1200 K Street"), "quadrant"),
     (TICKET.format("100 Main Street Southeast"), TICKET.format("100 Main Street"), "quadrant"),
     (TICKET.format("100 Main Street south-east"), TICKET.format("100 Main Street"), "quadrant"),
     (TICKET.format("100 Main St. S.E."), TICKET.format("100 Main St."), "quadrant"),
     (TICKET.format("100 MAIN STREET SE"), TICKET.format("100 MAIN STREET"), "quadrant"),
     (TICKET.format("1200 SW 45th St"), TICKET.format("1200 45th St"), "quadrant"),  # a prefix quadrant
     (TICKET.format("100 Main Street SE"), TICKET.format("100 Main Street, SE"), None),  # punctuation only
     (TICKET.format("100 Main Street NE"), TICKET.format("100 Main Street Northeast"), None),  # one quadrant, two spellings
     (TICKET.format("100 Main Street SE"), TICKET.format("100 Main Street Southeast"), "substitution"),  # a limit: SE is a word
     (TICKET.format("100 Main Street"), TICKET.format("100 Main Street"), None),
     ("LA GRANDE AVENUE SERA PLUS FERMÉE LE SOIR.", "LA GRANDE AVENUE NE SERA PLUS FERMÉE LE SOIR.", "negation")],  # French ne
)
def test_quadrant_veto(a: str, b: str, reason: str | None) -> None:
    assert difference(tokens_of(a), tokens_of(b), REASONS) == reason
    assert difference(tokens_of(b), tokens_of(a), REASONS) == reason


def test_quadrant_tokens() -> None:
    assert tokens_of("at 1200 NE 45th St and 100 Main St. S.E., then 9 Elm Road Northwest").quadrants == ("ne", "nw", "se")
    assert tokens_of("L'AVENUE NE SERA PLUS FERMÉE").quadrants == ()  # French: no quadrant
    assert tokens_of("the SE corner of the lot, north-east wing").quadrants == ()  # no street word beside it


TEXT = {"schema": {"columns": {"id": {"type": "integer"}, "comment": {"type": "text"}}}}


def test_the_clean_stage_keeps_breaker7_nd_a_csv_apart() -> None:
    """in/nd/a.csv with in/nd/config/s.yaml: every pair differs in a number, a word or (now) an emoji."""
    comments = ["The heater in room 101 is leaking water onto the floor", "The heater in room 102 is leaking water onto the floor",
                "Please call the customer back at 10:00 tomorrow morning", "Please call the customer back at 11:00 tomorrow morning",
                "Dosage changed to 10 mg twice daily after review", "Dosage changed to 100 mg twice daily after review",
                "Shipment to Berlin delayed by two days due to strike", "Shipment to Berlin delayed by ten days due to strike",
                f"Family trip {FAMILY_GIRL}", f"Family trip {FAMILY_BOY}",
                "Patient allergic to penicillin, confirmed by lab", "Patient allergic to amoxicillin, confirmed by lab",
                "Invoice INV-20240305-0001 paid in full today", "Invoice INV-20240305-0002 paid in full today"]
    result = _clean(["id", "comment"], [[str(k), c] for k, c in enumerate(comments, 1)], TEXT)
    assert _dups(result) == [] and len(result.curated) == 14  # before: line 11 a near_text duplicate of line 10
    assert _vetoes(result)["vetoed_emoji"] == 1


def test_the_clean_stage_keeps_emoji_only_notes_apart() -> None:
    """in/speed2/e_emoji_only.csv (its config: ``note: {type: text}``): only the exact copy of 🙂 is a duplicate."""
    notes = ["\U0001f642", "\U0001f642", "\U0001f44d\U0001f3fd", "\U0001f44d\U0001f3ff", FAMILY_GIRL, FAMILY_BOY]
    config = {"schema": {"columns": {"id": {"type": "integer"}, "note": {"type": "text"}}}}
    result = _clean(["id", "note"], [[str(k), n] for k, n in enumerate(notes, 1)], config)
    assert _dups(result) == [(3, "near_text")]  # before: also line 7 (👨‍👩‍👦 of 👨‍👩‍👧)
    assert result.curated["note"].tolist() == [notes[0], *notes[2:]]


def test_the_clean_stage_merges_a_repeated_emoji_and_keeps_an_added_one_apart() -> None:
    rows = [["1", "Thanks so much for the quick help with my order \U0001f64f"],
            ["2", "Thanks so much for the quick help with my order \U0001f64f\U0001f64f"],  # repeated: merged
            ["3", "The replacement parcel arrived this morning, all good"],
            ["4", "The replacement parcel arrived this morning, all good \U0001f621"]]  # added: kept
    result = _clean(["id", "comment"], rows, TEXT)
    assert _dups(result) == [(3, "near_text")] and len(result.curated) == 3
    assert _vetoes(result)["vetoed_emoji"] == 1


@pytest.mark.parametrize(
    ("first", "second"),
    [("100 Main Street SE", "100 Main Street"), ("100 Main Street NE", "100 Main Street"),  # in/nd3/t1, t2
     ("100 Main Street NE", "100 Main Street SE"), ("1200 K Street NW", "1200 K Street"),  # t3, t4
     ("1200 SW 45th St", "1200 45th St"), ("100 Main Street Southeast", "100 Main Street")],  # invented
)
def test_the_clean_stage_keeps_breaker7_nd3_addresses_apart(first: str, second: str) -> None:
    rows = [[TICKET.format(first)], [TICKET.format(second)]]
    result = _clean(["body"], rows, {"schema": {"columns": {"body": {"type": "text"}}}})
    assert _dups(result) == [] and len(result.curated) == 2  # before: merged, except t3
    vetoes = _vetoes(result)
    assert (vetoes["candidate_pairs"], vetoes["vetoed_quadrant"]) == (1, 1)


def test_the_clean_stage_still_merges_one_address_written_twice() -> None:
    rows = [[TICKET.format("100 Main Street NE")], [TICKET.format("100 Main Street Northeast")],
            [TICKET.format("100 Main Street SE")], [TICKET.format("100 Main Street, SE")]]
    result = _clean(["body"], rows, {"schema": {"columns": {"body": {"type": "text"}}}})
    assert _dups(result) == [(3, "near_text"), (5, "near_text")] and len(result.curated) == 2
