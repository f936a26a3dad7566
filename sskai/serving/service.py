"""Deploy a model (with its trained weights) as an endpoint, and stop it. Records every endpoint."""

from __future__ import annotations

import secrets
import shutil
from dataclasses import replace

from pydantic import BaseModel, ConfigDict, SecretStr

from sskai.bundles.files import materialize_bundle
from sskai.bundles.names import check_name
from sskai.bundles.spec import model_spec
from sskai.catalog.catalog import Catalog, spot_usd_per_hour
from sskai.catalog.versions import current_catalog
from sskai.errors import EndpointError
from sskai.kinds import ResourceKind, ServingKind, Status
from sskai.ownership.claims import claimed
from sskai.ownership.reaper import reap_abandoned
from sskai.plans import Recommendation, ServingPlan
from sskai.profiling.service import stored_metrics
from sskai.serving.auth import hash_key
from sskai.serving.batch_plan import choose_batching
from sskai.serving.keys import hand_over
from sskai.serving.process import EndpointLimits
from sskai.serving.targets import EndpointLaunch, LaunchConfig, launch_config, target_for, target_of
from sskai.store.metadata import Endpoint, Model, Profile, RecommendationRecord, Training, utcnow
from sskai.store.stores import Stores


class DeployResult(BaseModel):
    """A deployed endpoint, with its API key: a secret (never shown by ``repr``, logs or Prefect's UI)."""

    model_config = ConfigDict(frozen=True)

    endpoint_id: str
    name: str
    url: str
    kind: ServingKind
    api_key: SecretStr

    @classmethod
    def of(cls, record: Endpoint, api_key: str) -> DeployResult:
        return cls(endpoint_id=record.id, name=record.name, url=record.url or "", kind=record.kind, api_key=api_key)


def unplanned_spot_plan(catalog: Catalog, region: str) -> tuple[ServingPlan, str]:
    """What an endpoint deployed without a recommendation is metered as: the region's cheapest spot GPU."""
    offers = [o for o in catalog.spot_offers((region,)) if o.accelerator_count >= 1]
    if not offers:
        raise EndpointError(f"no spot GPU is offered in {region} to meter an endpoint without a plan; recommend first")
    cheapest = min(offers, key=lambda o: (spot_usd_per_hour(o), o.instance_type))
    why = (
        f"deployed without a recommendation: metered as {cheapest.instance_type} in {region}, the region's "
        "cheapest spot GPU (`sskai recommend` prices the model's own fit)"
    )
    plan = ServingPlan(
        kind=ServingKind.SPOT,
        usd_per_hour=spot_usd_per_hour(cheapest),
        instance_type=cheapest.instance_type,
        region=region,
        reasons=(why,),
    )
    return plan, why


def _latency_target(stores: Stores, model: Model) -> float | None:
    """The p95 target of the model's newest recommendation, if it has one."""
    record = stores.metadata.latest(RecommendationRecord, model_id=model.id)
    if record is None:
        return None
    return Recommendation.from_stored(record.plan, f"recommendation {record.id}").workload.latency_slo_ms


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
    priced_as = None
    if plan is None:  # still metered: as the region's cheapest spot GPU, and said so on every cost record
        plan, priced_as = unplanned_spot_plan(current_catalog(stores), stores.settings.aws_region)
    kind = plan.kind
    target = target_for(stores.settings, kind)
    metrics = stored_metrics(profile) if profile is not None and profile.status == Status.SUCCEEDED else None
    latency_slo_ms = _latency_target(stores, model)
    base = limits or EndpointLimits.of(stores.settings)  # its batch limits are the caps
    batching = choose_batching(
        metrics, latency_slo_ms, base.sandbox.memory_bytes, base.max_batch_rows, base.max_batch_wait_ms
    )
    limits = base.model_copy(
        update={"max_batch_rows": batching.max_batch_rows, "max_batch_wait_ms": batching.max_batch_wait_ms}
    )
    api_key = secrets.token_urlsafe(32)
    record = stores.metadata.add(
        Endpoint(
            owner=model.owner,
            name=name,
            model_id=model.id,
            training_id=training.id if training else None,
            kind=kind,
            runtime=target.name,
            api_key_sha256=hash_key(api_key),
            instance_type=plan.instance_type,
            region=plan.region,
            launch=LaunchConfig(
                memory_mb=plan.memory_mb,
                priced_as=priced_as,
                max_batch_rows=batching.max_batch_rows,
                max_batch_wait_ms=batching.max_batch_wait_ms,
                batching=batching.reason,
            ).stored(),
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
                    spec=model_spec(model),
                    weights=weights,
                    api_key_sha256=record.api_key_sha256,
                    workdir=workdir,
                    limits=limits,
                    endpoint_id=record.id,
                    memory_mb=plan.memory_mb,
                    profile=metrics,
                    latency_slo_ms=latency_slo_ms,
                )
            )
        except Exception as exc:
            stores.metadata.set_status(Endpoint, record.id, Status.FAILED, f"{type(exc).__name__}: {exc}")
            shutil.rmtree(workdir, ignore_errors=True)
            raise
        for old in stores.metadata.list(Endpoint, owner=model.owner, name=name):
            if Status(old.status).is_serving and old.id != record.id:
                stop_stored_endpoint(stores, old.id, reason=f"replaced by endpoint {record.id}")
        # What a supervisor needs to start it again as it was (see sskai.serving.supervisor).
        launch = launch_config(record).model_copy(
            update={"bundle_dir": str(bundle), "weights": str(weights) if weights else None}
        )
        record = stores.metadata.update(
            Endpoint,
            record.id,
            url=running.url,
            pid=running.pid,
            status=Status.READY,
            metered_until=utcnow(),
            launch=launch.stored(),
        )
    stores.metadata.log(
        model.owner, ResourceKind.ENDPOINT, record.id, f"endpoint {name} serving {model.name} at {running.url}"
    )
    stores.metadata.log(model.owner, ResourceKind.ENDPOINT, record.id, f"batching: {batching.reason}")
    hand_over(stores.settings, model.owner, name, api_key)  # for an owner whose deploy ran in a worker
    return record, api_key


def rotate_key(stores: Stores, endpoint: Endpoint) -> str:
    """A new API key for a serving endpoint, returned once; the old one stops working as soon as the endpoint
    has the new one (at once on one process or Lambda, replica by replica on replicas)."""
    from sskai.serving.supervisor import relaunch

    if not Status(endpoint.status).is_serving:
        raise EndpointError(f"endpoint {endpoint.name} is {endpoint.status}: only a serving endpoint gets a new key")
    api_key = secrets.token_urlsafe(32)
    launch = replace(relaunch(stores, endpoint), api_key_sha256=hash_key(api_key), endpoint_id=endpoint.id)
    running = target_of(endpoint).change_key(endpoint, launch)
    stores.metadata.update(
        Endpoint, endpoint.id, api_key_sha256=launch.api_key_sha256, pid=running.pid, url=running.url
    )
    stores.metadata.log(
        endpoint.owner, ResourceKind.ENDPOINT, endpoint.id, f"endpoint {endpoint.name}: API key rotated"
    )
    hand_over(stores.settings, endpoint.owner, endpoint.name, api_key)
    return api_key


def stop_stored_endpoint(stores: Stores, endpoint_id: str, reason: str = "stopped by user") -> Endpoint:
    """Marked stopped first, so that a supervisor never takes the ending process for a crash to restart."""
    record = stores.metadata.update(Endpoint, endpoint_id, status=Status.STOPPED, status_reason=reason)
    target_of(record).stop(record)
    stores.metadata.log(record.owner, ResourceKind.ENDPOINT, endpoint_id, f"endpoint {record.name} stopped: {reason}")
    return record
