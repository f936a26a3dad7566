"""Retrain with promotion: a candidate replaces the serving weights only when it measurably does better.

Both are measured on the same held-out split of the new dataset (the candidate's validation split,
which it never trained on), in the sandbox, by the same code that measures training. The candidate
is promoted when its loss is lower than the serving one's by at least ``min_improvement`` (a
fraction: 0.02 is 2 %); the endpoint then loads it in place, with no failed request. Either way the
verdict and its reason are recorded (a ``Promotion``).
"""

from __future__ import annotations

import math
import subprocess
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from sskai.bundles.files import materialize_bundle
from sskai.bundles.spec import dataset_spec, model_spec
from sskai.errors import TrainingFailed
from sskai.kinds import ResourceKind, Status
from sskai.ownership.scratch import owned_scratch
from sskai.sandbox import SandboxPolicy, python_command, read_result, start_sandboxed
from sskai.serving.targets import launch_config, target_of
from sskai.settings import Settings
from sskai.store.metadata import Dataset, Endpoint, Model, Promotion, Training
from sskai.store.stores import Stores
from sskai.training.config import TrainingConfig

EVALUATION_TIMEOUT_SECONDS = 600.0


def held_out_loss(stores: Stores, training: Training, dataset: Dataset, config: TrainingConfig) -> dict[str, float]:
    """``training``'s weights on ``dataset``'s held-out split under ``config`` (its fraction and seed)."""
    if not training.weights_key:
        raise TrainingFailed(f"training {training.id} has no trained weights to measure")
    model = stores.metadata.get(Model, training.model_id)
    spec = model_spec(model)
    with owned_scratch("sskai-evaluate-") as scratch:
        model_root = materialize_bundle(stores.artifacts, model.artifact_key, scratch / "model")
        data_root = materialize_bundle(stores.artifacts, dataset.artifact_key, scratch / "data")
        weights = scratch / "weights.safetensors"
        stores.artifacts.download_file(training.weights_key, weights)
        policy = _policy(stores.settings, scratch / "work", (model_root, data_root, weights))
        out = policy.workdir / "result.json"
        command = python_command(
            "sskai.training.evaluate",
            *("--model", str(model_root), "--weights", str(weights), "--dataset", str(data_root)),
            *("--spec", spec.model_dump_json(), "--dataset-spec", dataset_spec(dataset).model_dump_json()),
            *("--loss", config.loss or spec.default_loss, "--seed", str(config.seed)),
            *("--validation-fraction", str(config.validation_fraction), "--out", str(out)),
        )
        process = start_sandboxed(command, policy, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            process.wait(timeout=EVALUATION_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired as exc:
            raise TrainingFailed(
                f"measuring training {training.id} took over {EVALUATION_TIMEOUT_SECONDS:.0f} s"
            ) from exc
        finally:
            process.kill()
        result = read_result(out)
    if not result.get("ok"):
        raise TrainingFailed(f"measuring training {training.id} failed: {result.get('error', 'no result')}")
    return {key: float(value) for key, value in result["metrics"].items()}


def _policy(settings: Settings, workdir: Path, readable: tuple[Path, ...]) -> SandboxPolicy:
    return SandboxPolicy(
        workdir=workdir,
        readable=readable,
        memory_bytes=settings.sandbox_limits.memory_bytes,
        max_processes=settings.sandbox_limits.max_processes,
        cpu_seconds=int(EVALUATION_TIMEOUT_SECONDS),
        die_with_parent=True,
    )


def verdict(serving: float | None, candidate: float, min_improvement: float) -> tuple[bool, str]:
    """Whether to promote, and why, from the two held-out losses (lower is better)."""
    if not math.isfinite(candidate):
        return False, f"the candidate's held-out loss is {candidate}"
    if serving is None:
        return True, "nothing measurable was serving"
    needed = serving * (1.0 - min_improvement)
    change = (serving - candidate) / serving if serving else 0.0
    measured = f"held-out loss {candidate:.4g} vs {serving:.4g} serving ({change:+.1%} better)"
    if candidate <= needed:
        return True, f"{measured}, at least the {min_improvement:.1%} asked for"
    return False, f"{measured}, short of the {min_improvement:.1%} asked for; the serving weights stay"


class PromotionVerdict(BaseModel):
    """A retrain's verdict on one endpoint, as the flow reports it (the full record is its ``Promotion``)."""

    model_config = ConfigDict(frozen=True)

    endpoint: str
    promoted: bool
    reason: str
    promotion_id: str

    @classmethod
    def of(cls, endpoint: Endpoint, promotion: Promotion) -> PromotionVerdict:
        return cls(
            endpoint=endpoint.name, promoted=promotion.promoted, reason=promotion.reason, promotion_id=promotion.id
        )


def judge_and_promote(
    stores: Stores, endpoint: Endpoint, candidate: Training, dataset: Dataset, min_improvement: float
) -> Promotion:
    """Measure both, promote the candidate into ``endpoint`` if it is better by the margin, record the verdict."""
    config = TrainingConfig(**candidate.config)
    candidate_value = held_out_loss(stores, candidate, dataset, config)["val_loss"]
    serving = stores.metadata.get(Training, endpoint.training_id) if endpoint.training_id else None
    serving_value = held_out_loss(stores, serving, dataset, config)["val_loss"] if serving else None
    promoted, reason = verdict(serving_value, candidate_value, min_improvement)
    if promoted:
        weights = stores.settings.endpoints_dir / endpoint.id / f"trained-{candidate.id}.safetensors"
        stores.artifacts.download_file(candidate.weights_key, weights)
        target_of(endpoint).swap_weights(endpoint, weights)
        launch = launch_config(stores.metadata.get(Endpoint, endpoint.id)).model_copy(update={"weights": str(weights)})
        stores.metadata.update(Endpoint, endpoint.id, training_id=candidate.id, launch=launch.stored())
    record = stores.metadata.add(
        Promotion(
            owner=endpoint.owner,
            endpoint_id=endpoint.id,
            dataset_id=dataset.id,
            serving_training_id=serving.id if serving else None,
            candidate_training_id=candidate.id,
            metric="val_loss",
            serving_value=serving_value,
            candidate_value=candidate_value,
            min_improvement=min_improvement,
            promoted=promoted,
            reason=reason,
            status=Status.SUCCEEDED,
        )
    )
    verb = "promoted" if promoted else "not promoted"
    stores.metadata.log(
        endpoint.owner,
        ResourceKind.ENDPOINT,
        endpoint.id,
        f"retrain {candidate.id} {verb} into {endpoint.name}: {reason}",
    )
    return record
