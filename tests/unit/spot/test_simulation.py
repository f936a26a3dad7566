"""Each simulation source becomes the world the local cloud plays: checked by hand on small scripts."""

from __future__ import annotations

import numpy as np
import pytest

from sskai.catalog import load_catalog
from sskai.errors import ConfigError
from sskai.localcloud.simulation import GROUPS, PoolOutage, ScheduledPreemption, SpotSimulation
from sskai.plans import PoolCandidate

CANDIDATES = (
    PoolCandidate(instance_type="g4dn.xlarge", region="us-east-1", spot_usd_per_hour=0.2, ondemand_usd_per_hour=0.5,
                  hazard_per_hour=0.05, mean_wait_hours=0.5),
    PoolCandidate(instance_type="g5.xlarge", region="us-west-2", spot_usd_per_hour=0.3, ondemand_usd_per_hour=1.0,
                  hazard_per_hour=0.2, mean_wait_hours=2.0),
)  # fmt: skip


def test_a_fixed_script_takes_one_node_for_a_while_and_a_whole_pool_for_good() -> None:
    simulation = SpotSimulation(
        source="fixed",
        tick_seconds=10,
        horizon_hours=0.1,
        preemptions=(ScheduledPreemption(at_seconds=20, slot="worker-0", notice_seconds=10),),
        outages=(PoolOutage(pool=1, at_seconds=50, notice_seconds=0),),
    )
    script = simulation.script(CANDIDATES, 2, load_catalog())
    counts = script.world.capacity
    # One node of pool 0 goes at 20 s and is back after its 10 s notice (tick 3); pool 1 goes at 50 s for good.
    assert counts[0, :6].tolist() == [2, 2, 1, 2, 2, 2]
    assert counts[1, :7].tolist() == [2, 2, 2, 2, 2, 0, 0] and counts[1, -1] == 0
    assert script.victims == {(0, 2): "worker-0"} and script.notices == {(0, 2): 10, (1, 5): 0}
    hits = script.world.preempts(2)
    # Each loss falls below the gang of two; a pool below the gang is a loss to whoever would hold it.
    assert hits[0].tolist()[:6] == [False, False, True, False, False, False] and hits[0].sum() == 1
    assert not hits[1, :5].any() and hits[1, 5:].all()
    assert [p.instance_type for p in script.world.pools] == ["g4dn.xlarge", "g5.xlarge"]
    assert script.world.home_region == "us-east-1" and script.world.ondemand_usd_per_hour == 0.5


def test_a_script_naming_a_pool_the_plan_lacks_is_refused() -> None:
    simulation = SpotSimulation(source="fixed", outages=(PoolOutage(pool=5, at_seconds=0),))
    with pytest.raises(ConfigError, match="pool 5; the plan has 2"):
        simulation.script(CANDIDATES, 2, load_catalog())
    with pytest.raises(ConfigError, match="candidate pools"):
        SpotSimulation(source="fixed").script((), 2, load_catalog())


def test_rates_lose_each_pool_at_its_own_calibrated_hazard() -> None:
    simulation = SpotSimulation(source="rates", tick_seconds=60, horizon_hours=24 * 60, seed=3)
    counts = simulation.script(CANDIDATES, 1, load_catalog()).world.capacity
    assert simulation.script(CANDIDATES, 1, load_catalog()).world.capacity.tolist() == counts.tolist()  # seeded
    outages = (np.diff((counts > 0).astype(int), axis=1) == -1).sum(axis=1)
    up_hours = (counts > 0).sum(axis=1) / 60
    rates = outages / up_hours
    # The risk model's hazards, 0.05 and 0.2 per hour held, not the Advisor band read literally.
    assert rates[0] == pytest.approx(0.05, rel=0.2) and rates[1] == pytest.approx(0.2, rel=0.2)
    down_share = (counts == 0).mean(axis=1)
    assert down_share[1] > down_share[0]  # the longer mean wait


def test_a_trace_group_gives_one_pool_per_zone_and_a_probe_is_read_as_the_gang() -> None:
    simulation = SpotSimulation(source="trace", trace="aws-v100-9-zones", trace_start_seconds=3600)
    script = simulation.script((), 2, load_catalog())
    assert len(script.world.pools) == 9 and script.start_tick == 3600 // script.world.tick_seconds
    assert int(script.world.capacity.max()) == 2  # a 1-node probe's "obtainable" is the gang's
    candidates = script.pool_candidates()
    assert [c.zone for c in candidates][:2] == ["us-east-1a", "us-east-1c"]
    assert {c.region for c in candidates} == {"us-east-1", "us-east-2", "us-west-2"}
    assert all(c.instance_type == "p3.2xlarge" and c.hazard_per_hour > 0 for c in candidates)
    one = SpotSimulation(source="trace", trace="v100-us-west-2b").script((), 1, load_catalog())
    assert [p.name for p in one.world.pools] == ["us-west-2b"]
    assert set(GROUPS) <= set(SpotSimulation.model_fields["trace"].annotation.__args__[0].__args__)


@pytest.mark.parametrize("trace", ["g4dn-cluster", "p3-cluster", "gcp-v100-group", "v100-us-east-1f"])
def test_every_single_trace_plays_as_one_pool(trace: str) -> None:
    """A trace that is its group's only pool (a cluster log) plays as that pool, as a zone of a group does."""
    world = SpotSimulation(source="trace", trace=trace).script((), 2, load_catalog()).world
    assert len(world.pools) == 1 and world.ticks > 100
