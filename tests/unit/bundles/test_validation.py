"""Loading bundles at run time: user code failures and wrong inputs get reasons a person can act on."""

from __future__ import annotations

import numpy as np
import pytest

from sskai.bundles.spec import ModelSpec
from sskai.bundles.validation import check_inputs
from sskai.errors import BundleError

SPEC = ModelSpec(input_shape=(3,), value_range=(-1.0, 1.0))


@pytest.mark.parametrize(
    ("array", "reason"),
    [
        (np.zeros((2, 4), np.float32), r"expected \[batch, 3\]"),
        (np.array([[0.0, np.nan, 0.0]]), "NaN"),
        (np.array([[0.0, 5.0, 0.0]]), "outside the declared range"),
        (np.array([["a", "b", "c"]]), "not numeric"),
    ],
)
def test_inputs_are_checked_against_the_declaration(array: np.ndarray, reason: str) -> None:
    with pytest.raises(BundleError, match=reason):
        check_inputs(array, SPEC)


def test_a_single_sample_gets_a_batch_dimension_and_the_declared_dtype() -> None:
    out = check_inputs(np.array([0.5, 0.0, -0.5]), SPEC)
    assert out.shape == (1, 3) and out.dtype == np.float32
    tokens = check_inputs(np.array([[1.0, 2.0]]), ModelSpec(input_shape=(2,), input_dtype="int64"))
    assert tokens.dtype == np.int64
    with pytest.raises(BundleError, match="whole numbers"):
        check_inputs(np.array([[1.5, 2.0]]), ModelSpec(input_shape=(2,), input_dtype="int64"))
