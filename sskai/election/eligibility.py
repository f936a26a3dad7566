"""Which offers an election may consider: spot NVIDIA GPUs (CUDA PyTorch) that hold the job."""

from __future__ import annotations

from sskai.catalog.catalog import AcceleratorSpec, Catalog, InstanceOffer
from sskai.election.job import Job


def eligible(catalog: Catalog, job: Job) -> list[tuple[InstanceOffer, AcceleratorSpec]]:
    pairs = []
    for offer in catalog.spot_offers(job.regions):
        spec = catalog.accelerator_spec(offer)
        if spec is None or not offer.accelerator.startswith("NVIDIA") or offer.accelerator_count <= 0:
            continue
        if offer.accelerator_memory_gib_each < job.min_accelerator_memory_gib:
            continue
        if offer.accelerator_memory_gib_total < job.min_total_accelerator_memory_gib:
            continue
        pairs.append((offer, spec))
    return pairs
