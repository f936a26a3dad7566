"""Register the process work pool and every deployment on the Prefect server at ``PREFECT_API_URL``.

``python -m deployments.register [POOL]``: idempotent, so ``sskai up`` runs it on every start.
The deployments are the same ones ``deployments.serve`` serves (built from the flows), bound to a
process work pool whose worker runs each flow from this repository.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from pathlib import Path

from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.exceptions import ObjectAlreadyExists

from deployments.catalog import all_deployments

REPO = Path(__file__).resolve().parents[1]
PROCESS_POOL = "sskai-process"


async def ensure_work_pool(name: str) -> None:
    async with get_client() as client:
        with contextlib.suppress(ObjectAlreadyExists):
            await client.create_work_pool(WorkPoolCreate(name=name, type="process"))


def register(pool: str = PROCESS_POOL) -> list[str]:
    """Create ``pool`` if missing and (re)apply every deployment to it; returns the deployments' names."""
    asyncio.run(ensure_work_pool(pool))
    names = []
    for deployment in all_deployments(job_variables={"working_dir": str(REPO)}):
        deployment.apply(work_pool_name=pool)
        names.append(f"{deployment.flow_name}/{deployment.name}")
    return names


if __name__ == "__main__":
    for name in register(*sys.argv[1:2]):
        print(name)
