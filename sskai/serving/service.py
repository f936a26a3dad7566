"""Deploy a model (with its trained weights) as an endpoint, and stop it. Records every endpoint."""

from __future__ import annotations

import secrets
import shutil

from sskai.bundles import ModelSpec
from sskai.claims import claimed, reap_abandoned
from sskai.errors import EndpointError
from sskai.kinds import ResourceKind, ServingKind, Status
from sskai.names import check_name
from sskai.recommend import ServingPlan
from sskai.serving.app import hash_key
from sskai.serving.process import EndpointLimits
from sskai.serving.targets import EndpointLaunch, target_for, target_of
from sskai.settings import Settings
from sskai.store.bundle_files import materialize_bundle
from sskai.store.metadata import Endpoint, Model, Profile, Training, utcnow
from sskai.store.stores import Stores


def deploy_endpoint(
    stores: Stores,
    name: str,
    model: Model,
    training: Training | None,
    plan: ServingPlan | None,
    force: bool = False,
    limits: EndpointLimits | None = None,
) -> tuple[Endpoint, str]:
    """Start an endpoint where ``plan`` says (spot when there is no plan); returns its record and its API key.

    The key is shown once and stored only as a hash. A model whose newest profile failed is refused
    unless ``force``: it crashed or answered NaN on valid inputs, and would serve that.
    """
    check_name(name, "endpoint name")
    reap_abandoned(stores)
    if training is not None and not training.weights_key:
        raise EndpointError(f"training {training.id} has no trained weights (status {training.status})")
    profile = stores.metadata.latest(Profile, model_id=model.id)
    if profile is not None and profile.status == Status.FAILED and not force:
        raise EndpointError(
            f"model {model.name} v{model.version} failed its newest profile ({profile.status_reason}); "
            "fix the model and profile it again, or deploy with --force"
        )
    kind = plan.target if plan is not None else ServingKind.SPOT
    target = target_for(stores.settings, kind)
    api_key = secrets.token_urlsafe(32)
    record = stores.metadata.add(
        Endpoint(
            owner=model.owner,
            name=name,
            model_id=model.id,
            training_id=training.id if training else None,
            target=kind,
            api_key_sha256=hash_key(api_key),
            instance_type=plan.instance_type if plan else None,
            region=plan.region if plan else None,
            config={"memory_mb": plan.memory_mb if plan else None, "runtime": target.name},
            status=Status.PENDING,
        )
    )
    with claimed(stores, record, f"deploying endpoint {name}"):
        workdir = stores.settings.endpoints_dir / record.id
        try:
            bundle = materialize_bundle(stores.artifacts, model.artifact_key, workdir / "bundle")
            weights = None
            if training is not None:
                weights = workdir / "trained.safetensors"
                stores.artifacts.download_file(training.weights_key, weights)
            running = target.start(
                EndpointLaunch(
                    name=name,
                    kind=kind,
                    bundle_dir=bundle,
                    spec=ModelSpec(**model.manifest),
                    weights=weights,
                    api_key_sha256=record.api_key_sha256,
                    workdir=workdir,
                    limits=limits or endpoint_limits(stores.settings),
                )
            )
        except Exception as exc:
            stores.metadata.set_status(Endpoint, record.id, Status.FAILED, f"{type(exc).__name__}: {exc}")
            shutil.rmtree(workdir, ignore_errors=True)
            raise
        for old in stores.metadata.list(Endpoint, owner=model.owner, name=name):
            if old.status in (Status.READY, Status.RESTARTING) and old.id != record.id:
                stop_stored_endpoint(stores, old.id, reason=f"replaced by endpoint {record.id}")
        # What a supervisor needs to start it again as it was (see sskai.serving.supervisor).
        config = {**record.config, "bundle_dir": str(bundle), "weights": str(weights) if weights else None}
        record = stores.metadata.update(
            Endpoint,
            record.id,
            url=running.url,
            pid=running.pid,
            status=Status.READY,
            metered_until=utcnow(),
            config=config,
        )
    stores.metadata.log(
        model.owner, ResourceKind.ENDPOINT, record.id, f"endpoint {name} serving {model.name} at {running.url}"
    )
    return record, api_key


def endpoint_limits(settings: Settings) -> EndpointLimits:
    return EndpointLimits(
        workers=settings.endpoint_workers,
        timeout_seconds=settings.endpoint_request_timeout_seconds,
        memory_mib=settings.user_code_memory_mib,
        max_processes=settings.user_code_max_processes,
    )


def stop_stored_endpoint(stores: Stores, endpoint_id: str, reason: str = "stopped by user") -> Endpoint:
    """Marked stopped first, so that a supervisor never takes the ending process for a crash to restart."""
    record = stores.metadata.update(Endpoint, endpoint_id, status=Status.STOPPED, status_reason=reason)
    target_of(record).stop(record)
    stores.metadata.log(record.owner, ResourceKind.ENDPOINT, endpoint_id, f"endpoint {record.name} stopped: {reason}")
    return record
