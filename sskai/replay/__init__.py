"""Trace replay: policies run through real spot traces, tick by tick, against the omniscient optimum."""

from sskai.replay.engine import IDLE, ONDEMAND, Observation, Outcome, replay
from sskai.replay.optimum import optimal_cost
from sskai.replay.policies import ReplayPolicy
from sskai.replay.world import Pool, ReplayJob, World

__all__ = [
    "IDLE",
    "ONDEMAND",
    "Observation",
    "Outcome",
    "Pool",
    "ReplayJob",
    "ReplayPolicy",
    "World",
    "optimal_cost",
    "replay",
]
