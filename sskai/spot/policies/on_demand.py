"""On demand from the start: the price every other policy is measured against."""

from __future__ import annotations

from sskai.spot.decisions import Decision, Keep, LaunchOnDemand
from sskai.spot.policy import Observation, SpotPolicy


class OnDemandPolicy(SpotPolicy, name="on_demand"):
    def decide(self, seen: Observation) -> Decision:
        if seen.where.on_demand:
            return Keep("on demand to the end")
        return LaunchOnDemand("this policy runs on demand only")
