"""SSKAI's behaviour: the cheapest pool at submission (its Algorithm 1), and stay there: after a
preemption, wait for that pool to come back."""

from __future__ import annotations

import numpy as np

from sskai.spot.decisions import Decision, Keep, LaunchSpot, Wait
from sskai.spot.policy import Observation, SpotPolicy


class BaselinePolicy(SpotPolicy, name="baseline"):
    pool: int | None = None

    def decide(self, seen: Observation) -> Decision:
        if self.pool is None:
            self.pool = int(np.argmin(seen.prices))
        name = self.job.pool_names[self.pool]
        if not seen.where.idle:
            return Keep(f"staying in {name}")
        if seen.available[self.pool]:
            return LaunchSpot(self.pool, f"{name}, the pool chosen at submission, has capacity")
        return Wait(f"waiting for {name}, the pool chosen at submission, to come back")
