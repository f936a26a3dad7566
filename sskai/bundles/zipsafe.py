"""Safe extraction of uploaded zip archives: the one place that decides whether a zip is safe.

Rejects path traversal, absolute paths, links, zip bombs (declared and actual sizes, compression
ratio) and oversize archives before a byte lands in the destination. Extraction goes to a temporary
folder beside the destination and is renamed into place only when complete, so a rejected archive
leaves nothing behind and never replaces what was stored.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from sskai.errors import UploadRejected
from sskai.units import MiB


@dataclass(frozen=True)
class ZipLimits:
    """Bounds an archive must respect. Defaults fit a model or a small dataset, not a corpus."""

    max_archive_bytes: int = 512 * MiB
    max_total_uncompressed_bytes: int = 2048 * MiB
    max_entries: int = 10_000
    # Real data compresses at most ~20:1 (text); a bomb is 1000:1 and more.
    max_compression_ratio: float = 200.0
    # Tiny entries compress badly or well without harm; only judge the ratio above this size.
    ratio_check_min_bytes: int = 1 * MiB


@dataclass(frozen=True)
class ExtractedArchive:
    root: Path
    files: tuple[str, ...]
    content_sha256: str
    total_bytes: int


DEFAULT_LIMITS = ZipLimits()


def safe_extract(archive: Path, destination: Path, limits: ZipLimits = DEFAULT_LIMITS) -> ExtractedArchive:
    """Extract ``archive`` into ``destination`` (which must not exist yet) or raise UploadRejected."""
    archive = Path(archive)
    destination = Path(destination)
    if destination.exists():
        raise UploadRejected(f"destination {destination} already exists; refusing to overwrite it")
    if not archive.is_file():
        raise UploadRejected(f"{archive} is not a file")
    size = archive.stat().st_size
    if size > limits.max_archive_bytes:
        raise UploadRejected(
            f"archive is {size / MiB:.1f} MiB, over the {limits.max_archive_bytes / MiB:.0f} MiB limit"
        )
    if not zipfile.is_zipfile(archive):
        raise UploadRejected(f"{archive.name} is not a zip archive")
    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".extract-", dir=destination.parent))
    try:
        with zipfile.ZipFile(archive) as zf:
            members = _checked_members(zf, limits)
            files, total = _extract_members(zf, members, staging, limits)
        digest = content_hash(staging, files)
        os.replace(staging, destination)
    except zipfile.BadZipFile as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise UploadRejected(f"{archive.name} is a corrupt zip archive: {exc}") from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return ExtractedArchive(root=destination, files=tuple(files), content_sha256=digest, total_bytes=total)


def _checked_members(zf: zipfile.ZipFile, limits: ZipLimits) -> list[zipfile.ZipInfo]:
    infos = zf.infolist()
    if len(infos) > limits.max_entries:
        raise UploadRejected(f"archive has {len(infos)} entries, over the limit of {limits.max_entries}")
    declared_total = 0
    seen: set[str] = set()
    folders: set[str] = set()
    members = []
    for info in infos:
        name = _safe_member_name(info.filename)
        if _is_link(info):
            raise UploadRejected(f"archive entry {info.filename!r} is a symbolic link; links are not allowed")
        folders.update(parent.as_posix() for parent in PurePosixPath(name).parents if parent.parts)
        if info.is_dir():
            folders.add(name)
            continue
        if name in seen:
            raise UploadRejected(f"archive entry {info.filename!r} appears twice")
        seen.add(name)
        if info.flag_bits & 0x1:
            raise UploadRejected(f"archive entry {info.filename!r} is encrypted")
        declared_total += info.file_size
        if declared_total > limits.max_total_uncompressed_bytes:
            raise UploadRejected(f"archive unpacks to more than {limits.max_total_uncompressed_bytes / MiB:.0f} MiB")
        if info.file_size >= limits.ratio_check_min_bytes:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_compression_ratio:
                raise UploadRejected(
                    f"archive entry {info.filename!r} has compression ratio {ratio:.0f}:1, "
                    f"over {limits.max_compression_ratio:.0f}:1 (a zip bomb?)"
                )
        members.append(info)
    clashes = sorted(seen & folders)
    if clashes:
        raise UploadRejected(f"archive entry {clashes[0]!r} is both a file and a folder")
    return members


MAX_NAME_BYTES = 255  # NAME_MAX on Linux, macOS and Windows
MAX_PATH_BYTES = 1024  # well under PATH_MAX once the unpacking folder is in front


def _safe_member_name(raw: str) -> str:
    if "\x00" in raw:
        raise UploadRejected(f"archive entry {raw!r} has a NUL byte in its name")
    if "\\" in raw:
        raise UploadRejected(f"archive entry {raw!r} uses backslashes; use '/' as the separator")
    path = PurePosixPath(raw)
    if path.is_absolute() or (path.parts and ":" in path.parts[0]):
        raise UploadRejected(f"archive entry {raw!r} has an absolute path")
    if any(part == ".." for part in path.parts):
        raise UploadRejected(f"archive entry {raw!r} escapes the archive folder (path traversal)")
    longest = max((len(part.encode()) for part in path.parts), default=0)
    if longest > MAX_NAME_BYTES or len(raw.encode()) > MAX_PATH_BYTES:
        shown = raw if len(raw) <= 60 else f"{raw[:40]}...{raw[-12:]}"
        raise UploadRejected(
            f"archive entry {shown!r} has a name too long to unpack (at most {MAX_NAME_BYTES} bytes a name, "
            f"{MAX_PATH_BYTES} a path)"
        )
    return path.as_posix()


def _is_link(info: zipfile.ZipInfo) -> bool:
    mode = info.external_attr >> 16
    return info.create_system == 3 and stat.S_ISLNK(mode)


def _extract_members(
    zf: zipfile.ZipFile, members: list[zipfile.ZipInfo], staging: Path, limits: ZipLimits
) -> tuple[list[str], int]:
    """Stream each member out, counting real bytes: declared sizes in a zip can lie."""
    total = 0
    files = []
    for info in members:
        name = PurePosixPath(info.filename).as_posix()
        target = staging / name
        if staging.resolve() not in target.resolve().parents:
            raise UploadRejected(f"archive entry {info.filename!r} escapes the archive folder")
        target.parent.mkdir(parents=True, exist_ok=True)
        written = 0
        with zf.open(info) as src, open(target, "wb") as dst:
            while chunk := src.read(1 * MiB):
                written += len(chunk)
                total += len(chunk)
                if written > info.file_size or total > limits.max_total_uncompressed_bytes:
                    raise UploadRejected(
                        f"archive entry {info.filename!r} unpacks to more bytes than it declares "
                        "or than the total limit allows (a zip bomb?)"
                    )
                dst.write(chunk)
        files.append(name)
    return sorted(files), total


def content_hash(root: Path, files: list[str] | tuple[str, ...]) -> str:
    """SHA-256 over sorted (path, file hash) pairs: the same content hashes alike whatever the zip's metadata."""
    outer = hashlib.sha256()
    for name in sorted(files):
        inner = hashlib.sha256()
        with open(root / name, "rb") as fh:
            while chunk := fh.read(1 * MiB):
                inner.update(chunk)
        outer.update(name.encode() + b"\0" + inner.digest())
    return outer.hexdigest()
