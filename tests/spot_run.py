"""Run one stored training with a spot simulation in a process of its own, as the train task would.

``python -m tests.spot_run TRAINING_ID [SIMULATION_JSON]``, with SSKAI_HOME set. The spot tests
start it so that they can kill it, and its cluster, from outside.
"""

from __future__ import annotations

import sys

from sskai.catalog import load_catalog
from sskai.localcloud.simulation import SpotSimulation
from sskai.store.stores import open_stores
from sskai.training.service import run_stored_training

if __name__ == "__main__":
    simulation = SpotSimulation.model_validate_json(sys.argv[2]) if len(sys.argv) > 2 else None
    run_stored_training(open_stores(), sys.argv[1], load_catalog(), simulation)
