"""Substituted words veto near-text merges; substituted names veto record linkage (headwater.clean.dedup.verify).

Reproductions from the second new-user break test (notes/breaker2 finding 1: in2/near_prose.csv,
in5/near_prose2.csv; finding 10: in14/customers_family2.csv with the shipped customers config) plus
invented variants. A one-word change that is the whole meaning (left/right knee, Jon/Joan, 5 mg/5 g)
keeps two records; whitespace, punctuation, case, a one-edit typo on a long word and an added
signature line still merge.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from test_verify import _clean, _dups

from headwater.clean.dedup.verify import difference, name_changed, name_variant, spelling_variant, tokens_of, word_changes

ROOT = Path(__file__).resolve().parents[5]

# the break test's pairs: (first, second, the veto's reason)
NEAR_PROSE = [
    ("Patient reports pain in the left knee after the fall, scheduled for an MRI next week.",
     "Patient reports pain in the right knee after the fall, scheduled for an MRI next week.", "substitution"),
    ("Dose was increased to twice daily after the review with the attending physician today.",
     "Dose was decreased to twice daily after the review with the attending physician today.", "substitution"),
    ("Please call Jon Smith about the renewal of the service contract before Friday afternoon.",
     "Please call Joan Smith about the renewal of the service contract before Friday afternoon.", "substitution"),
    ("Refund request approved by the support team lead after checking the original receipt.",
     "Refund request rejected by the support team lead after checking the original receipt.", "substitution"),
    ("The shipment weighs five kilograms and should be delivered to the north warehouse dock.",
     "The shipment weighs five hundred kilograms and should be delivered to the north warehouse dock.", "number"),
    ("Give 5 mg of the drug every morning with water, monitor blood pressure over the week.",
     "Give 5 g of the drug every morning with water, monitor blood pressure over the week.", "unit"),
    ("Customer is allergic to penicillin and should be given an alternative antibiotic today.",
     "Customer is allergic to amoxicillin and should be given an alternative antibiotic today.", "substitution"),
    ("Release build fixes the crash on startup when the configuration file is missing.",
     "Release build causes the crash on startup when the configuration file is missing.", "substitution"),
    ("The weekly planning meeting has been moved to Monday morning in the large room.",
     "The weekly planning meeting has been moved to Tuesday morning in the large room.", "substitution"),
    ("The customer was unable to login to the portal after the password reset yesterday.",
     "The customer was able to login to the portal after the password reset yesterday.", "negation"),
]
VARIANTS = [  # invented, of the same kinds
    ("The invoice is correct and was sent to the finance team in the morning post today.",
     "The invoice is incorrect and was sent to the finance team in the morning post today.", "negation"),
    ("The tenant does agree with the proposed rent increase for the coming calendar year.",
     "The tenant does disagree with the proposed rent increase for the coming calendar year.", "negation"),
    ("The device is compliant with the safety rules published by the regulator last spring.",
     "The device is non compliant with the safety rules published by the regulator last spring.", "negation"),
    ("Deliver three pallets of bottled water to the loading bay at the back of the store.",
     "Deliver thirty pallets of bottled water to the loading bay at the back of the store.", "number"),
    ("The cable measures two metres and must be replaced by the technician on the next visit.",
     "The cable measures two feet and must be replaced by the technician on the next visit.", "unit"),
    ("Infuse 250 ml of saline over one hour and record the blood pressure every fifteen minutes.",
     "Infuse 250 l of saline over one hour and record the blood pressure every fifteen minutes.", "unit"),
    ("The contract renewal was signed by the north region manager after a long negotiation.",
     "The contract renewal was signed by the south region manager after a long negotiation.", "substitution"),
    ("The parcel for Mrs Lee was left with the neighbour at number twelve on Thursday evening.",
     "The parcel for Mrs Lee was left with the neighbour at number twelve on Saturday evening.", "substitution"),
]
SAME = [  # real near copies: no word substituted
    ("Please call me back about the renewal of the contract.", "  please CALL me back, about the renewal of the contract!  "),
    ("We will recieve the spare parts from the warehouse tomorrow.", "We will receive the spare parts from the warehouse tomorrow."),
    ("The colour of the replacement panel does not match the door.", "The color of the replacement panel does not match the door."),
    ("Send the e-mail to the whole team before the review meeting.", "Send the email to the whole team before the review meeting."),
    ("Please call me back", "Please call me back\n-- \nJohn Smith, customer care"),  # a signature line added
    ("The café on the corner opens at nine", "The cafe on the corner opens at nine"),  # an accent
    ("I don't like it", "I do not like it"),
]


@pytest.mark.parametrize(("a", "b", "reason"), NEAR_PROSE + VARIANTS)
def test_a_substituted_word_is_a_difference(a: str, b: str, reason: str) -> None:
    assert difference(tokens_of(a), tokens_of(b)) == reason
    assert difference(tokens_of(b), tokens_of(a)) == reason


@pytest.mark.parametrize(("a", "b"), SAME)
def test_spelling_spacing_and_added_words_are_no_difference(a: str, b: str) -> None:
    assert difference(tokens_of(a), tokens_of(b)) is None


def test_word_changes_reads_each_block() -> None:
    assert word_changes(("five", "kilograms"), ("five", "hundred", "kilograms")) == {"number"}
    assert word_changes(("take", "mg"), ("take", "g")) == {"unit"}
    assert word_changes(("the", "packge", "arrived"), ("the", "package", "has", "arrived")) == set()  # a typo and an added word
    assert word_changes(("a", "b"), ("a", "c")) == {"substitution"}
    assert word_changes(("e", "mail"), ("email",)) == set()
    assert spelling_variant("recieve", "receive") and spelling_variant("colour", "color")
    assert not spelling_variant("jon", "joan") and not spelling_variant("left", "lift")  # short words: no typo allowance


def test_breaker_near_prose_files_keep_every_record_and_count_the_vetoes() -> None:
    # in2/near_prose.csv (8 pairs, the 4th before/after meals) and in5/near_prose2.csv's three merged pairs
    rows = [[f"w{k}", text] for k, (a, b, _) in enumerate(NEAR_PROSE) for text in (a, b)]
    result = _clean(["ward", "note"], rows)
    assert len(result.curated) == 20 and _dups(result) == []
    steps = result.steps["near_duplicate_text"]
    assert {k: v for k, v in steps.items() if k.startswith("vetoed_") and v} == {
        "vetoed_substitution": 7, "vetoed_number": 1, "vetoed_unit": 1, "vetoed_negation": 1}
    # with verification off, the similarity alone merges all 10 (the old decision)
    off = _clean(["ward", "note"], rows, {"dedup": {"text": {"verify": False}}})
    assert len(off.curated) == 10 and len(off.duplicates) == 10


def test_real_near_copies_still_merge_beside_the_vetoed_pairs() -> None:
    base = "Patient reports pain in the left knee after the fall, scheduled for an MRI scan next week at the clinic."
    rows = [["A", base], ["A", base.replace("right", "left").replace("  ", " ").upper()],  # case
            ["A", base.replace("scheduled", "schedlued")],  # a transposition typo
            ["A", base + "\n-- \nDr. Ann Lee, orthopaedics"],  # a signature line
            ["A", base.replace("left", "right")]]  # the meaning changed
    result = _clean(["ward", "note"], rows)
    assert _dups(result) == [(3, "near_text"), (4, "near_text"), (5, "near_text")]
    assert len(result.curated) == 2 and result.steps["near_duplicate_text"]["vetoed_substitution"] >= 1


@pytest.mark.parametrize(
    ("a", "b", "variant"),
    [("john", "jon", True), ("hannah", "hanna", True), ("phillip", "philip", True), ("jonathon", "jonathan", True),
     ("smyth", "smith", True), ("catherine", "katherine", False), ("jon", "joan", False), ("maria", "mario", False),
     ("daniel", "daniela", False), ("chris", "christine", False), ("ann", "anna", False), ("paul", "paula", False),
     ("louis", "louise", False)],
)
def test_name_variants(a: str, b: str, variant: bool) -> None:
    assert name_variant(a, b) is variant and name_variant(b, a) is variant


def test_name_changed_pairs_words_in_any_order() -> None:
    assert not name_changed(("smith", "john"), ("john", "smith"))
    assert not name_changed(("john", "smith"), ("john", "paul", "smith"))  # a middle name added
    assert not name_changed(("mary", "ann"), ("maryann",))
    assert name_changed(("jon", "smith"), ("joan", "smith"))


def _customers(rows: list[list[str]], names: list[str] | None = None):
    mapping = yaml.safe_load((ROOT / "config" / "sources" / "customers.yaml").read_text())
    if names is not None:
        mapping["dedup"]["linkage"]["names"] = names
    header = ["customer_id", "full_name", "email", "signup_date", "lifetime_value", "notes"]
    return _clean(header, rows, mapping)


FAMILY = [  # in14/customers_family2.csv: couples sharing a household e-mail, same signup day, new customers
    ["C-2001", "Jon Smith", "smith.family@example.com", "2024-01-15", "0", ""],
    ["C-2002", "Joan Smith", "smith.family@example.com", "2024-01-15", "0", ""],
    ["C-2003", "Maria Garcia", "mgarcia@example.com", "2024-03-03", "0", ""],
    ["C-2004", "Mario Garcia", "mgarcia@example.com", "2024-03-03", "0", ""],
    ["C-2005", "Daniel Park", "dpark@example.com", "2024-04-04", "0", ""],
    ["C-2006", "Daniela Park", "dpark@example.com", "2024-04-04", "0", ""],
    ["C-2007", "Chris Wong", "chris.wong@example.com", "2024-05-05", "0", ""],
    ["C-2008", "Christine Wong", "chris.wong@example.com", "2024-05-05", "0", ""],
]


def test_shipped_customers_config_keeps_family_members_apart() -> None:
    result = _customers(FAMILY)
    assert len(result.curated) == 8 and _dups(result) == []
    assert result.steps["record_linkage"]["vetoed_name"] == 4
    # the check is what keeps them apart: with no name field the four merge, as before
    assert _dups(_customers(FAMILY, names=[])) == [(3, "linkage"), (5, "linkage"), (7, "linkage"), (9, "linkage")]


def test_shipped_customers_config_still_merges_a_re_registration_under_a_name_variant() -> None:
    rows = [["C-1003", "John Smith", "john.smith@example.net", "2024-03-01", "", ""],
            ["C-1004", "Jon Smith", "john.smith@example.net", "2024-03-01", "", ""],  # the sample day's pair
            ["C-1010", "Hannah Berg", "hberg@example.org", "2024-06-01", "", ""],
            ["C-1011", "Hanna Berg", "hberg@example.org", "2024-06-01", "", ""],
            ["C-1012", "Ada Lovelace", "ada@example.com", "2024-01-15", "", ""],
            ["C-1013", "Grace Hopper", "grace@example.org", "2024-02-15", "", ""]]
    result = _customers(rows)
    assert _dups(result) == [(3, "linkage"), (5, "linkage")]
    assert result.steps["record_linkage"]["vetoed_name"] == 0


@pytest.mark.parametrize(
    ("a", "b", "changed"),
    [(("robert", "brown", "ii"), ("robert", "brown", "iii"), True),  # breaker3 #17
     (("robert", "brown", "iii"), ("robert", "brown", "iv"), True),
     (("john", "smith", "jr"), ("john", "smith", "sr"), True),
     (("john", "smith", "sr"), ("john", "smith", "ii"), True),
     (("john", "smith", "jr"), ("jon", "smith", "jr"), False),  # the same suffix: the name variant decides
     (("john", "smith", "jr"), ("john", "smith", "ii"), True),  # II is often not the son: named after an uncle
     (("john", "smith"), ("john", "smith", "iii"), True),  # a suffix on one name only: two people too (breaker5 #14)
     (("v",), ("vi",), True)],  # no suffix alone: the words differ
)
def test_differing_generational_suffixes_are_two_people(a: tuple[str, ...], b: tuple[str, ...], changed: bool) -> None:
    assert name_changed(a, b) is changed and name_changed(b, a) is changed


def test_shipped_customers_config_keeps_a_father_and_son_apart() -> None:
    rows = [["C-0921", "John Smith Jr.", "smith.home@example.com", "2024-02-02", "0", ""],  # in7/customers_suffix.csv
            ["C-0922", "John Smith Sr.", "smith.home@example.com", "2024-02-02", "0", ""],
            ["C-0923", "Robert Brown II", "brown.home@example.com", "2024-02-03", "0", ""],
            ["C-0924", "Robert Brown III", "brown.home@example.com", "2024-02-03", "0", ""],
            ["C-0925", "Robert Brown III", "brown.home@example.com", "2024-02-03", "0", ""]]  # a re-registration of the son
    result = _customers(rows)
    assert _dups(result) == [(6, "linkage")] and len(result.curated) == 4
    assert result.steps["record_linkage"]["vetoed_name"] == 3


FIRST = ["Alice", "Bruno", "Chen", "Dana", "Emil", "Farah", "Goran", "Hana", "Ivan", "Jana"]
LAST = ["Nguyen", "Lopez", "Petrov", "Okafor", "Khan", "Tanaka"]
FILLERS = [[f"C-{i + 1:04d}", f"{FIRST[i % 10]} {LAST[i // 10]}", f"{FIRST[i % 10].lower()}.{LAST[i // 10].lower()}{i + 1}@mail.example",
            f"2025-{i % 9 + 1:02d}-{i % 27 + 1:02d}", None, None] for i in range(60)]  # in7/customers_noemail.csv's 60 customers (None: an empty unquoted field, as staging holds it)


def _same_name_and_day(email_a: str | None, email_b: str | None) -> list[list[str]]:
    return [*FILLERS,
            ["C-0913", "Wei Zhang", email_a, "2025-02-03", None, None],
            ["C-0914", "Wei Zhang", email_b, "2025-02-03", None, None],
            ["C-0915", "Maria Garcia", email_a and email_a.replace("wei", "maria"), "2025-03-04", "50", None],
            ["C-0916", "Maria Garcia", email_b and email_b.replace("wei", "maria"), "2025-03-04", "50", None]]


@pytest.mark.parametrize(
    ("email_a", "email_b", "dups"),
    [(None, None, []),  # breaker3 #10: no e-mail on either side; name + date alone, two ids
     ("wei.zhang@example.com", None, []),  # an e-mail on one side only is no evidence either
     ("wei.zhang@example.com", "wei.zhang@example.com", [(63, "linkage"), (65, "linkage")])],  # a re-registration: same e-mail
)
def test_shipped_customers_config_merges_two_ids_only_on_an_identifying_field(email_a: str | None, email_b: str | None, dups: list) -> None:
    result = _customers(_same_name_and_day(email_a, email_b))
    assert _dups(result) == dups and len(result.curated) == 64 - len(dups)
    assert result.steps["record_linkage"]["vetoed_disagreement"] == 2 - len(dups)


def test_different_ids_never_merge_when_may_differ_does_not_list_them() -> None:
    mapping = yaml.safe_load((ROOT / "config" / "sources" / "customers.yaml").read_text())
    mapping["dedup"]["may_differ"] = []
    header = ["customer_id", "full_name", "email", "signup_date", "lifetime_value", "notes"]
    result = _clean(header, _same_name_and_day("wei.zhang@example.com", "wei.zhang@example.com"), mapping)
    assert _dups(result) == [] and len(result.curated) == 64
    assert result.steps["record_linkage"]["vetoed_columns"] == 2
