"""Money math: the one place that turns seconds, gigabyte-seconds and requests into dollars."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sskai.catalog.catalog import InstanceOffer, LambdaPricing, spot_usd_per_hour
from sskai.units import SECONDS_PER_HOUR


@dataclass(frozen=True)
class MeteredCost:
    paid_usd: float
    alternative_usd: float

    @property
    def saving_usd(self) -> float:
        return self.alternative_usd - self.paid_usd


def node_seconds_cost(offer: InstanceOffer, seconds: float, node_count: int = 1) -> MeteredCost:
    """Cost of ``node_count`` nodes for ``seconds`` at spot, and the on-demand price they replaced."""
    hours = seconds * node_count / SECONDS_PER_HOUR
    ondemand = offer.ondemand_usd_per_hour if offer.ondemand_usd_per_hour is not None else spot_usd_per_hour(offer)
    return MeteredCost(paid_usd=hours * spot_usd_per_hour(offer), alternative_usd=hours * ondemand)


@dataclass(frozen=True)
class LambdaCharge:
    """Lambda bills memory (GB) times duration plus a fee per request; the two parts explain a bill."""

    compute_usd: float
    request_fee_usd: float

    @property
    def total_usd(self) -> float:
        return self.compute_usd + self.request_fee_usd


def lambda_charge(pricing: LambdaPricing, memory_mb: int, billed_seconds: float, requests: int) -> LambdaCharge:
    return LambdaCharge(
        compute_usd=(memory_mb / 1024.0) * billed_seconds * pricing.usd_per_gb_second,
        request_fee_usd=requests * pricing.usd_per_million_requests / 1e6,
    )


def sagemaker_serverless_usd(pricing: LambdaPricing, memory_mb: int, billed_seconds: float) -> float:
    """The managed alternative to a serverless endpoint bills the same GB-seconds, with no request fee."""
    return (memory_mb / 1024.0) * billed_seconds * pricing.sagemaker_serverless_usd_per_gb_second


SMALLEST_SHOWN = 0.0001  # a hundredth of a cent: what a person reading a bill can still care about


def dollars(usd: float) -> str:
    """Cents for a dollar or more; three significant digits (and cents at least) below, for a local run's fractions.

    "$1,234.57", "$0.20", "$0.0123", "$0.000248"; under a hundredth of a cent, "<$0.0001": never a
    column of zeros, never scientific notation.
    """
    if abs(usd) >= 1 or usd == 0:
        return f"${usd:,.2f}"
    if abs(usd) < SMALLEST_SHOWN:
        return f"<${SMALLEST_SHOWN}" if usd > 0 else f">-${SMALLEST_SHOWN}"
    whole, _, cents_and_more = np.format_float_positional(usd, precision=3, fractional=False, trim="-").partition(".")
    return f"${whole}.{cents_and_more.ljust(2, '0')}"
