"""Profiling runs user code in a separate process; crashes and time-outs become failed profiles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flows.profile import profile_flow
from sskai.bundles.upload import upload_model
from sskai.errors import ProfileFailed, StoredRecordInvalid
from sskai.kinds import Status
from sskai.profiling.service import profile_stored_model, stored_metrics
from sskai.store.metadata import Profile
from tests.helpers import make_zip

LINEAR = "from torch import nn\nModelClass = lambda: nn.Linear(4, 2)\n"


@pytest.mark.usefixtures("prefect_server")
def test_profile_of_a_known_model(stores, tmp_path: Path) -> None:
    spec = json.dumps({"input_shape": [4], "task": "classification"})
    upload_model(stores, "lin", make_zip(tmp_path / "m.zip", {"model.py": LINEAR, "sskai.json": spec}))
    record = stores.metadata.get(Profile, profile_flow("lin"))
    metrics = stored_metrics(record)
    assert record.status == Status.SUCCEEDED
    assert metrics.parameter_count == 10
    assert metrics.weight_bytes == 40
    assert metrics.forward_flops_per_sample == 16  # 2 x 4 inputs x 2 outputs
    assert metrics.train_flops_per_sample >= 2 * metrics.forward_flops_per_sample
    assert metrics.train_step_peak_bytes > metrics.weight_bytes
    assert 0 < metrics.latency_ms_p50 <= metrics.latency_ms_p95
    assert metrics.output_shape == (2,)


def test_examples_profile_with_sensible_sizes(stores, example_zips) -> None:
    gpt = upload_model(stores, "gpt", example_zips["gpt"][0])
    metrics = stored_metrics(profile_stored_model(stores, gpt))
    assert metrics.parameter_count == sum(p.numel() for p in _gpt_parameters())
    assert metrics.output_shape == (32, 64)
    assert metrics.inference_peak_bytes > metrics.weight_bytes


def test_a_profile_stored_by_an_older_sskai_fails_with_what_to_do(stores, example_zips) -> None:
    model = upload_model(stores, "mlp", example_zips["mlp"][0])
    record = profile_stored_model(stores, model)
    old = {k: v for k, v in record.metrics.items() if k != "schema_version"}
    stale = stores.metadata.update(Profile, record.id, metrics=old)
    with pytest.raises(StoredRecordInvalid, match=r"profile .* was written before .*profile the model again"):
        stored_metrics(stale)
    mangled = stores.metadata.update(Profile, record.id, metrics={**record.metrics, "weight_bytes": "lots"})
    with pytest.raises(StoredRecordInvalid, match="weight_bytes: Input should be a valid integer"):
        stored_metrics(mangled)


def _gpt_parameters():
    from sskai.bundles.loading import build_model
    from sskai.examples import SOURCES

    return build_model(SOURCES / "tiny_gpt").parameters()


@pytest.mark.parametrize(
    ("forward", "timeout", "reason"),
    [
        (
            "raise RuntimeError('CUDA kernel exploded')",
            120,
            "failed while profiling: RuntimeError: CUDA kernel exploded",
        ),
        ("return x * float('nan')", 120, "NaN"),
        ("import time; time.sleep(120)", 8, "timed out after 8 s"),
        ("import os; os._exit(7)", 120, "exited with code 7"),
    ],
)
def test_a_crashing_model_is_a_failed_profile_with_its_reason(
    stores, tmp_path: Path, forward: str, timeout: int, reason: str
) -> None:
    source = f"from torch import nn\n\nclass ModelClass(nn.Module):\n    def forward(self, x):\n        {forward}\n"
    spec = json.dumps({"input_shape": [4]})
    model = upload_model(stores, "crash", make_zip(tmp_path / "m.zip", {"model.py": source, "sskai.json": spec}))
    with pytest.raises(ProfileFailed, match=reason):
        profile_stored_model(stores, model, timeout_seconds=timeout)
    failed = stores.metadata.latest(Profile)
    assert failed.status == Status.FAILED
    assert reason.split(":")[0] in failed.status_reason or "timed out" in failed.status_reason
