"""Near-duplicate vetoes (nd17): a passive without its agent against the active merged as near duplicates.

Before: ``Anna paid on Friday for order 55``/``Anna was paid on Friday for order 55`` (who paid whom), ``Anna paid back by
Friday``/``Anna was paid back by Friday`` and ``The supplier called twice about invoice 8812``/``The supplier was called
twice about invoice 8812`` merged: the voice check read only a passive with its agent (``was paid by Tom``), and ``by
Friday`` was read as one, so ``paid back by Friday`` was taken for a passive without its auxiliary. Now a participle one
text holds after a form of *be* or *get* (past adverbs), agent or not, that the other uses outside a passive vetoes as
``voice``; French ``a été remboursé`` and Spanish ``ha sido reembolsado`` (in a text that reads as that language) too.
``by`` before a time phrase (``by Friday``, ``by the end of May``, ``by 5pm``) names no agent. An ergative verb (``The
order shipped on Monday``/``The order was shipped on Monday``) says the same in both voices; it vetoes too, since no rule
here tells it from ``Anna paid``/``Anna was paid`` (a missed duplicate, never a lost record).
"""

from __future__ import annotations

import pytest
from test_verify import _clean, _dups, _vetoes
from test_verify_voice_passives import reason, voice

from headwater.clean.dedup.verify import tokens_of


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        # the task's pairs (were None: merged)
        ("Anna paid on Friday for order 55 after the second reminder", "Anna was paid on Friday for order 55 after the second reminder", "voice"),
        ("Anna paid back by Friday", "Anna was paid back by Friday", "voice"),
        ("The supplier called twice about invoice 8812", "The supplier was called twice about invoice 8812", "voice"),
        # invented: get-passive, the perfect, an adverb, plural, a particle, other deadlines after ``by`` (were None)
        ("Tom paid for the extra shift", "Tom got paid for the extra shift", "voice"),
        ("Anna has paid the deposit", "Anna has been paid the deposit", "voice"),
        ("The customer quickly refunded", "The customer was quickly refunded", "voice"),
        ("The drivers paid in cash at the depot", "The drivers were paid in cash at the depot", "voice"),
        ("The tenant kicked out last week", "The tenant was kicked out last week", "voice"),
        ("Anna paid back by the end of May", "Anna was paid back by the end of May", "voice"),
        ("Tom paid by 5pm", "Tom was paid by 5pm", "voice"),
        ("Tom paid off by next week", "Tom was paid off by next week", "voice"),
        ("Anna paid Tom", "Anna was paid", "voice"),  # the object dropped as well
        # a second clause keeps its passive on both sides; the first one's changes
        ("The supplier called twice about invoice 8812 and Tom was paid", "The supplier was called twice about invoice 8812 and Tom was paid", "voice"),
        # ergative verbs: the same meaning, kept apart anyway (were None: merged)
        ("The order shipped on Monday", "The order was shipped on Monday", "voice"),
        ("The store closed at noon", "The store was closed at noon", "voice"),
        ("The invoice approved", "The invoice was approved", "voice"),
        # French and Spanish (French was None; Spanish was ``negation``: ``sido`` read as an unlisted negator)
        ("Le client a remboursé hier", "Le client a été remboursé hier", "voice"),
        ("Le client a rapidement remboursé", "Le client a été rapidement remboursé", "voice"),
        ("El cliente ha reembolsado ayer", "El cliente ha sido reembolsado ayer", "voice"),
        # Dutch and German: the auxiliary replaces the finite verb, which the word checks see first (as before)
        ("Anna bezahlte gestern", "Anna wurde gestern bezahlt", "substitution"),
        ("Jan betaalde gisteren", "Jan werd gisteren betaald", "substitution"),
    ],
)
def test_agentless_passive_against_active_is_two_records(a: str, b: str, expected: str) -> None:
    assert reason(a, b) == expected
    assert reason(b, a) == expected
    assert voice(a, b) is True and voice(b, a) is True


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # typos, in the participle, an adverb, an auxiliary a spelling variant of the other's
        ("The supplier was called twice about invoice 8812", "The suplier was called twice about invoice 8812"),
        ("The supplier was called twice about invoice 8812", "The supplier was calld twice about invoice 8812"),
        ("Anna got quickly shipped to the depot", "Anna got quickyl shipped to the depot"),
        ("Our tenant was twice approved for the flat", "Our tenant was twcie approved for the flat"),
        ("The store being finally sold for the parcel by Monday", "The store bieng finally sold for the parcel by Monday!"),
        # whitespace, case, the final stop
        ("The supplier was called twice about invoice 8812", "the supplier  was called twice about invoice 8812."),
        ("The supplier called twice about invoice 8812", "The supplier called  twice about invoice 8812!"),
        ("Anna paid back by Friday", "Anna paid back by Friday."),
        # the same voice: ``was`` in both, an agent added, a passive without its auxiliary before its agent
        ("Anna was paid back by Friday", "Anna was paid back by friday"),
        ("Anna was paid on Friday", "Anna was paid by Tom on Friday"),
        ("Anna, paid by the agency, starts Monday", "Anna was paid by the agency, starts Monday"),
        ("The order was shipped on Monday", "The order was quickly shipped on Monday"),  # an adverb added
        ("Please pay the invoice by Friday", "Please pay the invoice by friday."),
        ("Anna paid the deposit", "Anna has paid the deposit"),  # the active on both sides (``has`` is no passive)
        ("Le client a été remboursé hier", "Le client a ete rembourse hier."),
        ("El cliente ha sido reembolsado ayer", "El cliente ha sido reembolsado ayer."),
        ("Anna wurde gestern bezahlt", "Anna wurde gestern bezahlt."),
        ("Jan werd gisteren betaald", "jan werd gisteren betaald"),
    ],
)
def test_true_duplicates_still_merge(a: str, b: str) -> None:
    assert reason(a, b) is None
    assert reason(b, a) is None
    assert voice(a, b) is False and voice(b, a) is False


def test_passive_forms_read_passives_with_or_without_their_agent() -> None:
    from headwater.clean.dedup.verify import _passive_forms

    def forms(text: str) -> list[str]:
        words = tokens_of(text).words
        return [words[k] for k in _passive_forms(words)]

    assert forms("The supplier was called twice about invoice 8812") == ["called"]
    assert forms("The supplier called twice about invoice 8812") == []
    assert forms("Anna was paid back by Friday and Tom was hired by Bob") == ["paid", "hired"]
    assert forms("Anna got quickly and quietly paid") == ["paid"]  # adverbs after the auxiliary
    assert forms("Anna got quickyl paid") == []  # a typo: no adverb
    assert forms("Anna has paid") == []  # *have*: the perfect, no passive
    assert forms("The report was ready on Monday") == []  # no participle
    assert forms("Le client a été remboursé hier") == ["rembourse"]
    assert forms("El cliente ha sido reembolsado ayer") == ["reembolsado"]
    assert forms("The era ended") == []  # Spanish ``era`` in a text that reads as English
    assert forms("Anna wurde gestern bezahlt") == ["bezahlt"]
    assert forms("Jan werd gisteren betaald") == ["betaald"]


def test_by_before_a_time_phrase_names_no_agent() -> None:
    from headwater.clean.dedup.verify import _active, _agent_after, _passives

    def agent(text: str) -> bool:
        words = tokens_of(text).words
        return _agent_after(words, words.index("by"))

    assert agent("paid by Tom") is True
    assert agent("paid by the store") is True
    assert agent("paid by his manager") is True
    assert agent("paid by Friday") is False
    assert agent("paid by the end of May") is False
    assert agent("paid by next week") is False
    assert agent("paid by 5pm") is False  # ``pm``: the digits are gone
    assert agent("paid by 2026-03-15 for order 55") is False  # ``for``: a function word
    assert agent("paid by then") is False
    assert agent("the shop close by") is False  # nothing after it
    # the participle before ``by Friday`` is an active's verb; before ``by Tom`` a passive without its auxiliary
    assert _active(tokens_of("Anna paid back by Friday").words, "paid") == 1
    assert _active(tokens_of("Anna, paid back by Tom").words, "paid") == 0
    # ``was paid back by Friday``: a passive without an agent
    assert dict(_passives(tokens_of("Anna was paid back by Friday").words)) == {}
    assert dict(_passives(tokens_of("Anna was paid back by Tom").words)) == {"paid": 1}


OTHER = "Our trail running shoe is built for long days on rocky ground with sticky rubber lugs that grip wet granite."


def test_clean_step_keeps_agentless_passive_and_active_apart_and_counts_them() -> None:
    texts = [
        "Following the reminder sent by the accounts team last week, Anna paid on Friday for order 55 and the warehouse released the pallet.",
        "Following the reminder sent by the accounts team last week, Anna was paid on Friday for order 55 and the warehouse released the pallet.",
        "According to the call log kept by the front desk in Leeds, the supplier called twice about invoice 8812 before the end of the day.",
        "According to the call log kept by the front desk in Leeds, the supplier was called twice about invoice 8812 before the end of the day.",
        "As agreed with the landlord during the viewing of the flat on the second floor, Anna paid back by Friday the deposit for the window.",
        "As agreed with the landlord during the viewing of the flat on the second floor, Anna was paid back by Friday the deposit for the window.",
        "The tracking page of the courier shows that the order shipped on Monday from the central warehouse in Rotterdam with the other parcels.",
        "The tracking page of the courier shows that the order was shipped on Monday from the central warehouse in Rotterdam with the other parcels.",
        "Selon le relevé de compte envoyé ce matin à la comptable du cabinet, le client a remboursé hier la totalité de la facture du mois de mars.",
        "Selon le relevé de compte envoyé ce matin à la comptable du cabinet, le client a été remboursé hier la totalité de la facture du mois de mars.",
        # true duplicates: a typo and spacing in the active (row 1), case and the final stop in the passive (row 4)
        "Following the reminder sent by the accounts team last week,  Anna paid on Friday for order 55 and the warehouse relaesed the pallet.",
        "according to the call log kept by the front desk in Leeds, the supplier was called twice about invoice 8812 before the end of the day",
    ]
    result = _clean(["id", "note"], [[str(i + 1), t] for i, t in enumerate(texts)])
    assert _dups(result) == [(12, "near_text"), (13, "near_text")]  # rows 11 and 12 (header: line 1)
    assert len(result.curated) == 10 and sorted(result.curated["note"].tolist()) == sorted(texts[:10])
    vetoes = _vetoes(result)
    # 1~2, 3~4, 5~6, 7~8, 9~10, and each true duplicate against the other voice: 2~11, 3~12 (merged before: 7 lines were
    # duplicates, 5 records kept); 1~11 and 4~12 merge
    assert vetoes["candidate_pairs"] == 9
    assert vetoes["vetoed_voice"] == 7
    assert sum(v for k, v in vetoes.items() if k.startswith("vetoed_")) == 7


@pytest.mark.parametrize(
    ("a", "b", "voice_vetoes"),
    [
        ("According to the call log kept by the front desk in Leeds, the supplier called twice about invoice 8812 before the end of the day.",
         "According to the call log kept by the front desk in Leeds, the supplier was called twice about invoice 8812 before the end of the day.", 1),
        ("As agreed with the landlord during the viewing of the flat on the second floor, Anna paid back by Friday the deposit for the window.",
         "As agreed with the landlord during the viewing of the flat on the second floor, Anna was paid back by Friday the deposit for the window.", 1),
        ("The tracking page of the courier shows that the order shipped on Monday from the central warehouse in Rotterdam with the other parcels.",
         "The tracking page of the courier shows that the order was shipped on Monday from the central warehouse in Rotterdam with the other parcels.", 1),
        ("According to the call log kept by the front desk in Leeds, the supplier was called twice about invoice 8812 before the end of the day.",
         "according to the call log kept by the front desk in Leeds, the supplier was called twice about invoice 8812 before the end of the day", 0),
    ],
)
def test_clean_step_one_pair(a: str, b: str, voice_vetoes: int) -> None:
    result = _clean(["id", "note"], [["1", a], ["2", b], ["3", OTHER]])
    vetoes = _vetoes(result)
    assert vetoes["candidate_pairs"] == 1 and vetoes["vetoed_voice"] == voice_vetoes
    assert _dups(result) == ([] if voice_vetoes else [(3, "near_text")])
    assert len(result.curated) == 3 - (1 - voice_vetoes)
