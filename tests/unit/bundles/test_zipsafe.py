"""Hostile and malformed archives are rejected with a reason, and leave nothing behind."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from sskai.bundles.zipsafe import ZipLimits, content_hash, safe_extract
from sskai.errors import UploadRejected
from tests.helpers import add_symlink, make_zip


def test_a_plain_archive_unpacks_with_its_content_hash(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "ok.zip", {"model.py": "x = 1\n", "sub/data.txt": "hello"})
    result = safe_extract(archive, tmp_path / "out")
    assert result.files == ("model.py", "sub/data.txt")
    assert (tmp_path / "out" / "sub" / "data.txt").read_text() == "hello"
    assert result.content_sha256 == content_hash(tmp_path / "out", list(result.files))


def test_same_content_hashes_alike_whatever_the_zip_metadata(tmp_path: Path) -> None:
    files = {"b.txt": "two", "a.txt": "one"}
    first = safe_extract(make_zip(tmp_path / "1.zip", files), tmp_path / "o1")
    second = safe_extract(
        make_zip(tmp_path / "2.zip", dict(reversed(files.items())), zipfile.ZIP_STORED), tmp_path / "o2"
    )
    changed = safe_extract(make_zip(tmp_path / "3.zip", {**files, "a.txt": "ONE"}), tmp_path / "o3")
    assert first.content_sha256 == second.content_sha256 != changed.content_sha256


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../escape.py", "path traversal"),
        ("ok/../../escape.py", "path traversal"),
        ("/etc/passwd", "absolute path"),
        ("C:/windows/x.py", "absolute path"),
        ("dir\\..\\x.py", "backslashes"),
    ],
)
def test_entries_that_escape_are_rejected(tmp_path: Path, name: str, reason: str) -> None:
    archive = make_zip(tmp_path / "bad.zip", {"fine.txt": "x", name: "payload"})
    with pytest.raises(UploadRejected, match=reason):
        safe_extract(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "escape.py").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["bad.zip"]  # no staging folder left behind


def test_symlinks_are_rejected(tmp_path: Path) -> None:
    archive = add_symlink(make_zip(tmp_path / "link.zip", {"model.py": "x"}), "data", "/etc")
    with pytest.raises(UploadRejected, match="symbolic link"):
        safe_extract(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_zip_bomb_is_rejected_by_its_compression_ratio(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "bomb.zip", {"zeros.bin": b"\0" * (20 * 1024 * 1024)})
    assert archive.stat().st_size < 100_000
    with pytest.raises(UploadRejected, match="compression ratio"):
        safe_extract(archive, tmp_path / "out")


def test_total_unpacked_size_is_bounded(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "big.zip", {f"f{i}.bin": bytes(range(256)) * 400 for i in range(5)})
    with pytest.raises(UploadRejected, match="unpacks to more than"):
        safe_extract(archive, tmp_path / "out", ZipLimits(max_total_uncompressed_bytes=300_000))


def test_oversize_archives_and_entry_floods_are_rejected(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "many.zip", {f"f{i}.txt": "x" for i in range(50)})
    with pytest.raises(UploadRejected, match="entries"):
        safe_extract(archive, tmp_path / "out", ZipLimits(max_entries=10))
    with pytest.raises(UploadRejected, match=r"over the .* limit"):
        safe_extract(archive, tmp_path / "out", ZipLimits(max_archive_bytes=100))


def test_an_entry_that_lies_about_its_size_is_caught_while_streaming(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "liar.zip", {"data.bin": b"A" * 5000}, zipfile.ZIP_STORED)
    raw = bytearray(archive.read_bytes())
    # Shrink the declared size in the central directory (offset 24 of the record) to 10 bytes.
    central = raw.rindex(b"PK\x01\x02")
    raw[central + 24 : central + 28] = (10).to_bytes(4, "little")
    archive.write_bytes(bytes(raw))
    with pytest.raises(UploadRejected):
        safe_extract(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("content", [b"this is not a zip", b"PK\x03\x04" + b"\0" * 40])
def test_non_zips_and_corrupt_zips_are_rejected(tmp_path: Path, content: bytes) -> None:
    archive = tmp_path / "junk.zip"
    archive.write_bytes(content)
    with pytest.raises(UploadRejected, match=r"not a zip|corrupt"):
        safe_extract(archive, tmp_path / "out")


def test_an_existing_destination_is_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("precious")
    with pytest.raises(UploadRejected, match="already exists"):
        safe_extract(make_zip(tmp_path / "ok.zip", {"a": "b"}), tmp_path / "out")
    assert (tmp_path / "out" / "keep.txt").read_text() == "precious"
