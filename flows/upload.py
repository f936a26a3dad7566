"""Upload flow: a model zip and/or a dataset zip become stored, versioned bundles."""

from __future__ import annotations

from prefect import flow

from sskai.bundles.spec import InputDeclaration
from sskai.bundles.upload import UploadResult
from tasks.upload import upload_dataset, upload_model


@flow(name="upload")
def upload_flow(
    model_name: str | None = None,
    model_zip: str | None = None,
    dataset_name: str | None = None,
    dataset_zip: str | None = None,
    model_declaration: InputDeclaration | None = None,
) -> UploadResult:
    if not ((model_name and model_zip) or (dataset_name and dataset_zip)):
        raise ValueError("give a model name and zip, a dataset name and zip, or both")
    return UploadResult(
        model_id=upload_model(model_name, model_zip, model_declaration) if model_name and model_zip else None,
        dataset_id=upload_dataset(dataset_name, dataset_zip) if dataset_name and dataset_zip else None,
    )
