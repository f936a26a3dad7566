"""What moving data costs: the dataset and checkpoints travel from where they live to where a node runs.

AWS bills data transfer to the sending side: nothing within one availability zone, $0.01/GB each way
between zones of a region, a per-region rate out to another region, and $0.09/GB out to the internet.
Data that lives off AWS (a laptop, another cloud's bucket) comes in for free: ``None`` stands for it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"
INTERNET = "internet"


@dataclass(frozen=True)
class TransferPricing:
    inter_az_usd_per_gb_each_way: float
    internet_out_usd_per_gb: float
    internet_in_usd_per_gb: float
    inter_region_default_usd_per_gb: float
    inter_region_out_usd_per_gb: dict[str, float] = field(default_factory=dict)
    pair_usd_per_gb: dict[frozenset[str], float] = field(default_factory=dict)
    source: str = ""

    def usd_per_gb(self, source: str | None, destination: str | None) -> float:
        """USD per GB sent from ``source`` to ``destination`` (regions; ``None`` is off AWS, ``internet``)."""
        if source is None or source == destination:
            return self.internet_in_usd_per_gb if source is None else 0.0
        if destination is None or destination == INTERNET:
            return self.internet_out_usd_per_gb
        pair = self.pair_usd_per_gb.get(frozenset((source, destination)))
        if pair is not None:
            return pair
        return self.inter_region_out_usd_per_gb.get(source, self.inter_region_default_usd_per_gb)

    def usd(self, gigabytes: float, source: str | None, destination: str | None) -> float:
        if gigabytes < 0:
            raise ValueError(f"cannot transfer {gigabytes} GB")
        return gigabytes * self.usd_per_gb(source, destination)

    def between_zones_usd(self, gigabytes: float) -> float:
        """Both sides pay: the sending zone's transfer out and the receiving zone's transfer in."""
        return gigabytes * 2 * self.inter_az_usd_per_gb_each_way


@cache
def load_transfer_pricing(path: Path = DATA_DIR / "transfer_pricing.json") -> TransferPricing:
    document = json.loads(Path(path).read_text())
    return TransferPricing(
        inter_az_usd_per_gb_each_way=document["inter_az_usd_per_gb_each_way"],
        internet_out_usd_per_gb=document["internet_out_usd_per_gb"],
        internet_in_usd_per_gb=document["internet_in_usd_per_gb"],
        inter_region_default_usd_per_gb=document["inter_region_default_usd_per_gb"],
        inter_region_out_usd_per_gb=dict(document["inter_region_out_usd_per_gb"]),
        pair_usd_per_gb={frozenset(p["regions"]): p["usd_per_gb"] for p in document["inter_region_pair_usd_per_gb"]},
        source=document["source"],
    )
