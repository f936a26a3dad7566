"""Prices over time: the catalog every stage prices with, and the refresh that replaces it.

``current_catalog`` is the one accessor: the newest stored catalog version, else the shipped
snapshot. The refresh fetches (or falls back to) a catalog, stores it as a version, re-runs the
election, and rewrites the Karpenter NodePools only when the answer changed, recording what changed.
"""

from __future__ import annotations

import io
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from sskai.catalog.catalog import Catalog, load_catalog, offers_to_csv, read_offers
from sskai.catalog.refresh import SPOT_ADVISOR_URL, credentials_available, fetch_live_catalog
from sskai.election import Job, elect
from sskai.election.base import ElectionResult
from sskai.karpenter import diff_pools, pools_summary, render_node_class, render_nodepools, to_yaml
from sskai.kinds import ResourceKind, Status
from sskai.store.metadata import CatalogVersion, ElectionRecord, utcnow
from sskai.store.stores import Stores

# NodePools are ranked for a reference job, so a tier's types are ordered by cost per unit of work:
# 1e18 FLOPs is about an hour on one A100-class GPU, checkpointed every 10 minutes.
REFERENCE_JOB = Job(name="nodepool-reference", work_flops=1e18, checkpoint_interval_seconds=600, top_k=5)


def refresh_catalog(
    stores: Stores,
    regions: tuple[str, ...],
    live: bool | None = None,
    advisor_url: str = SPOT_ADVISOR_URL,
    client: Any = None,
) -> tuple[Catalog, CatalogVersion]:
    """Live when asked (or when credentials exist and ``live`` is None), else the shipped snapshot."""
    base = load_catalog()
    use_live = credentials_available() if live is None else live
    catalog = fetch_live_catalog(regions, base, advisor_url=advisor_url, client=client) if use_live else base
    return catalog, store_catalog_version(stores, catalog, live=use_live)


def store_catalog_version(stores: Stores, catalog: Catalog, live: bool) -> CatalogVersion:
    """Keep ``catalog``'s offers as a new version; from now on it is what ``current_catalog`` returns."""
    stamp = utcnow()
    key = f"catalogs/{stamp:%Y%m%dT%H%M%S%f}-{'live' if live else 'snapshot'}.csv"
    stores.artifacts.put_bytes(key, offers_to_csv(catalog.offers).encode())
    return stores.metadata.add(
        CatalogVersion(
            owner=stores.settings.owner,
            source=catalog.source,
            live=live,
            fetched_at=stamp,
            offer_count=len(catalog.offers),
            artifact_key=key,
            status=Status.READY,
        )
    )


def load_catalog_version(stores: Stores, version: CatalogVersion) -> Catalog:
    return _read_version(stores, version.id, version.artifact_key, version.source)


@lru_cache(maxsize=8)
def _read_version(stores: Stores, version_id: str, artifact_key: str, source: str) -> Catalog:
    """A stored version never changes, so each is read from the artifact store once per process."""
    text = stores.artifacts.get_bytes(artifact_key).decode()
    return replace(load_catalog(), offers=read_offers(io.StringIO(text)), source=source)


def current_catalog(stores: Stores) -> Catalog:
    """What every stage prices with: the newest stored catalog version, else the shipped snapshot.

    Prices are facts about the cloud, not about an owner, so the newest version of any owner counts.
    """
    newest = stores.metadata.latest(CatalogVersion, status=Status.READY)
    return load_catalog() if newest is None else load_catalog_version(stores, newest)


def elect_pools(catalog: Catalog, region: str, election: str = "sskai") -> tuple[ElectionResult, list[dict[str, Any]]]:
    result = elect(election, replace(REFERENCE_JOB, regions=(region,)), catalog)
    manifests = [render_node_class(), *render_nodepools(result, catalog_source=catalog.source)]
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
