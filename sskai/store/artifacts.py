"""The artifact store: bundles, weights and checkpoints, addressed by URL.

``file:///path`` is the embedded default; ``s3://bucket/prefix`` is the scale configuration (boto3,
pointed at the configured endpoint so tests run against a moto server). Stores register by URL
scheme in a strict registry, so a new backend is a new class. Keys are '/'-separated and never absolute.

Writes are atomic per object: a file store writes a temporary file and renames it; S3 ``put_object``
is atomic by nature. Directories (checkpoints) are made atomic one level up by a completion marker
that :mod:`sskai.training.checkpoints` writes last.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import IO, Any, ClassVar
from urllib.parse import urlparse

from sskai.errors import ConfigError, NotFound
from sskai.registry import Registered, Registry
from sskai.settings import ArtifactLocation


class ArtifactStore(Registered, ABC):
    """Contract: bytes in and out under keys; ``get_*`` raise NotFound for a missing key.

    Implementations register under their URL scheme (``name="s3"``).
    """

    registry: ClassVar[Registry[ArtifactStore]] = Registry("artifact store scheme")

    def __init__(self, location: ArtifactLocation) -> None:
        self.location = location
        self.url = location.url.rstrip("/")

    @abstractmethod
    def put_file(self, key: str, source: Path) -> None: ...

    @abstractmethod
    def put_bytes(self, key: str, data: bytes) -> None: ...

    @abstractmethod
    def get_bytes(self, key: str) -> bytes: ...

    @abstractmethod
    def download_file(self, key: str, target: Path) -> None: ...

    @abstractmethod
    def exists(self, key: str) -> bool: ...

    @abstractmethod
    def list(self, prefix: str) -> list[str]:
        """The key ``prefix`` itself and every key in the folder ``prefix/`` (recursive), sorted; never
        ``prefix2/...``: a prefix is a key or a folder, not the start of a name."""

    @abstractmethod
    def delete_prefix(self, prefix: str) -> None:
        """Delete what :meth:`list` names for ``prefix``."""

    def url_of(self, key: str) -> str:
        return f"{self.url}/{check_key(key)}"

    def put_dir(self, prefix: str, source: Path) -> list[str]:
        """Upload every file under ``source``; returns the keys written."""
        keys = []
        for path in sorted(p for p in Path(source).rglob("*") if p.is_file()):
            key = f"{prefix.rstrip('/')}/{path.relative_to(source).as_posix()}"
            self.put_file(key, path)
            keys.append(key)
        return keys


def check_key(key: str) -> str:
    path = PurePosixPath(key)
    if not key or path.is_absolute() or ".." in path.parts:
        raise ValueError(f"artifact key {key!r} must be relative and stay inside the store")
    return path.as_posix()


class FileArtifactStore(ArtifactStore, name="file", default=True):
    def __init__(self, location: ArtifactLocation) -> None:
        super().__init__(location)
        self.root = Path(urlparse(self.url).path)
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def _atomic_write(self, key: str, write: Callable[[IO[bytes]], Any]) -> None:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                write(fh)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def put_file(self, key: str, source: Path) -> None:
        with open(source, "rb") as src:
            self._atomic_write(key, lambda fh: shutil.copyfileobj(src, fh))

    def put_bytes(self, key: str, data: bytes) -> None:
        self._atomic_write(key, lambda fh: fh.write(data))

    def get_bytes(self, key: str) -> bytes:
        path = self._path(key)
        if not path.is_file():
            raise NotFound(f"no artifact at {self.url_of(key)}")
        return path.read_bytes()

    def download_file(self, key: str, target: Path) -> None:
        path = self._path(key)
        if not path.is_file():
            raise NotFound(f"no artifact at {self.url_of(key)}")
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def list(self, prefix: str) -> list[str]:
        base = self.root / check_key(prefix.rstrip("/")) if prefix.strip("/") else self.root
        if base.is_file():
            return [base.relative_to(self.root).as_posix()]
        if not base.exists():
            return []
        return sorted(
            p.relative_to(self.root).as_posix()
            for p in base.rglob("*")
            if p.is_file() and not p.name.startswith(".tmp-")
        )

    def delete_prefix(self, prefix: str) -> None:
        base = self._path(prefix.rstrip("/"))
        if base.is_dir():
            shutil.rmtree(base)
        elif base.is_file():
            base.unlink()


class S3ArtifactStore(ArtifactStore, name="s3"):
    def __init__(self, location: ArtifactLocation) -> None:
        super().__init__(location)
        import boto3

        parsed = urlparse(self.url)
        if not parsed.netloc:
            raise ConfigError(f"artifact URL {self.url!r} names no bucket (expected s3://bucket/prefix)")
        self.bucket = parsed.netloc
        self.prefix = parsed.path.strip("/")
        self.client = boto3.client("s3", endpoint_url=location.aws_endpoint_url, region_name=location.aws_region)

    def _key(self, key: str) -> str:
        key = check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def put_file(self, key: str, source: Path) -> None:
        self.client.upload_file(str(source), self.bucket, self._key(key))

    def put_bytes(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data)

    def get_bytes(self, key: str) -> bytes:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read()
        except self.client.exceptions.NoSuchKey as exc:
            raise NotFound(f"no artifact at {self.url_of(key)}") from exc

    def download_file(self, key: str, target: Path) -> None:
        from botocore.exceptions import ClientError

        Path(target).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.client.download_file(self.bucket, self._key(key), str(target))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"404", "NoSuchKey"}:
                raise NotFound(f"no artifact at {self.url_of(key)}") from exc
            raise

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError:
            return False
        return True

    def list(self, prefix: str) -> list[str]:
        full = self._key(prefix.rstrip("/")) if prefix.strip("/") else self.prefix
        strip = len(self.prefix) + 1 if self.prefix else 0
        keys = []
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=full):
            for found in page.get("Contents", []):
                key = found["Key"]
                if not full or key == full or key.startswith(f"{full}/"):
                    keys.append(key[strip:])
        return sorted(keys)

    def delete_prefix(self, prefix: str) -> None:
        for key in self.list(prefix):
            self.client.delete_object(Bucket=self.bucket, Key=self._key(key))


def open_store(location: ArtifactLocation) -> ArtifactStore:
    """The store for ``location.url``'s scheme; an unknown scheme lists the known ones."""
    return ArtifactStore.registry.get(urlparse(location.url).scheme)(location)
