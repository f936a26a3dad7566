"""Can't Be Late's Uniform Progress (Wu et al., NSDI '24), as its simulator codes it.

With ``ep(t) = t x C / deadline`` the expected progress and ``cp(t)`` the progress made, and ``d``
the restart overhead: (1) idle and behind (cp < ep): on demand; (2) spot whenever a pool has
capacity; (3) hysteresis: once on demand, stay there until cp(t) >= ep(t + 2d); (4) safety net:
when the time left is under the work left plus 2d, on demand to the end. As published it watches
one pool; here it may take any pool with capacity (the cheapest), so it sees what the others see.
"""

from __future__ import annotations

from sskai.spot.decisions import Decision, Keep, LaunchOnDemand, LaunchSpot, Wait
from sskai.spot.policies.common import cheapest
from sskai.spot.policy import Observation, Past, PolicyJob, SpotPolicy


class UniformProgressPolicy(SpotPolicy, name="uniform_progress"):
    def start(self, job: PolicyJob, past: Past) -> None:
        super().start(job, past)
        self.committed = False

    def _expected(self, at_seconds: float) -> float:
        return at_seconds * self.job.work_seconds / max(self.job.deadline_seconds, 1.0)

    def decide(self, seen: Observation) -> Decision:
        job, d = self.job, self.job.restart_seconds
        done = job.work_seconds - seen.remaining_work_seconds
        if self.committed or seen.seconds_to_deadline < seen.remaining_work_seconds + seen.owed_seconds + 2 * d:
            self.committed = True
            return (
                Keep("safety net: on demand to the end")
                if seen.where.on_demand
                else LaunchOnDemand("safety net: the time left is under the work left plus two restarts")
            )
        if seen.where.pool is not None:
            return Keep("spot, holding capacity")
        pool = cheapest(seen)
        if seen.where.on_demand:
            if pool is not None and done >= self._expected(seen.now_seconds + 2 * d):
                return LaunchSpot(pool, f"ahead of the uniform line: back to spot {job.pool_names[pool]}")
            return Keep("on demand until progress passes the uniform line (hysteresis)")
        if pool is not None:
            return LaunchSpot(pool, f"spot whenever it can be had: {job.pool_names[pool]}")
        if done < self._expected(seen.now_seconds):
            return LaunchOnDemand("no spot and behind the uniform line")
        return Wait("no spot, and ahead of the uniform line")
