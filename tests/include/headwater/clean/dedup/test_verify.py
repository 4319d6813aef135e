"""Token verification of near-duplicate and linkage candidates (headwater.clean.dedup.verify).

Reproductions from the new-user break test (notes/breaker: autoreplies.csv) plus invented variants:
texts that differ in a negation, a number, an identifier or an addressee are two records, however
similar; whitespace, punctuation and case variants, a typo fix and an added signature stay near copies.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from headwater.clean.dedup.columns import Vetoes
from headwater.clean.dedup.matching import _mostly_disagree, near_text, text_signatures
from headwater.clean.dedup.verify import difference, tokens_of
from headwater.clean.frame import assign_row_ids, build_frame
from headwater.clean.pipeline import build_steps, run_steps
from headwater.clean.steps.base import DEDUP_JOB, LINE
from headwater.config.dedup import TextDedupOptions
from headwater.config.source import SourceConfig

REVIEW = "I would recommend this product to anyone"
REPLY = "Thank you for contacting support. Your ticket has been received and an agent will reply within two business days. Reference: {}"
NOTE = "Our trail running shoe is built for long days on rocky ground with sticky rubber lugs that grip wet granite."
ORDER = "Your order {} of {} has shipped and should arrive within three to five working days from the depot."
GREETING = "Dear {}, thank you for your message about the delivery of your parcel to the depot; we are looking into it now and reply soon."
LETTER = NOTE + " We tested it for three weeks on the coastal path and the sole shows no wear at all yet."


def _clean(header: list[str], rows: list[list[str]], config: dict | None = None):
    df, _ = build_frame(header, rows, list(range(2, 2 + len(rows))), "2026-11-21/x.csv")
    return run_steps(assign_row_ids(df), build_steps(SourceConfig.from_mapping(config or {})))


def _dups(result) -> list[tuple[int, str]]:
    d = result.duplicates
    return list(zip(d[LINE].tolist(), d[DEDUP_JOB].tolist())) if len(d) else []


def _vetoes(result, step: str = "near_duplicate_text") -> dict[str, int]:
    return {k: v for k, v in result.steps[step].items() if k.startswith("vetoed_") or k == "candidate_pairs"}


@pytest.mark.parametrize(
    ("a", "b", "reason"),
    [
        (REVIEW, "I would not recommend this product to anyone", "negation"),  # the break test's example
        ("It works with the old charger", "It works without the old charger", "negation"),
        ("The courier was ever on time", "The courier was never on time", "negation"),
        ("I like it", "I don\u2019t like it", "negation"),  # a typographic apostrophe
        ("Refund approved", "No refund approved", "negation"),
        (REPLY.format("TCK-10443"), REPLY.format("TCK-10444"), "number"),  # the break test's auto-replies
        ("order #55120 is late", "order #55121 is late", "number"),
        ("upgrade to 2.3.1 now", "upgrade to 2.3.2 now", "number"),  # versions
        ("it costs $10 today", "it costs $100 today", "number"),  # amounts
        ("take 2 tablets daily", "take 20 tablets daily", "number"),  # doses
        ("due on 2025-03-04", "due on 2025-03-05", "number"),  # dates
        ("account 4401-2231 closed", "account 4401-2232 closed", "number"),  # account numbers
        ("2 tablets and 2 capsules", "2 tablets and 20 capsules", "number"),  # counted as multisets
        ("write to ann@example.org", "write to omar@example.org", "identifier"),  # e-mail addresses
        ("see https://example.com/a for it", "see https://example.com/b for it", "identifier"),  # URLs
        ("ping @ann_ops about it", "ping @omar_ops about it", "identifier"),
        (GREETING.format("Anna"), GREETING.format("Omar"), "addressee"),  # names after Dear
        ("Hi Mr. Smith, the invoice", "Hi Mr. Jones, the invoice", "addressee"),
    ],
)
def test_a_changed_meaningful_token_is_a_difference(a: str, b: str, reason: str) -> None:
    assert difference(tokens_of(a), tokens_of(b)) == reason
    assert difference(tokens_of(b), tokens_of(a)) == reason


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (REVIEW, "  i would RECOMMEND this product, to anyone!  "),  # whitespace, punctuation, case
        ("I don't like it", "I do not like it"),  # a contraction is the same negation
        ("I dont like it", "I don't like it"),  # one negator each, with and without the apostrophe
        ("Reference:TCK-10443", "Reference: TCK-10443."),  # punctuation around an identifier
        ("1,000 units at 1 000 each", "1000 units at 1000 each"),  # thousands separators
        ("The packge arrived damaged", "The package arrived damaged"),  # a typo fix
        ("Please call me back", "Please call me back\n-- \nJohn Smith | +1 555 0100 | john@acme.example"),  # signature added
        ("Dear Anna, hello", "Hello"),  # a greeting removed is no new addressee
        ("Mr. Smith is here", "Mr. Smith is here"),
        ("", None),
    ],
)
def test_variants_of_one_text_are_no_difference(a: str, b: str | None) -> None:
    assert difference(tokens_of(a), tokens_of(b)) is None


def test_tokens_of_reads_each_class() -> None:
    t = tokens_of("Dear Dr. Ada, we can't ship order A-12 (1,200 units) to ada@x.org or www.x.org/o?i=1. Never.")
    assert t.negators == 2
    assert dict(t.identifiers) == {"ada@x.org": 1, "www.x.org/o?i=1": 1}
    assert dict(t.numbers) == {"12": 1, "1200": 1, "=1": 1}  # nd10 (breaker8 #13): a comparison sign before a number is part of it
    assert dict(t.addressees) == {"ada": 1}


def test_negation_flip_is_not_merged_and_the_veto_is_counted() -> None:
    # the break test's review inside a longer text (alone, its 5-byte shingles estimate 0.70: below the threshold)
    rows = [["r1", f"{NOTE} {REVIEW}."], ["r1", f"{NOTE} I would not recommend this product to anyone."],
            ["r1", f"  {NOTE.upper()} {REVIEW}!"]]
    result = _clean(["reviewer", "review"], rows)
    assert _dups(result) == [(4, "near_text")]  # the case/punctuation variant merges, the negation does not
    assert result.duplicates["_duplicate_of"].tolist() == [result.curated["_row_id"][0]]
    assert _vetoes(result) == {"candidate_pairs": 3, "vetoed_columns": 0, "vetoed_disagreement": 0, "vetoed_negation": 2, "vetoed_identifier": 0,
                               "vetoed_number": 0, "vetoed_emoji": 0, "vetoed_question": 0, "vetoed_quadrant": 0, "vetoed_addressee": 0, "vetoed_unit": 0, "vetoed_substitution": 0, "vetoed_word_order": 0, "vetoed_voice": 0,
                               "vetoed_addition": 0, "vetoed_name": 0}


def test_breaker_autoreplies_differing_only_in_the_ticket_id_stay_two_records() -> None:
    rows = [["2025-01-01", REPLY.format("TCK-10443")], ["2025-01-01", REPLY.format("TCK-10444")]]
    result = _clean(["sent", "body"], rows)
    assert _dups(result) == [] and len(result.curated) == 2
    assert _vetoes(result)["vetoed_number"] == 1


@pytest.mark.parametrize(
    ("first", "second", "reason"),
    [
        (ORDER.format("55120", "3 items"), ORDER.format("55121", "3 items"), "number"),  # order numbers
        (ORDER.format("55120", "3 items"), ORDER.format("55120", "30 items"), "number"),  # quantities
        (GREETING.format("Anna"), GREETING.format("Omar"), "addressee"),
        (f"{NOTE} Details: https://shop.example.com/p/1 ok", f"{NOTE} Details: https://shop.example.com/p/2 ok", "identifier"),
        (f"{NOTE} See https://shop.example.com/p/boots", f"{NOTE} See https://shop.example.com/p/socks", "identifier"),
        (f"{NOTE} Firmware 2.3.1 installed.", f"{NOTE} Firmware 2.3.2 installed.", "number"),
        (f"{NOTE} It does grip.", f"{NOTE} It does not grip.", "negation"),
    ],
)
def test_templated_texts_differing_in_one_token_are_not_merged(first: str, second: str, reason: str) -> None:
    result = _clean(["channel", "text"], [["mail", first], ["mail", second]])
    assert _dups(result) == []
    assert _vetoes(result)[f"vetoed_{reason}"] == 1
    assert _dups(_clean(["channel", "text"], [["mail", first], ["mail", second]], {"dedup": {"text": {"verify": False}}})) == [(3, "near_text")]


def test_texts_differing_in_an_email_address_kept_by_the_config_are_not_merged() -> None:
    # by default text normalization masks e-mail addresses ([EMAIL]) before any dedup job sees them
    rows = [["mail", f"{LETTER} Reply to ann@example.org"], ["mail", f"{LETTER} Reply to omar@example.org"]]
    result = _clean(["channel", "text"], rows, {"text": {"emails": "keep"}})
    assert _dups(result) == [] and _vetoes(result)["vetoed_identifier"] == 1


@pytest.mark.parametrize(
    "copy",
    [
        "  " + NOTE.upper().replace(" ", "  "),  # whitespace and case
        NOTE.replace(",", "").replace(".", "!"),  # punctuation
        NOTE.replace("granite", "granit"),  # a typo (and its fix, the other way round)
        LETTER + "\n-- \nAnn Lee, +1 555 0100",  # a re-sent message with a signature line
        NOTE.replace("sticky", "stikcy"),  # a transposition typo in a long word
        NOTE.replace("e ", "e, "),  # commas added
    ],
)
def test_true_near_duplicates_still_merge(copy: str) -> None:
    original = LETTER if copy.startswith(LETTER) else NOTE
    result = _clean(["channel", "text"], [["mail", original], ["mail", copy]])
    assert _dups(result) == [(3, "near_text")]
    assert sum(v for k, v in _vetoes(result).items() if k.startswith("vetoed_")) == 0


def test_verify_off_restores_the_similarity_only_decision() -> None:
    rows = [["2025-01-01", REPLY.format("TCK-10443")], ["2025-01-01", REPLY.format("TCK-10444")]]
    result = _clean(["sent", "body"], rows, {"dedup": {"text": {"verify": False}}})
    assert _dups(result) == [(3, "near_text")]


def test_near_text_verifies_the_text_of_the_table_the_vetoes_were_built_from() -> None:
    # the cross-file link step and the stream path call near_text directly: the check comes with Vetoes.build
    frame = {"text": pd.Series([REPLY.format("TCK-1"), REPLY.format("TCK-2"), REPLY.format("TCK-1")], dtype="string")}
    options = TextDedupOptions()
    sig8, bands, valid = text_signatures(frame, ["text"], options)
    found = near_text(sig8, bands, valid, Vetoes.build(frame, [], set()), options, ["text"])
    assert found.partner.tolist() == [-1, -1, 0]
    assert found.vetoed == 2 and found.vetoed_by == {"columns": 0, "disagreement": 0, "negation": 0, "identifier": 0, "number": 2, "emoji": 0, "question": 0, "quadrant": 0, "addressee": 0,
                                                  "unit": 0, "substitution": 0, "word_order": 0, "voice": 0, "addition": 0, "name": 0}  # 0~1, 1~2
    unverified = near_text(sig8, bands, valid, Vetoes([], {}, {}), options, ["text"])  # no table given: similarity alone
    assert unverified.partner.tolist() == [-1, 0, 0]


LINKAGE = {"dedup": {"linkage": {"fields": ["name", "account"], "threshold": 0.5}}}


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("AC-1001", "AC-1002"),  # identifier-like strings one digit apart (Jaro-Winkler 0.95)
        ("10443", "10444"),  # digit strings one edit apart (Levenshtein 1)
        ("4401 2231", "4401 2232"),
        ("ann@example.org", "anne@example.org"),  # e-mail addresses
    ],
)
def test_record_linkage_never_merges_records_whose_identifier_fields_differ(a: str, b: str) -> None:
    rows = [["Sam Taylor", a], ["Sam Taylor", b], ["Ada Lovelace", "ZZ-9"], ["Grace Hopper", "QQ-7"]]
    result = _clean(["name", "account"], rows, LINKAGE)
    assert _dups(result) == []
    vetoes = _vetoes(result, "record_linkage")
    assert vetoes["vetoed_number"] + vetoes["vetoed_identifier"] == 1


def test_record_linkage_never_merges_records_that_agree_on_one_field_of_three() -> None:
    # the bench's false merges: EM fitted on pairs blocked by a common signup date weighed the name and
    # e-mail disagreements at -0.01 bits, so two different customers merged on the date alone (+10.6 bits)
    header = ["full_name", "city", "signup_date"]
    names = ["Ada Lovelace", "Grace Hopper", "Linus Torvalds", "Barbara Liskov", "Ken Thompson", "Margaret Hamilton",
             "Omar Khayyam", "Fatima Fihri", "Wei Chen"]
    cities = ["Berlin", "Quito", "Accra", "Lima", "Oslo", "Madrid", "Nairobi", "Kraków", "Zürich"]
    rows = [[names[i], cities[i], f"2024-01-{1 + i // 3:02d}"] for i in range(9)]
    rows += [["Ann Lee", "Oslo", "2024-02-01"], ["Ann Lee", "Oslo", "2024-02-01"]]
    # a threshold low enough that the date alone passes it (the degenerate model's effect, with the priors)
    config = {"dedup": {"linkage": {"fields": header, "threshold": 0.001, "em_iterations": 0}}}
    result = _clean(header, rows, config)
    assert _dups(result) == [(12, "exact")]
    # three people a day: three pairs a day; and Ann Lee with Ken Thompson (the city alone)
    assert _vetoes(result, "record_linkage")["vetoed_disagreement"] == 10
    config["dedup"]["linkage"]["verify"] = False
    assert _dups(_clean(header, rows, config)) == [(12, "exact"), (3, "linkage"), (4, "linkage"), (6, "linkage"), (7, "linkage"),
                                                   (9, "linkage"), (10, "linkage")]


def test_mostly_disagree_needs_more_than_half_of_the_filled_fields_to_agree() -> None:
    gamma = np.array([[0, 3, 0], [0, 3, 3], [1, -1, 3], [2, -1, -1], [-1, -1, -1], [3, 2, 0]], dtype=np.int8)
    assert _mostly_disagree(gamma, [3, 3, 3]).tolist() == [False, True, True, False, True, False]


def test_record_linkage_still_merges_spelling_variants_with_equal_identifiers() -> None:
    rows = [["Sam Taylor", "AC-1001"], ["Sam Tailor", "AC-1001"], ["Ada Lovelace", "ZZ-9"], ["Grace Hopper", "QQ-7"]]
    assert _dups(_clean(["name", "account"], rows, LINKAGE)) == [(3, "linkage")]
    # and with verification off, the old similarity-only decision merges one digit apart
    off = {"dedup": {"linkage": {**LINKAGE["dedup"]["linkage"], "verify": False}}}
    rows[1] = ["Sam Taylor", "AC-1002"]
    assert _dups(_clean(["name", "account"], rows, off)) == [(3, "linkage")]


def test_dates_are_compared_in_whole_days_whatever_their_resolution() -> None:
    # pandas 3 parses these to microseconds: the day count used to be 19 for both (nanoseconds assumed),
    # so any two dates of 2024 were "within tolerance"
    from headwater.clean.dedup.fellegi_sunter import _field, compare

    f = _field("d", pd.Series(pd.to_datetime(["2024-01-05", "2024-02-01", "2024-01-06", None])))
    assert f.number.tolist() == [19727.0, 19754.0, 19728.0]  # per distinct value
    assert f.codes.tolist() == [0, 1, 2, -1]
    assert compare(f, np.array([0, 0]), np.array([1, 2])).tolist() == [3, 2]  # else; one character apart
    assert compare(f, np.array([0, 0]), np.array([1, 2]), date_tolerance=1).tolist() == [3, 1]  # within a day
