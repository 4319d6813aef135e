"""Near-duplicate vetoes (nd18, breaker13 F7): capitalised words one letter apart at the end are two names.

Before: ``...signed by Maria Lopez...``/``...signed by Mario Lopez...`` merged as near duplicates (``spelling_variant``
read the two names as a one-letter typo: Damerau-Levenshtein 1 on words of 5 letters or more), and so did
Daniel/Daniela, Carlo/Carla, Francesco/Francesca, Julian/Juliana, Simone/Simona, Marco/Marko, Andrea/Andreas,
Nikola/Nikolai: two records about two people became one. Now a word a text writes with a capital is one spelling with
another only as a ``capitalised_variant``: the edit keeps the first and the last letters and substitutes no letter.
A transposition (``Micheal``/``Michael``), a doubled letter (``Philip``/``Phillip``), a lower-case word's typo, case and
whitespace still merge.
"""

from __future__ import annotations

import pytest
from test_verify import _clean, _dups, _vetoes

from headwater.clean.dedup.verify import capitalised_variant, difference, spelling_variant, tokens_of, word_changes

SIGNED = "The invoice was signed by {} Lopez on behalf of the company before it was sent to the auditors in March."
REFUND = "Refund approved for {} after the parcel arrived broken and the lid was missing from the box."


def reason(a: str, b: str) -> str | None:
    return difference(tokens_of(a), tokens_of(b))


GENDERED = [  # the break test's pairs (all were None: merged)
    ("Maria", "Mario"), ("Daniel", "Daniela"), ("Carlo", "Carla"), ("Francesco", "Francesca"), ("Julian", "Juliana"),
    ("Simone", "Simona"), ("Marco", "Marko"),
    # invented, of the same shapes: an ending swapped, a final -a, -e, -i, -s added, a letter substituted (were None)
    ("Andrea", "Andreas"), ("Nikola", "Nikolai"), ("Paolo", "Paola"), ("Antonio", "Antonia"), ("Martin", "Martina"),
    ("Simon", "Simone"), ("Louis", "Louise"), ("Gabriel", "Gabriela"), ("Nicola", "Nicolas"), ("Karin", "Karen"),
    ("Carol", "Carlo"), ("Marian", "Marina"), ("Jonas", "Jonah"), ("Erica", "Erika"),
]


@pytest.mark.parametrize(("a", "b"), GENDERED)
@pytest.mark.parametrize("template", [SIGNED, REFUND])
def test_a_name_with_another_ending_is_a_substitution(a: str, b: str, template: str) -> None:
    assert reason(template.format(a), template.format(b)) == "substitution"
    assert reason(template.format(b), template.format(a)) == "substitution"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # other positions: the text's first word, its last, after a comma, beside another name
        ("Maria signed the invoice on behalf of the company before it was sent to the auditors.",
         "Mario signed the invoice on behalf of the company before it was sent to the auditors."),
        ("The invoice for the March audit of the regional office was signed by Daniel",
         "The invoice for the March audit of the regional office was signed by Daniela"),
        ("Signed on behalf of the company, Francesco, before it was sent to the auditors in March.",
         "Signed on behalf of the company, Francesca, before it was sent to the auditors in March."),
        ("Ana and Julian Weber signed the lease for the flat on the second floor in March.",
         "Ana and Juliana Weber signed the lease for the flat on the second floor in March."),
        # a hyphenated double name, a name in capitals, a name written in capitals on one side only
        ("The lease was signed by Anna-Maria Lopez for the flat on the second floor in March.",
         "The lease was signed by Anna-Mario Lopez for the flat on the second floor in March."),
        ("THE INVOICE WAS SIGNED BY SIMONE LOPEZ ON BEHALF OF THE COMPANY.", "THE INVOICE WAS SIGNED BY SIMONA LOPEZ ON BEHALF OF THE COMPANY."),
        ("The invoice was signed by Carlo Lopez on behalf of the company.", "The invoice was signed by carla Lopez on behalf of the company."),
        # other languages: Spanish with accents, Italian, German, Czech, Polish
        ("La factura fue firmada por María López en nombre de la empresa antes de enviarla a los auditores.",
         "La factura fue firmada por Mario López en nombre de la empresa antes de enviarla a los auditores."),
        ("La fattura è stata firmata da Francesco Rossi per conto della società prima dell'invio ai revisori.",
         "La fattura è stata firmata da Francesca Rossi per conto della società prima dell'invio ai revisori."),
        ("Die Rechnung wurde von Andreas Müller im Namen der Firma unterschrieben, bevor sie an die Prüfer ging.",
         "Die Rechnung wurde von Andrea Müller im Namen der Firma unterschrieben, bevor sie an die Prüfer ging."),
        ("Fakturu podepsal Nikola Dvořák jménem společnosti, než ji poslal auditorům v březnu.",
         "Fakturu podepsal Nikolai Dvořák jménem společnosti, než ji poslal auditorům v březnu."),
        ("Podpis: Stanisław Kowalski, w imieniu firmy, przed wysyłką faktury do audytorów w marcu.",
         "Podpis: Stanisława Kowalski, w imieniu firmy, przed wysyłką faktury do audytorów w marcu."),
        # a surname's ending (Novák/Nováková is two edits: a substitution already), a place
        ("The parcel was sent to Mr Rossi at the Verona depot on Monday morning after the delay.",
         "The parcel was sent to Mr Rosso at the Verona depot on Monday morning after the delay."),
        ("The parcel was sent from the Milano depot to the customer on Monday morning after the delay.",
         "The parcel was sent from the Milan depot to the customer on Monday morning after the delay."),
    ],
)
def test_other_positions_scripts_and_languages(a: str, b: str) -> None:
    assert reason(a, b) == "substitution"
    assert reason(b, a) == "substitution"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (SIGNED.format("Micheal"), SIGNED.format("Michael")),  # a transposition inside the name
        (SIGNED.format("Philip"), SIGNED.format("Phillip")),  # a doubled letter
        (SIGNED.format("Mathew"), SIGNED.format("Matthew")),
        (SIGNED.format("Johnathan"), SIGNED.format("Jonathan")),  # an inner letter removed
        (SIGNED.format("Maria"), SIGNED.format("Maria").replace("  ", " ").upper()),  # case
        (SIGNED.format("Maria"), "  " + SIGNED.format("Maria").replace(" by ", "  by\t") + " "),  # whitespace
        (SIGNED.format("Maria"), SIGNED.format("Maria").replace("auditors", "auditros")),  # a lower-case word's typo
        (SIGNED.format("Maria"), SIGNED.format("Maria").replace("company", "compnay")),
        ("Recieved the spare parts from the Leeds warehouse this morning, all boxes intact.",
         "Received the spare parts from the Leeds warehouse this morning, all boxes intact."),  # a capitalised first word's typo
        ("We will recieve the spare parts from the warehouse tomorrow.", "We will receive the spare parts from the warehouse tomorrow."),
        (SIGNED.format("José"), SIGNED.format("Jose")),  # an accent
        (SIGNED.format("O'Brien"), SIGNED.format("O\u2019Brien")),  # a typographic apostrophe
    ],
)
def test_typos_case_and_spacing_still_merge(a: str, b: str) -> None:
    assert reason(a, b) is None
    assert reason(b, a) is None


@pytest.mark.parametrize(
    ("a", "b", "variant"),
    [
        ("maria", "mario", False), ("carlo", "carla", False), ("simone", "simona", False), ("daniel", "daniela", False),
        ("julian", "juliana", False), ("andrea", "andreas", False), ("nikola", "nikolai", False), ("marco", "marko", False),
        ("karin", "karen", False), ("carol", "carlo", False), ("smyth", "smith", False),
        ("alexander", "alexandra", False), ("marcus", "marca", False), ("jan", "jana", False), ("luis", "luisa", False),  # 2 edits, short
        ("micheal", "michael", True), ("philip", "phillip", True), ("mathew", "matthew", True), ("maria", "maria", True),
        ("johnathan", "jonathan", True), ("kristen", "kirsten", True), ("jonh", "john", False),  # short: no typo allowance
    ],
)
def test_capitalised_variant(a: str, b: str, variant: bool) -> None:
    assert capitalised_variant(a, b) is variant and capitalised_variant(b, a) is variant


def test_spelling_variant_reads_capitals_only_for_capitalised_words() -> None:
    assert spelling_variant("maria", "mario") is True  # lower-case words: one edit
    assert spelling_variant("maria", "mario", frozenset({"maria"})) is False
    assert spelling_variant("maria", "mario", frozenset({"mario"})) is False
    assert spelling_variant("maria", "mario", frozenset({"lopez"})) is True
    assert spelling_variant("micheal", "michael", frozenset({"micheal", "michael"})) is True
    assert spelling_variant("recieve", "receive", frozenset({"recieve"})) is True


def test_word_changes_with_capitals() -> None:
    x, y = ("signed", "by", "maria", "lopez"), ("signed", "by", "mario", "lopez")
    assert word_changes(x, y) == set()
    assert word_changes(x, y, frozenset({"maria", "mario", "lopez"})) == {"substitution"}
    # a name moved and changed: difflib aligns it as removed and added, ``_exchanged`` reads the capitals too
    x = ("maria", "signed", "the", "invoice", "for", "the", "office")
    y = ("signed", "the", "invoice", "for", "the", "office", "mario")
    assert word_changes(x, y) == set()
    assert word_changes(x, y, frozenset({"maria", "mario"})) == {"substitution"}


def test_tokens_capitals() -> None:
    assert tokens_of("Maria met O'Brien and MARIO in the office, then left.").capitals == frozenset({"maria", "obrien", "mario"})
    assert tokens_of("María López y Žaneta O\u2019Brien, en Málaga: ¿Vale?").capitals == frozenset(
        {"maria", "lopez", "zaneta", "obrien", "malaga", "vale"})
    assert tokens_of("all lower case, no names here").capitals == frozenset()
    assert tokens_of(None).capitals == frozenset() and tokens_of("").capitals == frozenset()
    assert tokens_of("call 0800 123 [PHONE]").capitals == frozenset({"phone"})  # a mask: no word, never compared


OTHER = "Our trail running shoe is built for long days on rocky ground with sticky rubber lugs that grip wet granite."


def test_clean_step_keeps_two_people_apart_and_counts_them() -> None:
    lease = " The keys were handed over at the estate agency on the high street after the deposit had cleared."
    texts = [
        "The invoice was signed by Maria Lopez on behalf of the company before it was sent to the auditors in March for review.",
        "The invoice was signed by Mario Lopez on behalf of the company before it was sent to the auditors in March for review.",
        "Refund approved for Daniel after the parcel arrived broken and the lid was missing from the box at the Leeds depot.",
        "Refund approved for Daniela after the parcel arrived broken and the lid was missing from the box at the Leeds depot.",
        "The lease for the flat on the second floor of the old mill was signed by Simone Keller and her landlord." + lease,
        "The lease for the flat on the second floor of the old mill was signed by Simona Keller and her landlord." + lease,
        "Die Rechnung wurde von Andreas Müller im Namen der Firma unterschrieben, bevor sie im März an die Prüfer ging.",
        "Die Rechnung wurde von Andrea Müller im Namen der Firma unterschrieben, bevor sie im März an die Prüfer ging.",
        # true duplicates: a transposed name (row 2), spacing and case (row 3), a lower-case typo (row 5)
        "The invoice was signed by Micheal Lopez on behalf of the company before it was sent to the auditors in March for review.",
        "The invoice was signed by Michael Lopez on behalf of the company before it was sent to the auditors in March for review.",
        "Refund approved for daniel  after the parcel arrived broken and the lid was missing from the box at the leeds depot",
        "The lease for the flat on the second floor of the old mill was signed by Simone Keller and her landlrod." + lease,
        OTHER,
    ]
    result = _clean(["id", "note"], [[str(i + 1), t] for i, t in enumerate(texts)])
    assert _dups(result) == [(11, "near_text"), (12, "near_text"), (13, "near_text")]  # rows 10, 11, 12 (header: line 1)
    assert len(result.curated) == 10 and sorted(result.curated["note"].tolist()) == sorted(texts[:9] + [OTHER])
    vetoes = _vetoes(result)
    # every pair of the four texts of rows 1, 2, 9, 10 (6), of 3, 4, 11 and of 5, 6, 12 (3 each), and 7~8
    assert vetoes["candidate_pairs"] == 13
    # the pairs of two names: 1~2, 1~9, 1~10, 2~9, 2~10; 3~4, 4~11; 5~6, 6~12; 7~8 (1~2, 3~4, 5~6, 7~8 merged before)
    assert vetoes["vetoed_substitution"] == 10
    assert sum(v for k, v in vetoes.items() if k.startswith("vetoed_")) == 10


@pytest.mark.parametrize(
    ("a", "b", "vetoed"),
    [
        (SIGNED.format("Maria"), SIGNED.format("Mario"), 1),
        (SIGNED.format("Julian"), SIGNED.format("Juliana"), 1),
        (SIGNED.format("Marco"), SIGNED.format("Marko"), 1),
        (SIGNED.format("Micheal"), SIGNED.format("Michael"), 0),
    ],
)
def test_clean_step_one_pair(a: str, b: str, vetoed: int) -> None:
    result = _clean(["id", "note"], [["1", a], ["2", b], ["3", OTHER]])
    vetoes = _vetoes(result)
    assert vetoes["candidate_pairs"] == 1 and vetoes["vetoed_substitution"] == vetoed
    assert _dups(result) == ([] if vetoed else [(3, "near_text")])
    assert len(result.curated) == 3 - (1 - vetoed)


def test_capitals_are_read_only_for_two_words_one_edit_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    from headwater.clean.dedup import verify

    read: list[str] = []
    real = verify._capitals
    monkeypatch.setattr(verify, "_capitals", lambda text: read.append(text) or real(text))
    assert reason(SIGNED.format("Maria"), SIGNED.format("Maria").upper()) is None  # the same words: nothing asked
    assert reason(SIGNED.format("Maria"), SIGNED.format("Maria").replace("March", "April")) == "substitution"  # no variant
    assert read == []
    assert reason(SIGNED.format("Maria"), SIGNED.format("Mario")) == "substitution"  # maria/mario: both texts read once
    assert read == [SIGNED.format("Maria"), SIGNED.format("Mario")]
    assert "anna" in verify._Capitalised("Anna met Bob", "then left") and "then" not in verify._Capitalised("Anna", "then")
