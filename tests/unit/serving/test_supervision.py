"""A local endpoint whose process dies is started again at its URL, keeps its request counts, and the
restarts are bounded with back-off."""

from __future__ import annotations

from sskai.serving.supervisor import BACKOFF_SECONDS, RESTART_LIMIT, STABLE_SECONDS, Supervision


def test_the_restart_count_starts_afresh_after_a_stable_stretch() -> None:
    tired = Supervision(restarts=RESTART_LIMIT, last_restart_at=1000.0)
    assert tired.next_attempt_at(down_at=1100.0) is None
    rested = tired.settled(down_at=1000.0 + STABLE_SECONDS)
    assert rested.restarts == 0 and rested.next_attempt_at(down_at=1700.0) == 1700.0 + BACKOFF_SECONDS[0]
    assert Supervision(restarts=2).next_attempt_at(down_at=10.0) == 10.0 + BACKOFF_SECONDS[2]
