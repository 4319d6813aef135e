"""Claims on (date, file) with a lease, on both state backends, and under many claimer processes at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from headwater.claims import CLEANED, WRITING, Claim, ClaimLost, Claims

CLAIMERS, ROUNDS = 8, 20
T0 = 1_800_000_000.0  # 2027-01-15T08:00:00Z


class Clock:
    """A settable UTC epoch clock."""

    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_free_file_is_claimed_and_another_run_is_told_who_holds_it_until_when(state_where: Path | str) -> None:
    clock = Clock()
    claims = Claims(state_where, lease_s=300, clock=clock)
    won = claims.claim("2026-11-20", "a.csv", "manual__1", "process_file.check[0]")
    assert won.won and won.claim == Claim("2026-11-20", "a.csv", "manual__1", "process_file.check[0]", WRITING, T0, T0 + 300)
    clock.now += 299
    lost = claims.claim("2026-11-20", "a.csv", "manual__2", "process_file.check[3]")
    assert not lost.won and lost.claim == won.claim
    assert lost.claim.reason == "claimed by run manual__1 (process_file.check[0]) until 2027-01-15T08:05:00+00:00"
    assert claims.claim("2026-11-20", "b.csv", "manual__2").won  # another file of the date is free
    assert claims.holder("2026-11-20", "a.csv") == won.claim  # the refused claim wrote nothing


def test_a_run_re_enters_its_own_claim_and_pushes_the_lease_on(state_where: Path | str) -> None:
    clock = Clock()
    claims = Claims(state_where, lease_s=300, clock=clock)
    claims.claim("d", "a.csv", "run-1", "check")
    claims.renew("d", "a.csv", "run-1", "clean", phase=CLEANED)
    clock.now += 200  # a retry of the run's task, or its index_file group (another map index)
    again = claims.renew("d", "a.csv", "run-1", "embed")
    assert again == Claim("d", "a.csv", "run-1", "embed", CLEANED, T0, T0 + 500)  # phase and start kept
    clock.now += 250  # past the first lease (T0 + 300), within the renewed one: still the run's
    assert not claims.claim("d", "a.csv", "run-2").won


def test_an_expired_claim_is_taken_over_and_the_old_run_finds_it_lost(state_where: Path | str) -> None:
    clock = Clock()
    claims = Claims(state_where, lease_s=300, clock=clock)
    claims.claim("d", "a.csv", "crashed", "embed", phase=CLEANED)
    clock.now += 299.5
    assert not claims.claim("d", "a.csv", "run-2", "check").won  # half a second before the lease ends
    clock.now += 0.5
    taken = claims.claim("d", "a.csv", "run-2", "check")
    assert taken.won and taken.claim == Claim("d", "a.csv", "run-2", "check", WRITING, T0 + 300, T0 + 600)
    with pytest.raises(ClaimLost, match=r"d/a.csv: claimed by run run-2 \(check\) until 2027-01-15T08:10:00\+00:00"):
        claims.renew("d", "a.csv", "crashed", "embed")  # the worker came back: it must not write


def test_release_deletes_only_the_releasing_runs_claims(state_where: Path | str) -> None:
    clock = Clock()
    claims = Claims(state_where, lease_s=300, clock=clock)
    claims.claim("d", "a.csv", "run-1")
    claims.claim("d", "b.csv", "run-1")
    claims.claim("d", "c.csv", "run-2")
    assert claims.release("d", "a.csv", "run-2") is False and claims.holder("d", "a.csv").run_id == "run-1"
    assert claims.release("d", "a.csv", "run-1") is True and claims.holder("d", "a.csv") is None
    assert claims.claim("d", "a.csv", "run-2").won  # free again at once, no lease to wait out
    assert claims.release_run("run-1") == 1 and claims.holder("d", "b.csv") is None
    assert claims.holder("d", "c.csv").run_id == "run-2"


def test_extend_renews_only_the_runs_own_claims_and_writing_claims_of_others_are_listed(state_where: Path | str) -> None:
    clock = Clock()
    claims = Claims(state_where, lease_s=300, clock=clock)
    claims.claim("d", "a.csv", "run-1")
    claims.claim("d", "b.csv", "run-2")
    claims.claim("d", "c.csv", "run-2", phase=CLEANED)
    claims.claim("e", "x.csv", "run-2")
    clock.now += 100
    assert claims.extend([("d", "a.csv"), ("d", "b.csv"), ("d", "z.csv")], "run-1") == 1
    assert claims.holder("d", "a.csv").expires_at == T0 + 400 and claims.holder("d", "b.csv").expires_at == T0 + 300
    assert [(c.date, c.file) for c in claims.others_writing(["d"], "run-1")] == [("d", "b.csv")]
    assert claims.others_writing(["d"], "run-2") == [claims.holder("d", "a.csv")]
    clock.now += 200  # run-2's lease on b.csv ends: no longer waited for
    assert claims.others_writing(["d", "e"], "run-1") == []


def test_wait_cleaned_waits_until_the_other_runs_files_are_cleaned(state_where: Path | str) -> None:
    clock = Clock()
    claims = Claims(state_where, lease_s=300, clock=clock)
    claims.claim("d", "b.csv", "run-2", "check")
    polls = []

    def sleep(seconds: float) -> None:  # run-2's clean finishes during the second wait
        polls.append(seconds)
        if len(polls) == 2:
            claims.renew("d", "b.csv", "run-2", "clean", phase=CLEANED)

    waited = claims.wait_cleaned(["d"], "run-1", poll_s=2.0, sleep=sleep)
    assert polls == [2.0, 2.0] and [(c.file, c.run_id) for c in waited] == [("b.csv", "run-2")]


def test_a_lease_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="must be positive"):
        Claims(tmp_path / "s.sqlite", lease_s=0)


def _claimer(where: Path | str, out: str, claimer: int, barrier) -> None:  # noqa: ANN001 - a multiprocessing barrier
    barrier.wait()  # every process opens the store (and creates its table) at the same moment
    claims = Claims(where, lease_s=60, clock=lambda: T0 + 1000)
    lines = []
    for round_ in range(ROUNDS):
        barrier.wait()  # all claim the free file f<round> at once
        free = claims.claim("d", f"f{round_:02d}", f"run-{claimer}", f"[{claimer}]")
        barrier.wait()  # then all race to take over e<round>, whose claim (by a dead run) expired
        expired = claims.claim("d", f"e{round_:02d}", f"run-{claimer}", f"[{claimer}]")
        lines.append(f"{round_} {int(free.won)} {free.claim.run_id} {int(expired.won)} {expired.claim.run_id}\n")
    Path(out).write_text("".join(lines))


def test_many_processes_claim_one_file_at_once_and_exactly_one_wins(state_where: Path | str, at_once, tmp_path: Path) -> None:  # noqa: ANN001
    """8 processes x 20 rounds: each round all claim one free file at once, then all take over one expired
    claim at once. Exactly one wins each race, every loser is told the winner, and the row is the winner's.
    A claim that reads the row and then writes lets two processes both see it free (or expired) and both win.
    """
    dead = Claims(state_where, lease_s=60, clock=lambda: T0)
    for round_ in range(ROUNDS):
        dead.claim("d", f"e{round_:02d}", "dead-run", "embed")  # expired at T0 + 60, long before T0 + 1000
    at_once(_claimer, [(state_where, str(tmp_path / f"{c}.txt"), c) for c in range(CLAIMERS)], start="forkserver", preload=("headwater.claims",), timeout_s=300)
    rows = [line.split() for c in range(CLAIMERS) for line in (tmp_path / f"{c}.txt").read_text().splitlines()]
    claims = Claims(state_where, lease_s=60)
    for round_ in range(ROUNDS):
        mine = [r for r in rows if r[0] == str(round_)]
        for kind, won, holder in (("f", 1, 2), ("e", 3, 4)):
            winners = [r for r in mine if r[won] == "1"]
            assert len(winners) == 1, (kind, round_, mine)
            winner = winners[0][holder]
            assert {r[holder] for r in mine} == {winner}  # every loser names the winner
            assert claims.holder("d", f"{kind}{round_:02d}").run_id == winner


def test_renewing_keeps_a_claim_alive_past_its_lease_while_the_block_runs(state_where: Path | str) -> None:
    import time

    claims = Claims(state_where, lease_s=2.0)  # the real clock; renewed every 0.67 s from a thread
    claims.claim("d", "a.csv", "run-1", "embed")
    with claims.renewing([("d", "a.csv")], "run-1"):
        time.sleep(5.0)  # 2.5 leases
        assert not claims.claim("d", "a.csv", "run-2").won
    time.sleep(2.2)  # no renewal after the block: the lease lapses
    assert claims.claim("d", "a.csv", "run-2").won
