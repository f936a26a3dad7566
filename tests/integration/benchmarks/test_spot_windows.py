"""The live benchmarks' trace windows: chosen as their docstrings say, so every policy meets the same losses."""

from __future__ import annotations

import numpy as np

from benchmarks.spot_goodput import WORKERS, window_with
from benchmarks.spot_live import TRACE, window
from benchmarks.trace_replay import CALIBRATION_DAYS
from sskai.catalog import load_catalog
from sskai.localcloud.simulation import SpotSimulation, losses_of_a_held_job


def test_the_goodput_window_holds_the_losses_asked_for() -> None:
    start, losses = window_with("v100-us-east-1f", 30.0, 80.0, 2)
    world = SpotSimulation(source="trace", trace="v100-us-east-1f").script((), WORKERS, load_catalog()).world
    tick = int(start // world.tick_seconds)
    span = int(80.0 * 30.0 / world.tick_seconds)
    assert losses == 2 == int(losses_of_a_held_job(world, WORKERS)[tick : tick + span].sum())
    assert int(world.preempts(WORKERS)[0, tick : tick + span].sum()) >= losses  # a down pool "hits" every tick
    assert world.capacity[0, tick] >= WORKERS  # the job starts on a pool that holds it


def test_the_live_window_is_out_of_sample_and_loses_the_cheapest_pool() -> None:
    simulation = SpotSimulation(source="trace", trace=TRACE)
    start = window(simulation, 0.5)
    world = simulation.script((), 2, load_catalog()).world
    tick = int(start // world.tick_seconds)
    up = world.capacity[:, tick] >= 2
    cheapest = int(np.argmin(np.where(up, world.prices[:, tick], np.inf)))
    assert start >= CALIBRATION_DAYS * 86_400
    assert np.any(losses_of_a_held_job(world, 2, cheapest)[tick + 2 : tick + 10])
