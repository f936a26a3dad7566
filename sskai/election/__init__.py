"""Instance election: which spot instances to run on, as pure functions of (job, catalog, policy).

Two elections register by name: ``algorithm1`` (SSKAI's Algorithm 1, kept as the reference) and
``sskai`` (expected cost per unit of work, with interruptions priced in). Both return every number
that decided the ranking.
"""

from sskai.election.algorithm1 import Algorithm1Election
from sskai.election.base import Candidate, Election, ElectionResult, elect
from sskai.election.expected_cost import ExpectedCostElection
from sskai.election.job import Job

__all__ = [
    "Algorithm1Election",
    "Candidate",
    "Election",
    "ElectionResult",
    "ExpectedCostElection",
    "Job",
    "elect",
]
