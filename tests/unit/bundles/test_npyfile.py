"""``.npy`` bytes from strangers: the in-memory reader checks the header against the bytes there, as the
stream reader does, and writes what ``np.save`` writes."""

from __future__ import annotations

import io

import numpy as np
import pytest

from sskai.bundles.npyfile import NotPlainNpy, array_from_bytes, array_to_bytes


def saved(array: np.ndarray, allow_pickle: bool = False) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=allow_pickle)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "array",
    [
        np.arange(12, dtype=np.float32).reshape(3, 4),
        np.asfortranarray(np.arange(6.0).reshape(2, 3)),
        np.zeros((0, 3), np.int64),
        np.array(3.5),
        np.arange(6).reshape(2, 3)[:, ::2],  # not contiguous
    ],
)
def test_arrays_read_and_write_as_numpy_does(array: np.ndarray) -> None:
    read = array_from_bytes(saved(array))
    assert read.shape == array.shape and np.array_equal(read, array)
    written = array_to_bytes(array)
    assert np.array_equal(np.load(io.BytesIO(written)), array)
    if array.flags.c_contiguous:
        assert written == saved(array)  # byte for byte
    assert array_from_bytes(bytearray(saved(array))).flags.writeable  # over a bytearray: the model may write


def test_a_header_that_lies_or_holds_objects_is_refused() -> None:
    body = saved(np.zeros((4, 4), np.float32))
    with pytest.raises(NotPlainNpy, match="claims 64 bytes of data but 32 follow"):
        array_from_bytes(body[:-32])
    with pytest.raises(NotPlainNpy, match="object arrays are refused"):
        array_from_bytes(saved(np.array([{"a": 1}], dtype=object), allow_pickle=True))
    with pytest.raises(NotPlainNpy, match="magic"):
        array_from_bytes(b"not an npy at all")
