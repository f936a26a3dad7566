"""Deploy a model (with its trained weights) as an endpoint, and stop it. Records every endpoint."""

from __future__ import annotations

import secrets
import shutil
from typing import Any

from sskai.bundles import ModelSpec
from sskai.errors import EndpointError
from sskai.names import check_name
from sskai.serving.app import hash_key
from sskai.serving.process import is_alive, start_endpoint, stop_endpoint
from sskai.store.bundle_files import materialize_bundle
from sskai.store.metadata import Endpoint, Model, Status, Training, utcnow
from sskai.store.stores import Stores


def deploy_endpoint(
    stores: Stores, name: str, model: Model, training: Training | None, plan: dict[str, Any] | None
) -> tuple[Endpoint, str]:
    """Start an endpoint; returns its record and its API key (shown once, stored only as a hash)."""
    check_name(name, "endpoint name")
    if training is not None and not training.weights_key:
        raise EndpointError(f"training {training.id} has no trained weights (status {training.status})")
    plan = plan or {"target": "spot"}
    api_key = secrets.token_urlsafe(32)
    record = stores.metadata.add(
        Endpoint(
            owner=model.owner,
            name=name,
            model_id=model.id,
            training_id=training.id if training else None,
            target=plan["target"],
            api_key_sha256=hash_key(api_key),
            instance_type=plan.get("instance_type"),
            region=plan.get("region"),
            config={"memory_mb": plan.get("memory_mb")},
            status=Status.PENDING,
        )
    )
    workdir = stores.settings.endpoints_dir / record.id
    try:
        bundle = materialize_bundle(stores.artifacts, model.artifact_key, workdir / "bundle")
        weights = None
        if training is not None:
            weights = workdir / "trained.safetensors"
            stores.artifacts.download_file(training.weights_key, weights)
        running = start_endpoint(
            name=name,
            bundle_dir=bundle,
            spec=ModelSpec(**model.manifest),
            weights=weights,
            api_key=api_key,
            log_path=workdir / "endpoint.log",
        )
    except Exception as exc:
        stores.metadata.set_status(Endpoint, record.id, Status.FAILED, f"{type(exc).__name__}: {exc}")
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    for old in stores.metadata.list(Endpoint, owner=model.owner, name=name, status=Status.READY):
        stop_stored_endpoint(stores, old.id, reason=f"replaced by endpoint {record.id}")
    record = stores.metadata.update(
        Endpoint, record.id, url=running.url, pid=running.pid, status=Status.READY, metered_until=utcnow()
    )
    stores.metadata.log(model.owner, "endpoint", record.id, f"endpoint {name} serving {model.name} at {running.url}")
    return record, api_key


def stop_stored_endpoint(stores: Stores, endpoint_id: str, reason: str = "stopped by user") -> Endpoint:
    record = stores.metadata.get(Endpoint, endpoint_id)
    if record.pid and is_alive(record.pid):
        stop_endpoint(record.pid)
    stores.metadata.log(record.owner, "endpoint", endpoint_id, f"endpoint {record.name} stopped: {reason}")
    return stores.metadata.update(Endpoint, endpoint_id, status=Status.STOPPED, status_reason=reason)
