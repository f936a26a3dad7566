"""Upload: an archive becomes a stored, versioned, content-addressed bundle, or a clear rejection.

Nothing is written to the stores until the archive is unpacked safely and follows the contract, so a
rejected upload loses nothing that was stored before. Uploading the same content again returns the
existing version instead of making a new one.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from sskai.bundles import InputDeclaration, validate_dataset_bundle, validate_model_bundle
from sskai.errors import UploadRejected
from sskai.kinds import ResourceKind, Status
from sskai.names import check_name
from sskai.store.metadata import Dataset, Model, Versioned
from sskai.store.stores import Stores
from sskai.zipsafe import DEFAULT_LIMITS, ZipLimits, safe_extract


def upload_model(
    stores: Stores,
    name: str,
    archive: Path,
    declared: InputDeclaration | None = None,
    limits: ZipLimits = DEFAULT_LIMITS,
) -> Model:
    return _upload(
        stores,
        Model,
        "model",
        name,
        archive,
        lambda root: validate_model_bundle(root, declared).model_dump(mode="json"),
        limits,
    )


def upload_dataset(
    stores: Stores, name: str, archive: Path, declared: dict[str, Any] | None = None, limits: ZipLimits = DEFAULT_LIMITS
) -> Dataset:
    return _upload(
        stores,
        Dataset,
        "dataset",
        name,
        archive,
        lambda root: validate_dataset_bundle(root, declared).model_dump(mode="json"),
        limits,
    )


def _upload(
    stores: Stores, kind: type[Versioned], what: str, name: str, archive: Path, validate: Any, limits: ZipLimits
) -> Any:
    check_name(name, f"{what} name")
    owner = stores.settings.owner
    archive = Path(archive)
    with tempfile.TemporaryDirectory(prefix="sskai-upload-") as scratch:
        try:
            extracted = safe_extract(archive, Path(scratch) / "bundle", limits)
            manifest = validate(extracted.root)
        except UploadRejected as exc:
            reason = f"{what} upload of {archive.name} rejected: {exc}"
            stores.metadata.log(owner, ResourceKind.UPLOAD, name, reason, "ERROR")
            raise
    existing = stores.metadata.latest(
        kind, owner=owner, name=name, content_sha256=extracted.content_sha256, status=Status.READY
    )
    if existing is not None and existing.manifest == manifest:
        return existing
    version = stores.metadata.next_version(kind, owner, name)
    key = f"{what}s/{owner}/{name}/v{version}/bundle.zip"
    stores.artifacts.put_file(key, archive)
    record = stores.metadata.add(
        kind(
            owner=owner,
            name=name,
            version=version,
            content_sha256=extracted.content_sha256,
            artifact_key=key,
            size_bytes=extracted.total_bytes,
            manifest=manifest,
            status=Status.READY,
        )
    )
    stores.metadata.log(
        owner,
        ResourceKind(what),
        record.id,
        f"stored {what} {name} v{version} ({extracted.total_bytes:,} bytes, sha256 {extracted.content_sha256[:12]})",
    )
    return record
