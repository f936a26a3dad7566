"""NodePools follow the election: re-run it on a catalog version and rewrite the Karpenter NodePools only
when the answer changed, recording what changed."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from sskai.catalog.catalog import Catalog
from sskai.clusters.karpenter import (
    HEAD_MIN_MEMORY_GIB,
    MIN_TYPES_PER_POOL,
    diff_pools,
    pools_summary,
    render_node_class,
    render_nodepools,
    render_ondemand_nodepool,
    to_yaml,
)
from sskai.election import Job, elect
from sskai.election.base import ElectionResult
from sskai.kinds import ResourceKind, Status
from sskai.store.metadata import CatalogVersion, ElectionRecord
from sskai.store.stores import Stores

# NodePools are ranked for a reference job, so a tier's types are ordered by cost per unit of work:
# 1e18 FLOPs is about an hour on one A100-class GPU, checkpointed every 10 minutes.
REFERENCE_JOB = Job(name="nodepool-reference", work_flops=1e18, checkpoint_interval_seconds=600, top_k=5)


def elect_pools(catalog: Catalog, region: str, election: str = "sskai") -> tuple[ElectionResult, list[dict[str, Any]]]:
    result = elect(election, replace(REFERENCE_JOB, regions=(region,)), catalog)
    heads = sorted(
        (o for o in catalog.cpu_offers if o.region == region and o.memory_gib >= HEAD_MIN_MEMORY_GIB),
        key=lambda o: (o.ondemand_usd_per_hour, o.instance_type),
    )
    ondemand = render_ondemand_nodepool(result, [o.instance_type for o in heads[:MIN_TYPES_PER_POOL]])
    manifests = [render_node_class(), *render_nodepools(result, catalog_source=catalog.source), ondemand]
    return result, manifests


def update_nodepools(
    stores: Stores, version: CatalogVersion, catalog: Catalog, region: str, output: Path, election: str = "sskai"
) -> ElectionRecord:
    """Elect, compare with the last election for this region, and rewrite ``output`` only on a change."""
    result, manifests = elect_pools(catalog, region, election)
    pools = pools_summary(manifests)
    previous = stores.metadata.latest(ElectionRecord, owner=stores.settings.owner, region=region, election=election)
    diff = diff_pools(previous.pools if previous else {}, pools)
    changed = previous is None or bool(diff) or not output.exists()
    if changed:
        output.parent.mkdir(parents=True, exist_ok=True)
        text = to_yaml(manifests)
        output.write_text(text)
        stores.artifacts.put_bytes(f"karpenter/{region}/nodepools.yaml", text.encode())
    record = stores.metadata.add(
        ElectionRecord(
            owner=stores.settings.owner,
            catalog_version_id=version.id,
            election=election,
            region=region,
            pools=pools,
            changed=changed,
            diff=diff,
            result=result.as_dict(),
            status=Status.READY,
        )
    )
    stores.metadata.log(
        stores.settings.owner,
        ResourceKind.ELECTION,
        record.id,
        f"{election} election in {region}: "
        + (f"NodePools rewritten, diff {diff}" if changed else "answer unchanged, NodePools kept"),
    )
    return record
