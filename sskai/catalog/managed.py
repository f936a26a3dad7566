"""What the equivalent managed service would have cost: SageMaker AI training and real-time inference.

SageMaker bills an ML instance (``ml.g4dn.xlarge``) per second at one hourly rate for training jobs and
for real-time endpoints. Where the snapshot lists the type, that rate is used. Otherwise it is
estimated: the EC2 on-demand price times the median SageMaker-to-EC2 ratio of the listed types, and
the figure says it is an estimate.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

SAGEMAKER_TRAINING = "SageMaker training"
SAGEMAKER_REAL_TIME = "SageMaker real-time inference"


@dataclass(frozen=True)
class ManagedPrice:
    usd_per_hour: float
    instance: str  # the ML instance it stands for: "ml.g4dn.xlarge"
    estimated: bool  # True when not in the price table (EC2 on-demand x the median ratio)


@dataclass(frozen=True)
class SageMakerPricing:
    usd_per_hour: Mapping[str, float]  # by ML instance name
    markup: float  # median listed SageMaker price / EC2 on-demand price of the same type
    region: str
    source: str

    def price(self, instance_type: str, region: str, ondemand_usd_per_hour: float) -> ManagedPrice:
        """The ML-instance rate of an EC2 type in a region: listed, or estimated from its on-demand price."""
        name = f"ml.{instance_type}"
        listed = self.usd_per_hour.get(name) if region == self.region else None
        if listed is not None:
            return ManagedPrice(listed, name, estimated=False)
        return ManagedPrice(ondemand_usd_per_hour * self.markup, name, estimated=True)


def load_sagemaker_pricing(path: Path, ondemand_prices: Mapping[tuple[str, str], float]) -> SageMakerPricing:
    """``ondemand_prices`` by (EC2 type, region): the markup is taken over the listed types found there."""
    data = json.loads(path.read_text())
    prices = {name: float(usd) for name, usd in data["usd_per_hour"].items()}
    region = data["region"]
    ratios = [
        usd / ondemand_prices[(name.removeprefix("ml."), region)]
        for name, usd in prices.items()
        if ondemand_prices.get((name.removeprefix("ml."), region))
    ]
    if not ratios:
        raise ValueError(f"{path}: no listed SageMaker type has an EC2 on-demand price to compare with")
    return SageMakerPricing(prices, statistics.median(ratios), region, f"{data['page']} ({data['as_of']})")
