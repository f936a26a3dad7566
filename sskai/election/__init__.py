"""Instance election: which spot instances to run on, as pure functions of (job, catalog, policy).

Two elections register by name: ``baseline`` (SSKAI's Algorithm 1, kept as the reference) and
``sskai`` (expected cost per unit of work, with interruptions priced in). Both return every number
that decided the ranking.
"""

from sskai.election.base import Candidate, Election, ElectionResult, elect
from sskai.election.baseline import BaselineElection
from sskai.election.expected_cost import ExpectedCostElection
from sskai.election.job import Job

__all__ = [
    "BaselineElection",
    "Candidate",
    "Election",
    "ElectionResult",
    "ExpectedCostElection",
    "Job",
    "elect",
]
