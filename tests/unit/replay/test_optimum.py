"""The optimum is a lower bound: no policy that meets its deadline replays for less, on the shipped traces."""

from __future__ import annotations

import random

from sskai.catalog import load_catalog
from sskai.replay import ReplayJob, optimal_cost, replay
from sskai.replay.sources import shipped_worlds
from sskai.risk.shipped import shipped_risk_model
from sskai.spot.policies import policy_named
from sskai.spot.policy import SpotPolicy


def test_no_policy_beats_the_optimum_on_the_shipped_traces() -> None:
    risk = shipped_risk_model(load_catalog())
    worlds = shipped_worlds(load_catalog())
    cases = [
        (worlds[0], ReplayJob(6.0, 8.0, data_gb=50.0), random.Random(7).sample(range(3200, worlds[0].ticks - 400), 3))
    ]
    cases += [(w, ReplayJob(1.0, 1.5, gang=4), [len(w.pools[0].capacity) // 2]) for w in worlds[1:]]
    for world, job, starts in cases:
        for start in starts:
            best = optimal_cost(world, job, start)
            for name in SpotPolicy.registry.names():
                if name.endswith("-for-tests"):
                    continue
                outcome = replay(policy_named(name), world, job, start, risk)
                if outcome.deadline_met:
                    assert outcome.cost_usd >= best - 1e-9, (world.name, name, start)
