"""Missed duplicates from the name and negation vetoes (breaker6 #14; headwater.clean.dedup.verify), and the vetoes kept.

The break test's in/link/customers_gen.csv: ``Mary Major II``/``Mary Major 2nd`` (one generation written two ways) were kept
apart; in/neardup/tickets.csv line 23: an English delivery note with ``NE`` added to its address (``5 Main Street NE
Springfield``) was not merged, ``ne`` being a French negator. Invented variants: the other ordinals, a surname ``Senior``
with and without a son's ``Jr.`` (``Peter Senior``/``Peter Senior Jr.`` merged before: a false merge), ``Mary Major``/
``Mary Major 2nd`` (merged before: the ordinal was read as the word "nd"), a prefix compass point (``1200 NE 45th St``),
``NE``/``NW`` (two addresses), French ``ne`` in capitals, after a street word that is French too (``AVENUE``, ``PLACE``).
"""

from __future__ import annotations

import pytest
from test_substitution import _customers
from test_verify import _clean, _dups, _vetoes

from headwater.clean.dedup.verify import NAME_REASONS, REASONS, difference, name_changed, tokens_of


@pytest.mark.parametrize(
    ("a", "b", "changed"),
    [("Mary Major II", "Mary Major 2nd", False),  # breaker6 #14: one generation, two spellings
     ("Mary Major III", "Mary Major 3rd", False),
     ("Robert Brown IV", "Robert Brown 4th", False),
     ("John Smith Jr.", "John Smith Junior", False),
     ("John Smith Sr", "John Smith Senior", False),
     ("Jon Smith 2nd", "John Smith II", False),  # the same generation: the name variant decides
     ("Mary Major II", "Mary Major 3rd", True),  # two generations
     ("Mary Major 2nd", "Mary Major 3rd", True),
     ("Mary Major", "Mary Major 2nd", True),  # a suffix on one name only (merged before: "2nd" read as the word "nd")
     ("Mary Major", "Mary Major II", True),
     ("Jane Doe", "Jane Doe Jr.", True),  # breaker5 #14, unchanged
     ("Jon Senior", "John Senior", False),  # a surname Senior on both sides: no veto, the name variant decides
     ("Peter Senior", "Peter Senior", False),
     ("Peter Senior", "Peter Senior Jr.", True),  # a surname Senior and a son's Jr. (merged before: a false merge)
     ("Peter Senior Jr.", "Peter Senior Junior", False),
     ("Peter Senior", "Pete Senior", True),  # Pete/Peter: a different last letter, as Pete Smith/Peter Smith (by design)
     ("Peter Smith", "Pete Smith", True),
     ("Anna V", "Anna", False),  # "V" alone is an initial as often as a fifth, unchanged
     ("Anna Maria V", "Anna Maria 5th", False),  # ... and the fifth when the other name holds one
     ("Anna Maria V", "Anna Maria VI", True),
     ("Junior Santos", "Junior Santos", False)],
)
def test_names_compare_their_generations_as_a_multiset(a: str, b: str, changed: bool) -> None:
    x, y = tokens_of(a).spelled, tokens_of(b).spelled
    assert name_changed(x, y) is changed and name_changed(y, x) is changed
    assert difference(tokens_of(a), tokens_of(b), NAME_REASONS) == ("name" if changed else None)


def test_an_ordinal_is_a_name_word() -> None:
    assert tokens_of("Mary Major 2nd").spelled == ("mary", "major", "2nd")
    assert tokens_of("Mary Major II").spelled == ("mary", "major", "ii")
    assert tokens_of("Mary Major").spelled == ("mary", "major")


def test_the_shipped_customers_config_merges_one_generation_written_two_ways() -> None:
    rows = [["C-1009", "Peter Senior", "ps@example.com", "2024-06-05", "", ""],  # breaker6 in/link/customers_gen.csv
            ["C-1010", "Pete Senior", "ps@example.com", "2024-06-05", "", ""],
            ["C-1011", "Mary Major II", "mm@example.com", "2024-06-06", "", ""],
            ["C-1012", "Mary Major 2nd", "mm@example.com", "2024-06-06", "", ""],
            ["C-1013", "Jon Senior", "jon@example.com", "2024-06-07", "", ""],  # invented
            ["C-1014", "John Senior", "jon@example.com", "2024-06-07", "", ""],
            ["C-1015", "Paul Senior", "paul@example.com", "2024-06-08", "", ""],
            ["C-1016", "Paul Senior Jr.", "paul@example.com", "2024-06-08", "", ""]]
    result = _customers(rows)
    assert _dups(result) == [(5, "linkage"), (7, "linkage")]  # Mary Major 2nd, John Senior
    assert len(result.curated) == 6
    assert result.steps["record_linkage"]["vetoed_name"] == 2  # Pete/Peter, Paul Senior/Paul Senior Jr.


NOTE = "Deliver the replacement parcel for order 12345 to the customer at {} before Friday, signature required at the door."


@pytest.mark.parametrize(
    ("a", "b", "reason"),
    # breaker6 #14 merged these (NE no negator); nd9 (breaker7 #16): a quadrant on one address only is another place
    [(NOTE.format("5 Main Street Springfield"), NOTE.format("5 Main Street NE Springfield"), "quadrant"),
     (NOTE.format("5 Main St. Springfield"), NOTE.format("5 Main St. NE, Springfield"), "quadrant"),
     (NOTE.format("1200 45th St"), NOTE.format("1200 NE 45th St"), "quadrant"),  # a prefix compass point
     (NOTE.format("1200 Main Street"), NOTE.format("1200 NE Main Street"), "quadrant"),
     (NOTE.format("5 MAIN STREET SPRINGFIELD"), NOTE.format("5 MAIN STREET NE SPRINGFIELD"), "quadrant"),
     (NOTE.format("5 Main Street NE Springfield"), NOTE.format("5 Main Street Northeast Springfield"), None),
     (NOTE.format("5 Main Street NE Springfield"), NOTE.format("5 Main Street NW Springfield"), "quadrant"),  # two addresses
     (NOTE.format("5 Main Street Springfield"), NOTE.format("5 Main Street ne Springfield"), "negation"),  # not in capitals
     (NOTE.format("5 Main Street Springfield"), NOTE.format("5 Main NE Street Springfield"), "negation"),  # not next to it
     ("Je sais pas ce qui se passe avec la commande.", "Je ne sais pas ce qui se passe avec la commande.", "negation"),
     ("JE SAIS CE QUI SE PASSE AVEC LA COMMANDE.", "JE NE SAIS CE QUI SE PASSE AVEC LA COMMANDE.", "negation"),
     ("L'AVENUE SERA PLUS FERMÉE POUR LES TRAVAUX.", "L'AVENUE NE SERA PLUS FERMÉE POUR LES TRAVAUX.", "negation"),
     ("LA GRANDE AVENUE SERA PLUS FERMÉE LE SOIR.", "LA GRANDE AVENUE NE SERA PLUS FERMÉE LE SOIR.", "negation"),
     ("LA PLACE SERA JAMAIS FERMÉE LE SOIR.", "LA PLACE NE SERA JAMAIS FERMÉE LE SOIR.", "negation"),
     ("LES 12 SONT PLUS DISPONIBLES SUR LA PLACE.", "LES 12 NE SONT PLUS DISPONIBLES SUR LA PLACE.", "negation")],
)
def test_ne_in_capitals_in_a_street_address_is_a_compass_point(a: str, b: str, reason: str | None) -> None:
    assert difference(tokens_of(a), tokens_of(b), REASONS) == reason
    assert difference(tokens_of(b), tokens_of(a), REASONS) == reason


def test_a_compass_point_reads_as_northeast() -> None:
    t = tokens_of("5 Main Street NE Springfield")
    assert t.negators == 0 and t.words == ("main", "street", "northeast", "springfield")
    assert tokens_of("Je ne sais pas").negators == 2


def test_the_clean_stage_keeps_the_delivery_note_with_ne_added_apart_as_a_quadrant() -> None:
    # breaker6 #14 merged the first two (NE was read as a negator before that); nd9 (breaker7 #16): a quadrant on one
    # address only is another place, vetoed as a quadrant, not a negation
    rows = [[NOTE.format("5 Main Street Springfield")], [NOTE.format("5 Main Street NE Springfield")],  # tickets.csv 22-23
            [NOTE.format("9 Elm Road NE Springfield")], [NOTE.format("9 Elm Road NW Springfield")],  # two addresses
            [NOTE.format("9 Elm Road Northeast Springfield")]]  # NE written out: one address, merged
    result = _clean(["body"], rows, {"schema": {"columns": {"body": {"type": "text"}}}})
    assert _dups(result) == [(6, "near_text")] and len(result.curated) == 4
    vetoes = _vetoes(result)
    assert (vetoes["vetoed_negation"], vetoes["vetoed_quadrant"], vetoes["vetoed_substitution"]) == (0, 3, 0)


def test_the_clean_stage_keeps_a_lower_case_ne_a_negator() -> None:
    rows = [[NOTE.format("7 Oak Avenue Springfield")], [NOTE.format("7 Oak Avenue ne Springfield")]]
    result = _clean(["body"], rows, {"schema": {"columns": {"body": {"type": "text"}}}})
    assert _dups(result) == [] and _vetoes(result)["vetoed_negation"] == 1
