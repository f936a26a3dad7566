"""Reading ``.npy`` arrays that strangers wrote: the header is checked against the bytes really there
before anything is allocated, so a header claiming 64 GB is refused, not attempted. Never pickle."""

from __future__ import annotations

import functools
import io
import struct
from typing import BinaryIO

import numpy as np


class NotPlainNpy(ValueError):
    """The bytes are not a plain ``.npy`` array, or its header lies about its size."""


def _header_of(stream: BinaryIO) -> tuple[tuple[int, ...], bool, np.dtype]:
    """Shape, Fortran order and dtype from the header at ``stream``'s position (left at the data)."""
    try:
        major, _ = np.lib.format.read_magic(stream)
        if major not in (1, 2):
            raise NotPlainNpy(f".npy format version {major} is not supported (1 or 2)")
        read_header = np.lib.format.read_array_header_1_0 if major == 1 else np.lib.format.read_array_header_2_0
        shape, fortran_order, dtype = read_header(stream)
    except (ValueError, OSError, EOFError, SyntaxError) as exc:
        raise NotPlainNpy(f"not a plain .npy array: {exc}") from exc
    if dtype.hasobject:
        raise NotPlainNpy("an object array; object arrays are refused (they would need unpickling)")
    return tuple(shape), fortran_order, dtype


def check_header(stream: BinaryIO, size: int) -> tuple[tuple[int, ...], np.dtype]:
    """Read and check the header of the ``size``-byte ``.npy`` in ``stream``; leaves it at the data."""
    shape, _, dtype = _header_of(stream)
    _elements(shape, dtype, carried=size - stream.tell())
    return shape, dtype


def _elements(shape: tuple[int, ...], dtype: np.dtype, carried: int) -> int:
    """How many elements the header says follow it, once the ``carried`` bytes are seen to hold exactly them."""
    count = int(np.prod(shape, dtype=np.int64))
    claimed = count * dtype.itemsize
    if claimed != carried:
        raise NotPlainNpy(f"its header claims {claimed:,} bytes of data but {carried:,} follow it")
    return count


def load_checked(stream: BinaryIO, size: int) -> np.ndarray:
    """The array in ``stream`` (``size`` bytes), once its header has been checked."""
    start = stream.tell()
    check_header(stream, size)
    stream.seek(start)
    try:
        return np.load(stream, allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise NotPlainNpy(f"not a plain .npy array: {exc}") from exc


# The request path sees the same few headers over and over (one client, one input shape): each is
# parsed once (numpy parses a header with ``ast.literal_eval``, ~0.1 ms) and looked up after.
HEADER_CACHE = 256


@functools.lru_cache(maxsize=HEADER_CACHE)
def _parsed(header: bytes) -> tuple[tuple[int, ...], bool, np.dtype]:
    return _header_of(io.BytesIO(header))


def _header_length(body: bytes) -> int:
    """Magic, version, the header's length field and the header: where the data starts."""
    if len(body) < 10 or not body.startswith(np.lib.format.MAGIC_PREFIX):
        raise NotPlainNpy("not a plain .npy array: it does not start with the .npy magic")
    major = body[6]
    if major == 1:
        return 10 + struct.unpack("<H", body[8:10])[0]
    if major == 2 and len(body) >= 12:
        return 12 + struct.unpack("<I", body[8:12])[0]
    raise NotPlainNpy(f".npy format version {major} is not supported (1 or 2)")


def array_from_bytes(body: bytes | bytearray) -> np.ndarray:
    """The array in a ``.npy`` held in memory, its header checked against the bytes there: a view of
    ``body`` (no copy; writable only over a ``bytearray``). The same checks as :func:`load_checked`."""
    start = _header_length(body)
    if start > len(body):
        raise NotPlainNpy("not a plain .npy array: its header runs past the end")
    shape, fortran_order, dtype = _parsed(bytes(body[:start]))
    count = _elements(shape, dtype, carried=len(body) - start)
    flat = np.frombuffer(body, dtype=dtype, count=count, offset=start)
    return flat.reshape(shape[::-1]).transpose() if fortran_order else flat.reshape(shape)


@functools.lru_cache(maxsize=HEADER_CACHE)
def _header_for(descr: str, shape: tuple[int, ...]) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": descr, "fortran_order": False, "shape": shape})
    return buffer.getvalue()  # magic, version 1.0, the padded header


def array_to_bytes(array: np.ndarray) -> bytes:
    """A plain ``.npy`` (version 1, C order) of ``array``, the same bytes ``np.save`` writes."""
    if array.dtype.hasobject:
        raise NotPlainNpy("an object array cannot be sent as .npy without pickle")
    contiguous = array if array.flags.c_contiguous else array.copy(order="C")  # ascontiguousarray makes 0-d 1-d
    return _header_for(np.lib.format.dtype_to_descr(contiguous.dtype), contiguous.shape) + contiguous.tobytes()
