"""The ArtifactStore contract, for every registered scheme: a new store is tested by registering it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import boto3
import pytest

from sskai.errors import NotFound
from sskai.settings import ArtifactLocation
from sskai.store.artifacts import ArtifactStore, open_store


def _file(tmp_path: Path, request: pytest.FixtureRequest) -> ArtifactLocation:
    return ArtifactLocation(url=(tmp_path / "artifacts").as_uri())


def _s3(tmp_path: Path, request: pytest.FixtureRequest) -> ArtifactLocation:
    endpoint = request.getfixturevalue("aws")
    bucket = f"sskai-{uuid.uuid4().hex[:8]}"
    boto3.client("s3").create_bucket(Bucket=bucket)
    return ArtifactLocation(url=f"s3://{bucket}/prefix", aws_endpoint_url=endpoint)


# How each scheme is stood up for the contract (moto for S3). A scheme without one fails below.
LOCATIONS: dict[str, Callable[[Path, pytest.FixtureRequest], ArtifactLocation]] = {"file": _file, "s3": _s3}


@pytest.fixture(params=ArtifactStore.registry.names())
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ArtifactStore:
    scheme = request.param
    assert scheme in LOCATIONS, f"artifact store {scheme!r} is registered but has no location in this contract test"
    return open_store(LOCATIONS[scheme](tmp_path, request))


def test_bytes_and_files_go_in_and_come_out_unchanged(store: ArtifactStore, tmp_path: Path) -> None:
    store.put_bytes("a/b.txt", b"hello")
    source = tmp_path / "source.bin"
    source.write_bytes(bytes(range(256)) * 64)
    store.put_file("a/c/d.bin", source)
    assert store.get_bytes("a/b.txt") == b"hello" and store.exists("a/c/d.bin")
    target = tmp_path / "out" / "d.bin"
    store.download_file("a/c/d.bin", target)
    assert target.read_bytes() == source.read_bytes()
    assert store.list("a") == ["a/b.txt", "a/c/d.bin"] and store.list("a/b.txt") == ["a/b.txt"]
    assert store.url_of("a/b.txt").endswith("/a/b.txt")


def test_a_missing_key_is_not_found_and_a_prefix_goes_whole(store: ArtifactStore, tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        store.get_bytes("nothing/here")
    with pytest.raises(NotFound):
        store.download_file("nothing/here", tmp_path / "x")
    assert not store.exists("nothing/here") and store.list("nothing") == []
    folder = tmp_path / "folder"
    (folder / "inner").mkdir(parents=True)
    (folder / "one").write_text("1")
    (folder / "inner" / "two").write_text("2")
    assert store.put_dir("dir", folder) == ["dir/inner/two", "dir/one"]
    store.put_bytes("dirty", b"kept")  # shares the prefix's letters, not its folder
    store.delete_prefix("dir")
    assert store.list("dir") == [] and store.get_bytes("dirty") == b"kept"


@pytest.mark.parametrize("key", ["/etc/passwd", "../escape", "a/../../b", ""])
def test_a_key_outside_the_store_is_refused(store: ArtifactStore, key: str) -> None:
    with pytest.raises(ValueError, match="must be relative and stay inside the store"):
        store.put_bytes(key, b"x")
