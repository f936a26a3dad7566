"""Deleting a stored version is refused, with the reason, while something uses it; otherwise its bytes go."""

from __future__ import annotations

import pytest

from sskai.bundles.deletion import delete_version
from sskai.bundles.upload import upload_dataset, upload_model
from sskai.errors import InUse, NotFound
from sskai.kinds import Status
from sskai.store.metadata import Dataset, Endpoint, Model, Training


def test_a_version_in_use_is_refused_with_its_users_and_a_free_one_is_deleted(stores, example_zips) -> None:
    model_zip, data_zip = example_zips["mlp"]
    model = upload_model(stores, "mlp", model_zip)
    dataset = upload_dataset(stores, "mlp", data_zip)
    training = stores.metadata.add(
        Training(owner="tester", model_id=model.id, dataset_id=dataset.id, config={}, status=Status.SUCCEEDED)
    )
    endpoint = stores.metadata.add(
        Endpoint(
            owner="tester",
            name="mlp-ep",
            model_id=model.id,
            training_id=training.id,
            kind="spot",
            runtime="local",
            api_key_sha256="0" * 64,
            status=Status.READY,
        )
    )
    with pytest.raises(InUse, match=r"model mlp v1 is in use by endpoint mlp-ep \(ready\)") as refused:
        delete_version(stores, Model, "mlp", 1)
    assert not refused.value.retryable
    with pytest.raises(InUse, match="endpoint mlp-ep \\(serves weights trained on it\\)"):
        delete_version(stores, Dataset, "mlp", 1)
    assert stores.artifacts.exists(model.artifact_key)  # a refusal loses nothing

    stores.metadata.update(Endpoint, endpoint.id, status=Status.STOPPED)
    delete_version(stores, Dataset, "mlp", 1)
    assert not stores.artifacts.exists(dataset.artifact_key)
    assert stores.metadata.get(Dataset, dataset.id).status == Status.STOPPED  # the training's history stays
    with pytest.raises(NotFound):
        stores.metadata.find_version(Dataset, "tester", "mlp")
    stores.metadata.add(
        Training(owner="tester", model_id=model.id, dataset_id=dataset.id, config={}, status=Status.RUNNING)
    )
    with pytest.raises(InUse, match=r"training .* \(running\)"):
        delete_version(stores, Model, "mlp", 1)
