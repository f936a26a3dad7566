"""The Kubernetes work pool for scale: Prefect's job template for prefect-kubernetes, made to sskai's rules.

``python -m deployments.kubernetes_pool [POOL] [IMAGE]`` creates (or updates) the pool on the server at
``PREFECT_API_URL`` and applies every deployment to it; a ``prefect worker start --pool POOL --type
kubernetes`` in the cluster then runs the flows as Jobs. On top of prefect-kubernetes' default template:

- ``completions`` and ``parallelism`` go on the Job, where Kubernetes reads them (the default template
  puts them in the pod spec, where they are ignored);
- the flow pod runs as a non-root user with every capability dropped and no privilege escalation,
  under the ``sskai-flows`` service account;
- its stores come from the ``SskaiSettings`` block named by ``SSKAI_SETTINGS_BLOCK``, so no database URL
  is written into the template.

User code never runs in this pod: profiling, training nodes and inference run under
``sskai.sandbox.kubernetes``'s rules.
"""

from __future__ import annotations

import asyncio
import copy
import sys
from typing import Any

from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import WorkPoolCreate, WorkPoolUpdate
from prefect.exceptions import ObjectAlreadyExists
from prefect.utilities.templating import apply_values
from prefect_kubernetes.worker import KubernetesWorker

from deployments.catalog import all_deployments

KUBERNETES_POOL = "sskai-kubernetes"
DEFAULT_IMAGE = "ghcr.io/sskai/sskai:latest"
FLOW_SERVICE_ACCOUNT = "sskai-flows"
SETTINGS_BLOCK = "sskai"
NON_ROOT = 1000


def job_template(image: str = DEFAULT_IMAGE, settings_block: str = SETTINGS_BLOCK) -> dict[str, Any]:
    """prefect-kubernetes' base job template with sskai's defaults and pod rules."""
    template = copy.deepcopy(KubernetesWorker.get_default_base_job_template())
    manifest = template["job_configuration"]["job_manifest"]
    pod = manifest["spec"]["template"]["spec"]
    manifest["spec"]["completions"] = pod.pop("completions", 1)
    manifest["spec"]["parallelism"] = pod.pop("parallelism", 1)
    pod["securityContext"] = {
        "runAsNonRoot": True,
        "runAsUser": NON_ROOT,
        "runAsGroup": NON_ROOT,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    [container] = pod["containers"]
    container["securityContext"] = {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
    }
    variables = template["variables"]["properties"]
    variables["image"]["default"] = image
    variables["namespace"]["default"] = "sskai"
    variables["service_account_name"]["default"] = FLOW_SERVICE_ACCOUNT
    variables["env"]["default"] = {"SSKAI_SETTINGS_BLOCK": settings_block}
    variables["memory_limit"]["default"] = "4Gi"
    variables["memory_request"]["default"] = "1Gi"
    return template


def render_job(template: dict[str, Any], values: dict[str, Any] | None = None) -> dict[str, Any]:
    """The Job a flow run would get: the template's variables (defaults, then ``values``) filled in."""
    defaults = {name: spec.get("default") for name, spec in template["variables"]["properties"].items()}
    filled = {**defaults, "name": "sskai-flow-run", "command": ["prefect", "flow-run", "execute"], **(values or {})}
    filled["env"] = [{"name": k, "value": str(v)} for k, v in (filled.get("env") or {}).items()]
    filled["labels"] = filled.get("labels") or {"app.kubernetes.io/part-of": "sskai"}
    filled["annotations"] = filled.get("annotations") or {}
    job = apply_values(template["job_configuration"]["job_manifest"], filled, remove_notset=True)
    job["metadata"]["name"] = job["metadata"].pop("generateName").rstrip("-")
    return _drop_empty(job)


def _drop_empty(value: Any) -> Any:
    """Unset variables render as None or {}: Kubernetes wants such fields left out."""
    if isinstance(value, dict):
        kept = {k: _drop_empty(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in (None, {}, "")}
    if isinstance(value, list):
        return [_drop_empty(v) for v in value]
    return value


async def ensure_pool(name: str, template: dict[str, Any]) -> None:
    async with get_client() as client:
        try:
            await client.create_work_pool(WorkPoolCreate(name=name, type="kubernetes", base_job_template=template))
        except ObjectAlreadyExists:
            await client.update_work_pool(name, WorkPoolUpdate(base_job_template=template))


def register(pool: str = KUBERNETES_POOL, image: str = DEFAULT_IMAGE) -> list[str]:
    """Create or update the Kubernetes pool and apply every deployment to it (image baked with the repo)."""
    asyncio.run(ensure_pool(pool, job_template(image)))
    names = []
    for deployment in all_deployments(job_variables={"image": image}):
        deployment.apply(work_pool_name=pool, image=image)
        names.append(f"{deployment.flow_name}/{deployment.name}")
    return names


if __name__ == "__main__":
    for applied in register(*sys.argv[1:3]):
        print(applied)
