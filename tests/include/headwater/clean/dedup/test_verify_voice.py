"""Near-duplicate vetoes: active against passive voice is a ``voice`` difference (breaker11 N1), and two wrong reasons (N3).

Before: ``...Anna hired Tom as the new lead engineer...`` merged into ``...Anna was hired by Tom as the new lead engineer...``
(Jaccard estimate 0.8745), ``...the customer refunded the store after...`` into ``...the customer was refunded by the store
after...`` (0.8431): the passive adds only function words (``was``, ``by``), which no check reads, though the agent and the
patient trade places. Now a participle one text holds in a passive with its agent (``was hired by``, French ``a été remboursé
par``, Spanish ``ha sido reembolsado por``) and the other uses in the active vetoes as ``voice``. A passive without its agent
on both sides (``The order was shipped``/``Order was shipped``) and an agent only added (``was shipped by DHL``/``was
shipped``) are no difference.

N3: ``Paris to Rome to Paris``/``Rome to Paris to Rome`` was a ``negation`` (``unlisted_negation`` read one word added on
each side as two negators of an unlisted language), now a ``substitution``; ``hello world hello``/``world hello hello`` an
``addressee`` (the second ``hello`` read as the name greeted), now ``word_order``.
"""

from __future__ import annotations

import pytest
from test_verify import _clean, _dups, _vetoes

from headwater.clean.dedup.verify import REASONS, _active, _passives, _voice, difference, tokens_of, unlisted_negation


def reason(a: str, b: str) -> str | None:
    return difference(tokens_of(a), tokens_of(b))


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        # breaker11 nd2.py and harness case nd (were None: merged)
        ("Bob was paid by Alice", "Bob paid Alice", "voice"),
        ("The customer was refunded by the store", "The customer refunded the store", "voice"),
        ("Anna hired Tom", "Anna was hired by Tom", "voice"),
        ("After a long interview process that took three weeks, Anna was hired by Tom as the new lead engineer for the Berlin office.",
         "After a long interview process that took three weeks, Anna hired Tom as the new lead engineer for the Berlin office.", "voice"),
        ("According to the ticket history the customer was refunded by the store after the second complaint about the broken blender.",
         "According to the ticket history the customer refunded the store after the second complaint about the broken blender.", "voice"),
        # invented: other auxiliaries, tenses, an adverb, irregular participles, plural, a spelling variant of the verb
        ("Anna has hired Tom", "Anna has been hired by Tom", "voice"),
        ("Anna hires Tom", "Anna was hired by Tom", "voice"),  # hires/hired: a spelling variant, no substitution
        ("Anna hired Tom yesterday", "Anna was quickly hired by Tom yesterday", "voice"),
        ("Anna hired Tom", "Anna got hired by Tom", "voice"),  # was negation: ``got`` read as an unlisted negator
        ("The customers paid the suppliers last week", "The customers were paid by the suppliers last week", "voice"),
        ("The driver hit the cyclist near the station", "The driver was hit by the cyclist near the station", "voice"),
        ("Anna told Tom about the delay", "Anna was told by Tom about the delay", "voice"),
        ("The manager is being replaced by the assistant", "The manager replaced the assistant", "voice"),
        ("Anna never hired Tom", "Anna was never hired by Tom", "voice"),  # one negator on each side
        # French (être + participle + par), Spanish (ser + participle + por); were None: merged
        ("Le client a remboursé le magasin", "Le client a été remboursé par le magasin", "voice"),
        ("Le fournisseur a payé le client hier", "Le fournisseur a été payé par le client hier", "voice"),
        ("Le client rembourse le magasin", "Le client est remboursé par le magasin", "voice"),
        ("El cliente ha reembolsado la tienda", "El cliente ha sido reembolsado por la tienda", "voice"),
        # a swap is counted first as word_order (the same voice change with the words reordered)
        ("Tom was hired by Anna", "Anna hired Tom", "word_order"),
        # a participle replaced is a substitution first
        ("Anna was hired by Tom", "Anna dismissed Tom", "substitution"),
        # ... but hired/fired are one edit apart (a spelling variant to the word checks): the voice check still sees it
        ("Anna was hired by Tom", "Anna fired Tom", "voice"),
        # a limit: ``by`` as a deadline after a participle reads as an agent, and the other text drops it (a missed duplicate)
        ("Payment was received by Friday", "Payment received Friday", "voice"),
        # merged until nd17 (listed above as a passive without its auxiliary): ``by Friday`` is a deadline, no agent
        # (``_agent_after``), so ``received`` is an active's verb against the other's agentless passive, as in ``Anna paid
        # back by Friday``/``Anna was paid back by Friday`` (who paid whom): the two cannot be told apart, and the safe
        # direction is to keep both records
        ("Payment was received by Friday.", "Payment received by Friday", "voice"),
    ],
)
def test_active_against_passive_with_an_agent_vetoes_as_voice(a: str, b: str, expected: str) -> None:
    assert reason(a, b) == expected
    assert reason(b, a) == expected  # either order


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("The order was shipped", "Order was shipped"),  # a passive without an agent on both sides: a true duplicate
        ("The order was shipped.", "the order was shipped"),
        ("The order was shipped by DHL", "The order was shipped"),  # an agent added: an addition, as before
        ("Anna was hired by Tom.", "anna was hired by tom"),  # the same passive on both sides
        ("Anna, hired by Tom, starts Monday", "Anna was hired by Tom, starts Monday"),  # a passive without its auxiliary
        ("The report was ready by Monday", "The report ready by Monday"),  # ``ready``: no participle
        ("The shop is close by the station", "The shop close by the station"),
        ("Order was delivered by courier yesterday", "Order delivered by courier yesterday"),
        ("Le colis a été expédié", "Colis a été expédié"),
        ("El pedido fue enviado", "El pedido fue enviado."),
    ],
)
def test_passive_forms_that_say_the_same_still_merge(a: str, b: str) -> None:
    assert reason(a, b) is None
    assert reason(b, a) is None


def test_passives_reads_auxiliary_participle_agent() -> None:
    words = tokens_of("Anna was quickly hired by Tom, and the invoice has been paid by Bob").words
    assert _passives(words) == {"hired": 1, "paid": 1}
    assert _passives(tokens_of("The shop is close by; it was ready by Monday").words) == {}  # no participle
    assert _passives(tokens_of("Le client a été remboursé par le magasin").words) == {"rembourse": 1}
    assert _passives(tokens_of("El cliente fue reembolsado por la tienda").words) == {"reembolsado": 1}
    # German: read since nd16 (was {}: the word checks saw ``wurde von``/``bezahlte`` as a substitution, but not ``Anna wurde
    # bezahlt von Tom``/``Anna bezahlte Tom``, which merged): the werden-passive with its agent ``von`` before the participle
    assert _passives(tokens_of("Anna wurde von Tom bezahlt").words) == {"bezahlt": 1}
    assert _active(tokens_of("Anna hired Tom; Bob, hired by Eve; the order was hired").words, "hired") == 1
    assert _voice(tokens_of("Anna hired Tom").words, tokens_of("Anna was hired by Tom").words) is True
    assert _voice(tokens_of("Order was shipped").words, tokens_of("Order was shipped by DHL").words) is False


def test_voice_comes_after_word_order_and_before_addition() -> None:
    assert REASONS.index("word_order") + 1 == REASONS.index("voice") == REASONS.index("addition") - 1


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("Paris to Rome to Paris", "Rome to Paris to Rome", "substitution"),  # was negation
        ("Oslo via Bergen via Oslo", "Bergen via Oslo via Bergen", "substitution"),
        ("hello world hello", "world hello hello", "word_order"),  # was addressee
        ("hi there hi", "there hi hi", "word_order"),
        ("Dear Anna, hello", "Dear Omar, hello", "addressee"),  # a greeted name still counts
        ("Hello Anna, thanks", "Hello Omar, thanks", "addressee"),
    ],
)
def test_breaker11_n3_reasons(a: str, b: str, expected: str) -> None:
    assert reason(a, b) == expected
    assert reason(b, a) == expected


def test_a_word_exchanged_is_no_unlisted_negator() -> None:
    x, y = tokens_of("Paris to Rome to Paris").words, tokens_of("Rome to Paris to Rome").words
    assert unlisted_negation(x, y) is False and unlisted_negation(y, x) is False
    # a negator only added, with a word moved, still is one (breaker10 F14)
    assert unlisted_negation(tokens_of("Nandeha omaly ny mpiasa").words, tokens_of("Omaly tsy nandeha ny mpiasa").words) is True
    assert tokens_of("hello world hello").addressees == {"world": 1}
    assert tokens_of("world hello hello").addressees == {}


def test_breaker11_harness_rows_stay_apart_and_count_as_voice() -> None:
    rows = [
        ["1", "After a long interview process that took three weeks, Anna was hired by Tom as the new lead engineer for the Berlin office."],
        ["2", "After a long interview process that took three weeks, Anna hired Tom as the new lead engineer for the Berlin office."],
        ["3", "According to the ticket history the customer was refunded by the store after the second complaint about the broken blender."],
        ["4", "According to the ticket history the customer refunded the store after the second complaint about the broken blender."],
        ["5", "According to the ticket history, the customer was refunded by the store after the second complaint about the broken blender"],
    ]
    result = _clean(["id", "note"], rows)
    assert _dups(result) == [(6, "near_text")]  # only the punctuation variant of row 3 merges
    vetoes = _vetoes(result)
    assert vetoes["candidate_pairs"] == 4 and vetoes["vetoed_voice"] == 2  # 1~2, 3~4 (row 5 merges into row 3)
    assert sum(v for k, v in vetoes.items() if k.startswith("vetoed_") and k != "vetoed_voice") == 0
