"""Dollars as a person reads them: cents for real money, significant digits for a local run's fractions of a cent."""

from __future__ import annotations

import pytest

from sskai.costs.money import dollars


@pytest.mark.parametrize(
    ("usd", "shown"),
    [
        (1234.5678, "$1,234.57"),
        (1.0, "$1.00"),
        (0.0, "$0.00"),
        (0.0123456, "$0.0123"),
        (0.000248369, "$0.000248"),
        (0.000000248369, "<$0.0001"),
        (0.5, "$0.50"),
        (-0.00042, "$-0.00042"),
        (-0.00000042, ">-$0.0001"),
    ],
)
def test_dollars(usd: float, shown: str) -> None:
    assert dollars(usd) == shown
