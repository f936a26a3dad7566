"""The shipped spot policies, each registered by name (see :mod:`sskai.spot.policy` for the contract).

- ``on_demand``: on demand from the start;
- ``cheapest_fit``: SkyPilot's managed-spot default (EAGER_NEXT_REGION), never on demand;
- ``cheapest_fit_safety_net``: the same with the on-demand fallback SkyPilot users configure
  (``any_of: [spot, on-demand]``);
- ``baseline``: SSKAI's: the cheapest pool at submission, waited for after every preemption;
- ``uniform_progress``: Can't Be Late (NSDI '24);
- ``sskai``: expected cost to finish, deadline-guarded, with waiting and moves priced.
"""

from __future__ import annotations

from sskai.spot.policies.baseline import BaselinePolicy
from sskai.spot.policies.cheapest_fit import CheapestFitPolicy, CheapestFitSafetyNetPolicy
from sskai.spot.policies.on_demand import OnDemandPolicy
from sskai.spot.policies.sskai import SskaiPolicy
from sskai.spot.policies.uniform_progress import UniformProgressPolicy
from sskai.spot.policy import SpotPolicy


def policy_named(name: str) -> SpotPolicy:
    """A fresh instance of the policy registered as ``name`` (an unknown name lists the valid ones)."""
    return SpotPolicy.registry.get(name)()


__all__ = [
    "BaselinePolicy",
    "CheapestFitPolicy",
    "CheapestFitSafetyNetPolicy",
    "OnDemandPolicy",
    "SskaiPolicy",
    "UniformProgressPolicy",
    "policy_named",
]
