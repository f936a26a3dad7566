"""Profile a stored model and record the result (a failure is recorded with its reason, then raised)."""

from __future__ import annotations

from pathlib import Path

from sskai.bundles.files import materialize_bundle
from sskai.bundles.spec import model_spec
from sskai.errors import ProfileFailed
from sskai.kinds import LogLevel, ResourceKind, Status
from sskai.ownership.claims import claimed
from sskai.ownership.reaper import reap_abandoned
from sskai.ownership.scratch import owned_scratch
from sskai.profiling.metrics import ProfileMetrics
from sskai.profiling.runner import DEFAULT_TIMEOUT_SECONDS, run_profile
from sskai.store.metadata import Model, Profile
from sskai.store.stores import Stores


def profile_stored_model(
    stores: Stores, model: Model, timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS, device: str = "auto"
) -> Profile:
    reap_abandoned(stores)
    record = stores.metadata.add(Profile(owner=model.owner, model_id=model.id, status=Status.RUNNING))
    settings = stores.settings
    try:
        with (
            claimed(stores, record, f"profiling {model.name}"),
            owned_scratch("sskai-profile-bundle-") as scratch,
        ):
            bundle = materialize_bundle(stores.artifacts, model.artifact_key, Path(scratch) / "bundle")
            metrics = run_profile(
                bundle,
                model_spec(model),
                timeout_seconds,
                device,
                limits=settings.sandbox_limits,
            )
    except ProfileFailed as exc:
        stores.metadata.set_status(Profile, record.id, Status.FAILED, str(exc))
        reason = f"profile of {model.name} failed: {exc}"
        stores.metadata.log(model.owner, ResourceKind.PROFILE, record.id, reason, LogLevel.ERROR)
        raise
    record = stores.metadata.update(
        Profile, record.id, metrics=metrics.stored(), device=metrics.device, status=Status.SUCCEEDED
    )
    stores.metadata.log(
        model.owner,
        ResourceKind.PROFILE,
        record.id,
        f"profiled {model.name} v{model.version}: {metrics.parameter_count:,} parameters, "
        f"p95 {metrics.latency_ms_p95:.2f} ms on {metrics.device}",
    )
    return record


def stored_metrics(profile: Profile) -> ProfileMetrics:
    """A successful profile's metrics, read back through their model."""
    return ProfileMetrics.from_stored(profile.metrics, f"profile {profile.id}")
