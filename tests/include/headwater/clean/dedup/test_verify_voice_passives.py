"""Near-duplicate vetoes (nd16): the ``voice`` check reads the passives nd14 missed, which merged as near duplicates.

Before: ``Tom picked up Ann from the station``/``Tom was picked up by Ann from the station`` and ``Maria ripped off the
customer``/``Maria was ripped off by the customer`` merged (a phrasal verb's particle stood between the participle and
``by``); ``Anna was always hired by Tom``/``Anna hired Tom`` (an adverb outside the short list), ``Anna was also quickly
hired by Tom`` (two adverbs), ``Anna was hired in March by Tom`` (words between the participle and ``by``) too; the
Dutch and German passive with its agent (``werd betaald door Piet``, ``wurde bezahlt von Tom``) was not read at all.
Now a participle stands up to four words before its ``by`` (not across an auxiliary or a clause word such as ``and``),
up to three adverbs after its auxiliary, and Dutch ``door``/German ``von`` mark an agent in a text that reads as Dutch
or German, the participle after the agent (``werd door Piet betaald``) or right before it. A participle used without its
auxiliary before ``by`` past particles, adverbs and time words only (``Anna, picked up last week by Tom``) is still a
passive; past a noun (``Tom picked up Ann by the station``: ``by`` = near) it is an active.
"""

from __future__ import annotations

import pytest
from test_verify import _clean, _dups, _vetoes

from headwater.clean.dedup.verify import _active, _passive_positions, _passives, _voice, difference, tokens_of


def reason(a: str, b: str) -> str | None:
    return difference(tokens_of(a), tokens_of(b))


def voice(a: str, b: str) -> bool:
    return _voice(tokens_of(a).words, tokens_of(b).words)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        # the break test's pairs (the first two were None: merged)
        ("Tom picked up Ann from the station", "Tom was picked up by Ann from the station", "voice"),
        ("Maria ripped off the customer", "Maria was ripped off by the customer", "voice"),
        ("Jan betaalde Piet voor de fiets", "Jan werd door Piet betaald voor de fiets", "substitution"),  # werd/betaalde aligned first
        ("Anna bezahlte Tom", "Anna wurde von Tom bezahlt", "substitution"),
        ("Tom was hired last year by Anna", "Tom hired Anna last year", "word_order"),  # Anna and Tom swap places first
        # invented: other phrasal verbs, a get-passive, a particle and an agent before the rest (were None: merged)
        ("Tom picked up Ann from the station", "Tom got picked up by Ann from the station", "voice"),
        ("The manager turned down the supplier again", "The manager was turned down by the supplier again", "voice"),
        ("Anna handed over Tom to the police", "Anna was handed over by Tom to the police", "voice"),
        ("The landlord kicked out the tenant last week", "The landlord was kicked out by the tenant last week", "voice"),
        ("Support called back the customer within an hour", "Support was called back by the customer within an hour", "voice"),
        ("Tom picked up Ann by the station", "Tom was picked up by Ann by the station", "voice"),  # ``by`` = near in the active
        # adverbs between the auxiliary and the participle, words between the participle and ``by`` (were None: merged)
        ("Anna hired Tom", "Anna was always hired by Tom", "voice"),
        ("Anna also quickly hired Tom", "Anna was also quickly hired by Tom", "voice"),
        ("Anna quickly and quietly hired Tom", "Anna was quickly and quietly hired by Tom", "voice"),
        ("Anna paid Tom", "Anna was paid on Monday by Tom", "voice"),
        ("Anna hired Tom for the team", "Anna was hired in March by Tom for the team", "voice"),
        # Dutch and German with the participle before the agent (were None: merged)
        ("Jan betaalde Piet", "Jan werd betaald door Piet", "voice"),
        ("Jan betaalde Piet", "Jan is betaald door Piet", "voice"),
        ("Anna bezahlte Tom", "Anna wurde bezahlt von Tom", "voice"),
        # French and Spanish with an adverb after the auxiliary (were None: merged)
        ("Le client a rapidement remboursé le magasin", "Le client a été rapidement remboursé par le magasin", "voice"),
        ("Le client a déjà remboursé le magasin", "Le client a déjà été remboursé par le magasin", "voice"),
        ("El cliente ha reembolsado rápidamente la tienda", "El cliente ha sido rápidamente reembolsado por la tienda", "substitution"),
        # get-passives nd14 read already
        ("Anna paid Tom", "Anna gets paid by Tom", "voice"),
        ("Anna paid Tom", "Anna is getting paid by Tom", "voice"),
        # merged until nd17 (listed as the same voice: ``door`` is no Dutch agent here, which ``_passives`` still checks
        # below): ``was left`` is a passive without an agent, ``left`` an active (the parcel went away), and an agentless
        # passive against an active vetoes since nd17
        ("The parcel was left at the door behind the bins", "The parcel left at the door behind the bins", "voice"),
    ],
)
def test_passive_against_active_is_two_records(a: str, b: str, expected: str) -> None:
    assert reason(a, b) == expected
    assert reason(b, a) == expected
    assert voice(a, b) is True and voice(b, a) is True  # the voice check sees each, whichever reason comes first


@pytest.mark.parametrize(
    ("a", "b", "first", "second"),
    [
        # ``twice`` moved reads as a number word added and removed one way, a substitution the other (difflib's alignment
        # depends on the order); either way two records, and the voice check sees the passive
        ("Bob paid Alice twice for order 55", "Bob was twice paid by Alice for order 55", "number", "substitution"),
    ],
)
def test_a_moved_adverb_vetoes_first(a: str, b: str, first: str, second: str) -> None:
    assert reason(a, b) == first and reason(b, a) == second
    assert voice(a, b) is True and voice(b, a) is True


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Call Tom by Friday", "Call Tom by friday"),  # ``by`` as a deadline, no participle: a true duplicate
        ("Please send the report by Friday", "Please send the report by friday."),
        ("Tom picked up Ann from the station", "Tom picked up Ann from the  station."),  # the same voice, spacing
        ("Tom was picked up by Ann from the station", "Tom was picked up by Ann from the statoin"),  # a typo
        ("Tom was picked up by Ann from the station", "tom was picked up by ann from the station"),
        ("Tom was picked up by Ann from the station", "Tom was pikced up by Ann from the station"),  # a typo in the participle
        ("Maria was ripped off by the customer", "Maria was riped off by the customer"),
        ("Jan werd door Piet betaald voor de fiets", "Jan werd door Piet betaalt voor de fiets"),
        ("Anna wurde von Tom bezahlt", "Anna wurde von Tom bezalt"),
        ("Tom picked up Ann by the station", "Tom picked up Ann by the station."),
        ("Maria was ripped off by the customer", "Maria was ripped off by the customer!"),
        ("Bob was twice paid by Alice for order 55", "Bob was twice paid by Alice for order 55."),
        ("The order was shipped to the depot by Friday", "The order was shipped to the depot by Friday!"),
        ("Anna, picked up last week by Tom, starts Monday", "Anna was picked up last week by Tom, starts Monday"),  # no auxiliary
        ("Anna was picked up", "Anna was picked up by Tom"),  # an agent added
        ("The parcel was left by the door", "The parcel left by the door"),
        ("The parcel was left at the door behind the bins", "The parcel was left at the door behind the bins."),  # English ``door``
        ("Ursula von der Leyen was interviewed", "Ursula von der Leyen was interviewed."),
        ("Anna wurde bezahlt", "Anna wurde von Tom bezahlt"),  # an agent added
        ("Anna wurde gestern bezahlt", "Anna wurde gestern von Tom bezahlt"),
        ("Jan werd betaald", "Jan werd door Piet betaald"),
        ("Jan werd door Piet betaald voor de fiets", "Jan werd door Piet betaald voor de fiets."),
        ("Die Rechnung von Tom wurde bezahlt", "Die Rechnung von Tom wurde bezahlt."),
    ],
)
def test_the_same_voice_still_merges(a: str, b: str) -> None:
    assert reason(a, b) is None
    assert reason(b, a) is None
    assert voice(a, b) is False and voice(b, a) is False


def test_passives_read_particles_adverbs_gaps_and_germanic_agents() -> None:
    def passives(text: str) -> dict[str, int]:
        return dict(_passives(tokens_of(text).words))

    assert passives("Tom was picked up by Ann") == {"picked": 1}
    assert passives("Maria got ripped off by the customer") == {"ripped": 1}
    assert passives("Bob was twice paid by Alice") == {"paid": 1}
    assert passives("Anna was also quickly hired by Tom") == {"hired": 1}
    assert passives("Tom was hired last year by Anna") == {"hired": 1}
    assert passives("Tom was picked up from the station by Ann") == {"picked": 1}  # four words to ``by``
    assert passives("Tom was picked up from the old station by Ann") == {}  # five: too far
    assert passives("Tom was hired and Anna paid by card") == {}  # not across ``and``
    assert passives("Anna was quickly and quietly hired by Tom") == {"hired": 1}  # ``and`` between two adverbs
    assert passives("Anna was very quickly and quietly hired by Tom") == {}  # four words: too many
    assert passives("Anna was fine and quickly hired by Tom") == {}  # ``fine``: no adverb
    assert passives("Jan werd door Piet betaald voor de fiets") == {"betaald": 1}
    assert passives("Jan werd betaald door Piet") == {"betaald": 1}
    assert passives("Jan is door Piet opgehaald van het station") == {"opgehaald": 1}
    assert passives("Anna wurde gestern von der Firma bezahlt") == {"bezahlt": 1}  # ``gestern``: no participle
    assert passives("Anna wurde von Tom am Bahnhof abgeholt") == {"abgeholt": 1}
    assert passives("Die Rechnung von Tom wurde bezahlt") == {}  # ``von`` before the auxiliary: of
    assert passives("The parcel was left at the door behind the bins") == {}  # an English text: ``door`` no agent
    assert passives("Ursula von der Leyen was interviewed by Tom") == {"interviewed": 1}
    assert passives("Le client a été rapidement remboursé par le magasin") == {"rembourse": 1}
    assert passives("Le client a été remboursé hier par le magasin") == {"rembourse": 1}  # one word before ``par``
    assert passives("El cliente fue reembolsado ya por la tienda") == {"reembolsado": 1}
    assert passives("El cliente ha sido rápidamente reembolsado por la tienda") == {"reembolsado": 1}
    assert passives("Le client a remboursé le magasin par virement") == {}  # no auxiliary
    assert _passive_positions(tokens_of("Tom was picked up by Ann and Jan werd door Piet betaald").words) == (2,)  # English reads


def test_active_skips_passives_without_their_auxiliary_or_agent() -> None:
    def active(text: str, part: str) -> int:
        return _active(tokens_of(text).words, part)

    assert active("Tom picked up Ann from the station", "picked") == 1
    assert active("Tom picked up Ann by the station", "picked") == 1  # ``Ann``: a noun before ``by``
    assert active("Anna, picked up last week by Tom", "picked") == 0  # particles and time words before ``by``
    assert active("Bob was twice paid", "paid") == 0  # after the auxiliary and an adverb
    assert active("Jan werd door Piet betaald", "betaald") == 0  # the passive's own participle
    assert active("Jan betaalde Piet", "betaald") == 1  # a spelling variant
    assert active("Anna wurde gestern bezahlt", "bezahlt") == 0  # a German auxiliary before it in the clause
    assert active("Anna hat Tom bezahlt", "bezahlt") == 1  # ``hat``: the perfect, no passive


OTHER = "Our trail running shoe is built for long days on rocky ground with sticky rubber lugs that grip wet granite."


def test_clean_step_keeps_passive_and_active_apart_and_counts_them() -> None:
    mailbox = " The note was copied from the shared mailbox into the ticket history during the quarterly audit of the regional office."
    signed = " Both managers signed the contract in the Lisbon office on the first working day of the new quarter."
    board = " Het verslag is door het bestuur goedgekeurd op de jaarvergadering in maart."
    texts = [
        "According to the dispatch log for the night shift, Tom picked up Ann from the station after the last regional train arrived late.",
        "According to the dispatch log for the night shift, Tom was picked up by Ann from the station after the last regional train arrived late.",
        "The complaint filed with the consumer office in October says that Maria ripped off the customer when she sold the used van.",
        "The complaint filed with the consumer office in October says that Maria was ripped off by the customer when she sold the used van.",
        "Following the long review of the staffing budget for the Hamburg warehouse, Anna was always hired by Tom for the seasonal peak." + mailbox,
        "Following the long review of the staffing budget for the Hamburg warehouse, Anna hired Tom for the seasonal peak." + mailbox,
        "After the audit of the shared mailbox, the ticket history shows that Anna was hired in March by Tom for the new support team in Lisbon." + signed,
        "After the audit of the shared mailbox, the ticket history shows that Anna hired Tom for the new support team in Lisbon." + signed,
        "Volgens het verslag van de penningmeester van de fietsclub in Utrecht werd Jan door Piet betaald voor de oude racefiets met carbon wielen." + board,
        "Volgens het verslag van de penningmeester van de fietsclub in Utrecht betaalde Jan Piet voor de oude racefiets met carbon wielen." + board,
        # true duplicates: spacing, a typo and the final stop (row 1), the same passive with a changed case, ``by`` as a deadline
        "According to the dispatch log for the night shift,  Tom picked up Ann from the staton after the last regional train arrived late",
        "The warehouse team confirmed on the phone that the pallet was picked up by the courier from the loading dock before noon on Tuesday.",
        "The warehouse team confirmed on the phone that the pallet was picked up by the courier from the loading dock before noon on tuesday!",
        "Please call Tom by Friday about the broken pump at the Leeds depot and ask him to bring the spare seals and the new gasket.",
        "Please call Tom by friday about the broken pump at the Leeds depot and ask him to bring the spare seals and the new gasket",
    ]
    result = _clean(["id", "note"], [[str(i + 1), t] for i, t in enumerate(texts)])
    assert _dups(result) == [(12, "near_text"), (14, "near_text"), (16, "near_text")]  # rows 11, 13, 15 (header: line 1)
    assert len(result.curated) == 12 and sorted(result.curated["note"].tolist()) == sorted(texts[:10] + [texts[11], texts[13]])
    vetoes = _vetoes(result)
    assert vetoes["candidate_pairs"] == 9
    assert vetoes["vetoed_voice"] == 4  # 1~2, 3~4, 5~6, 7~8 (merged before: 3 lines of these were duplicates)
    assert vetoes["vetoed_substitution"] == 1  # 9~10: werd/betaalde aligned as a replaced word
    assert sum(v for k, v in vetoes.items() if k.startswith("vetoed_")) == 5


@pytest.mark.parametrize(
    ("a", "b", "voice_vetoes"),
    [
        ("The complaint filed with the consumer office in October says that Maria ripped off the customer when she sold the used van.",
         "The complaint filed with the consumer office in October says that Maria was ripped off by the customer when she sold the used van.", 1),
        ("According to the dispatch log for the night shift, Tom picked up Ann from the station after the last regional train arrived late.",
         "According to the dispatch log for the night shift, Tom was picked up by Ann from the station after the last regional train arrived late.", 1),
        ("According to the dispatch log for the night shift, Tom was picked up by Ann from the station after the last regional train arrived late.",
         "According to the dispatch log for the night shift,  Tom was picked up by Ann from the station after the last regional train arrived late", 0),
    ],
)
def test_clean_step_one_pair(a: str, b: str, voice_vetoes: int) -> None:
    result = _clean(["id", "note"], [["1", a], ["2", b], ["3", OTHER]])
    vetoes = _vetoes(result)
    assert vetoes["candidate_pairs"] == 1 and vetoes["vetoed_voice"] == voice_vetoes
    assert _dups(result) == ([] if voice_vetoes else [(3, "near_text")])
    assert len(result.curated) == 3 - (1 - voice_vetoes)
