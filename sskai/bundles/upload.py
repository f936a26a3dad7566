"""Upload: an archive becomes a stored, versioned, content-addressed bundle, or a clear rejection.

Nothing is written to the stores until the archive is unpacked safely and follows the contract, so a
rejected upload loses nothing that was stored before. The bundle is stored under its content hash,
so concurrent uploads of one name never overwrite each other's bytes, and the version number is
claimed by the database's unique constraint (a lost race takes the next number). Uploading content
that is already stored returns that version, and :func:`upload_note` says whether the name resolves
to it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy.exc import IntegrityError

from sskai.bundles.names import check_name
from sskai.bundles.spec import InputDeclaration
from sskai.bundles.validation import validate_dataset_bundle, validate_model_bundle
from sskai.bundles.zipsafe import DEFAULT_LIMITS, ZipLimits, safe_extract
from sskai.errors import UploadConflict, UploadRejected
from sskai.kinds import LogLevel, ResourceKind, Status
from sskai.ownership.scratch import owned_scratch
from sskai.store.metadata import BundleRecord, Dataset, Model
from sskai.store.stores import Stores


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
        lambda root: validate_model_bundle(root, declared).stored(),
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
        lambda root: validate_dataset_bundle(root, declared).stored(),
        limits,
    )


def _upload(
    stores: Stores, kind: type[BundleRecord], what: str, name: str, archive: Path, validate: Any, limits: ZipLimits
) -> Any:
    check_name(name, f"{what} name")
    owner = stores.settings.owner
    archive = Path(archive)
    with owned_scratch("sskai-upload-") as scratch:
        try:
            extracted = safe_extract(archive, Path(scratch) / "bundle", limits)
            manifest = validate(extracted.root)
        except UploadRejected as exc:
            reason = f"{what} upload of {archive.name} rejected: {exc}"
            stores.metadata.log(owner, ResourceKind.UPLOAD, name, reason, LogLevel.ERROR)
            raise
    for existing in stores.metadata.list(
        kind, owner=owner, name=name, content_sha256=extracted.content_sha256, status=Status.READY
    ):
        if existing.manifest == manifest:
            return existing
    key = f"{what}s/{owner}/{name}/sha256-{extracted.content_sha256}/bundle.zip"
    stores.artifacts.put_file(key, archive)  # the same content under the same key, whoever writes last
    record = _claim_next_version(stores, kind, name, key, extracted.content_sha256, extracted.total_bytes, manifest)
    stores.metadata.use_version(kind, owner, name, None)  # the name follows the newest upload again
    stores.metadata.log(
        owner,
        ResourceKind(what),
        record.id,
        f"stored {what} {name} v{record.version} ({extracted.total_bytes:,} bytes, "
        f"sha256 {extracted.content_sha256[:12]})",
    )
    return record


class UploadResult(BaseModel):
    """What an upload stored: the model's and the dataset's record ids (either may be absent)."""

    model_config = ConfigDict(frozen=True)

    model_id: str | None = None
    dataset_id: str | None = None


MAX_VERSION_CLAIMS = 50


def _claim_next_version(
    stores: Stores, kind: type[BundleRecord], name: str, key: str, sha256: str, size: int, manifest: Any
) -> Any:
    """Insert the record under the next free version; a concurrent upload that took it makes this try the next."""
    owner = stores.settings.owner
    for _ in range(MAX_VERSION_CLAIMS):
        version = stores.metadata.next_version(kind, owner, name)
        try:
            return stores.metadata.add(
                kind(
                    owner=owner,
                    name=name,
                    version=version,
                    content_sha256=sha256,
                    artifact_key=key,
                    size_bytes=size,
                    manifest=manifest,
                    status=Status.READY,
                )
            )
        except IntegrityError:
            continue
    raise UploadConflict(
        f"{MAX_VERSION_CLAIMS} concurrent uploads of {name!r} took every version this one tried; upload it again"
    )


def upload_note(stores: Stores, record: BundleRecord) -> str:
    """What an upload stored, and, for content stored before, which version the name resolves to and how to switch."""
    what = record.__tablename__[:-1]
    current = stores.metadata.current_version(type(record), record.owner, record.name)
    stored = f"{what} {record.name} v{record.version} (sha256 {record.content_sha256[:12]})"
    if current == record.version:
        return f"stored {stored}; {record.name} resolves to it"
    return (
        f"this content is already stored as {stored}, but {record.name} resolves to v{current}; "
        f"to use v{record.version}, run `sskai {what}s use {record.name} {record.version}`"
    )
