"""Reading ``.npy`` arrays that strangers wrote: the header is checked against the bytes really there
before anything is allocated, so a header claiming 64 GB is refused, not attempted. Never pickle."""

from __future__ import annotations

from typing import BinaryIO

import numpy as np


class NotPlainNpy(ValueError):
    """The bytes are not a plain ``.npy`` array, or its header lies about its size."""


def check_header(stream: BinaryIO, size: int) -> tuple[tuple[int, ...], np.dtype]:
    """Read and check the header of the ``size``-byte ``.npy`` in ``stream``; leaves it at the data."""
    try:
        major, _ = np.lib.format.read_magic(stream)
        if major not in (1, 2):
            raise NotPlainNpy(f".npy format version {major} is not supported (1 or 2)")
        read_header = np.lib.format.read_array_header_1_0 if major == 1 else np.lib.format.read_array_header_2_0
        shape, _, dtype = read_header(stream)
    except (ValueError, OSError, EOFError, SyntaxError) as exc:
        raise NotPlainNpy(f"not a plain .npy array: {exc}") from exc
    if dtype.hasobject:
        raise NotPlainNpy("an object array; object arrays are refused (they would need unpickling)")
    claimed = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    carried = size - stream.tell()
    if claimed != carried:
        raise NotPlainNpy(f"its header claims {claimed:,} bytes of data but {carried:,} follow it")
    return tuple(shape), dtype


def load_checked(stream: BinaryIO, size: int) -> np.ndarray:
    """The array in ``stream`` (``size`` bytes), once its header has been checked."""
    start = stream.tell()
    check_header(stream, size)
    stream.seek(start)
    try:
        return np.load(stream, allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise NotPlainNpy(f"not a plain .npy array: {exc}") from exc
