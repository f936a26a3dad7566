"""Upload flow: a model zip and/or a dataset zip become stored, versioned bundles."""

from __future__ import annotations

from prefect import flow

from sskai.bundles import InputDeclaration
from tasks.upload import upload_dataset, upload_model


@flow(name="upload")
def upload_flow(
    model_name: str | None = None,
    model_zip: str | None = None,
    dataset_name: str | None = None,
    dataset_zip: str | None = None,
    model_declaration: InputDeclaration | None = None,
) -> dict[str, str]:
    if not ((model_name and model_zip) or (dataset_name and dataset_zip)):
        raise ValueError("give a model name and zip, a dataset name and zip, or both")
    stored = {}
    if model_name and model_zip:
        stored["model_id"] = upload_model(model_name, model_zip, model_declaration)
    if dataset_name and dataset_zip:
        stored["dataset_id"] = upload_dataset(dataset_name, dataset_zip)
    return stored
