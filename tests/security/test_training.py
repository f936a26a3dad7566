"""The hostile-input suite: user code and uploads that try to take, break or outlive the platform.

Each case was a real failure once (see the issue "User code is untrusted"); each test reproduces it
against the real parts: the sandbox's kernel confinement, profiling and endpoint processes, a
training on a Ray cluster of its own, the metadata store and the artifact store."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sskai.bundles.upload import upload_dataset
from sskai.kinds import Status
from tests.helpers import ROOT, make_zip
from tests.security.probes import (
    assert_untouched,
    confined,
    upload_tampering_model,
    victim_endpoint,
)


@confined
@pytest.mark.usefixtures("local_clusters")
def test_a_trained_model_finds_neither_secrets_nor_the_database(stores, secrets_around, tmp_path: Path) -> None:
    """Trained on a cluster of its own, as sskai starts one: the nodes run sandboxed."""
    from sskai.store.metadata import Training
    from sskai.training.config import TrainingConfig
    from sskai.training.service import create_training

    model = upload_tampering_model(stores, tmp_path)
    victim = victim_endpoint(stores, model)
    x = np.random.default_rng(0).normal(size=(64, 2)).astype(np.float32)
    buffers = {}
    for name, array in (("x.npy", x), ("y.npy", x.sum(axis=1, keepdims=True))):
        buffer = io.BytesIO()
        np.save(buffer, array)
        buffers[name] = buffer.getvalue()
    dataset = upload_dataset(stores, "pairs", make_zip(tmp_path / "d.zip", buffers))
    config = TrainingConfig(epochs=2, batch_size=16, num_workers=1)
    training = create_training(stores, model, dataset, config, plan=None)
    run = subprocess.run(
        [sys.executable, "-m", "tests.spot_run", training.id], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    finished = stores.metadata.get(Training, training.id)
    assert finished.status == Status.SUCCEEDED, (finished.status_reason, run.stdout[-2000:], run.stderr[-2000:])
    assert_untouched(stores, victim)
