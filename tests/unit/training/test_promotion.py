"""Retraining with promotion: a candidate replaces the serving weights only when it does better on the same
held-out split, the switch fails no request, and the verdict is recorded either way."""

from __future__ import annotations

from sskai.training.promotion import verdict


def test_the_verdict_needs_the_margin() -> None:
    assert verdict(1.0, 0.9, 0.05) == (True, verdict(1.0, 0.9, 0.05)[1])
    promoted, reason = verdict(1.0, 0.98, 0.05)
    assert not promoted and "short of the 5.0% asked for" in reason and "+2.0% better" in reason
    assert verdict(None, 0.5, 0.05)[0] and not verdict(1.0, float("nan"), 0.0)[0]
