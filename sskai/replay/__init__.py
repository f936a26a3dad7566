"""Trace replay: spot policies (:mod:`sskai.spot.policies`) run through real spot traces, tick by tick,
against the omniscient optimum."""

from sskai.replay.engine import DecisionRecord, Outcome, replay
from sskai.replay.optimum import optimal_cost
from sskai.replay.world import Pool, ReplayJob, World

__all__ = ["DecisionRecord", "Outcome", "Pool", "ReplayJob", "World", "optimal_cost", "replay"]
