"""Pricing-refresh flow (hourly): refresh the catalog, re-run the election, rewrite NodePools on a change."""

from __future__ import annotations

from prefect import flow

from tasks.pricing import RefreshResult, refresh_catalog_task, update_nodepools_task


@flow(name="pricing-refresh")
def pricing_refresh_flow(
    regions: list[str] | None = None,
    cluster_region: str = "us-east-1",
    live: bool | None = None,
    output: str | None = None,
    election: str = "sskai",
) -> RefreshResult:
    """``live=None`` uses the AWS APIs when credentials exist and the shipped snapshot otherwise."""
    version_id = refresh_catalog_task(regions or [cluster_region], live)
    return update_nodepools_task(version_id, cluster_region, output, election)
