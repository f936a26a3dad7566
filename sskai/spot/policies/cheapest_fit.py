"""SkyPilot's default for managed spot jobs (EAGER_NEXT_REGION), with and without an on-demand safety net.

Launch on the cheapest pool with capacity now; after a preemption fail over eagerly to the cheapest
pool in another region (the lost region only if no other has capacity); with nothing available,
wait (``cheapest_fit``) or launch on demand and stay there (``cheapest_fit_safety_net``, what
``any_of: [spot, on-demand]`` does).
"""

from __future__ import annotations

import numpy as np

from sskai.spot.decisions import Decision, Keep, LaunchOnDemand, LaunchSpot, Wait
from sskai.spot.policies.common import cheapest
from sskai.spot.policy import Observation, Past, PolicyJob, SpotPolicy


class CheapestFitPolicy(SpotPolicy, name="cheapest_fit"):
    safety_net = False

    def start(self, job: PolicyJob, past: Past) -> None:
        super().start(job, past)
        self.regions = np.array([pool.region for pool in job.pools])
        self.last_pool: int | None = None

    def decide(self, seen: Observation) -> Decision:
        if not seen.where.idle:
            return Keep("holding capacity")
        names = self.job.pool_names
        choice = None
        if seen.preempted and self.last_pool is not None:
            lost = self.regions[self.last_pool]
            choice = cheapest(seen, self.regions != lost)
            if choice is not None:
                self.last_pool = choice
                return LaunchSpot(choice, f"preempted in {lost}: eager failover to {names[choice]}")
        choice = cheapest(seen)
        if choice is not None:
            self.last_pool = choice
            return LaunchSpot(choice, f"cheapest pool with capacity: {names[choice]}")
        if self.safety_net:
            return LaunchOnDemand("no spot pool has capacity: the on-demand fallback")
        return Wait("no spot pool has capacity")


class CheapestFitSafetyNetPolicy(CheapestFitPolicy, name="cheapest_fit_safety_net"):
    safety_net = True
