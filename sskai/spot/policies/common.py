"""What several policies share: the cheapest pool with capacity now."""

from __future__ import annotations

import numpy as np

from sskai.spot.policy import Observation


def cheapest(seen: Observation, among: np.ndarray | None = None) -> int | None:
    """The cheapest pool with capacity now (lowest index on a tie), or None."""
    allowed = seen.available if among is None else seen.available & among
    if not allowed.any():
        return None
    return int(np.flatnonzero(allowed)[np.argmin(seen.prices[allowed])])
