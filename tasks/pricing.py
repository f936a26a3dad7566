"""Pricing-refresh tasks: store a catalog version; elect and rewrite NodePools when the answer changes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from pydantic import BaseModel, ConfigDict

from sskai.catalog.versions import load_catalog_version, refresh_catalog
from sskai.clusters.nodepools import update_nodepools
from sskai.store.metadata import CatalogVersion
from tasks.common import retry_transient, stores


@task(retries=2, retry_delay_seconds=30, retry_condition_fn=retry_transient)
def refresh_catalog_task(regions: list[str], live: bool | None = None) -> str:
    catalog, version = refresh_catalog(stores(), tuple(regions), live)
    get_run_logger().info("catalog version %s: %d offers from %s", version.id, version.offer_count, catalog.source)
    return version.id


class RefreshResult(BaseModel):
    """A pricing refresh: the catalog version stored, the election it ran, and whether the NodePools changed."""

    model_config = ConfigDict(frozen=True)

    catalog_version_id: str
    election_id: str
    changed: bool
    diff: dict[str, Any]  # pool -> {"added": [...], "removed": [...]}
    path: str


@task
def update_nodepools_task(catalog_version_id: str, region: str, output: str | None, election: str) -> RefreshResult:
    s = stores()
    version = s.metadata.get(CatalogVersion, catalog_version_id)
    path = Path(output) if output else s.settings.nodepools_file
    record = update_nodepools(s, version, load_catalog_version(s, version), region, path, election)
    create_table_artifact(
        [{"pool": name, "instance_types": ", ".join(types)} for name, types in record.pools.items()],
        key="nodepools",
        description=f"{election} election in {region}",
    )
    summary = "rewritten" if record.changed else "unchanged"
    create_markdown_artifact(f"NodePools {summary} at `{path}`.\n\nDiff: `{record.diff}`", key="nodepools-diff")
    return RefreshResult(
        catalog_version_id=catalog_version_id,
        election_id=record.id,
        changed=record.changed,
        diff=record.diff,
        path=str(path),
    )
