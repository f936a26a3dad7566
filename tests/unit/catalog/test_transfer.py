"""The risk model on hand-checked traces, its held-out calibration on the shipped ones, and transfer prices."""

from __future__ import annotations

import pytest

from sskai.catalog.transfer import load_transfer_pricing


def test_transfer_arithmetic() -> None:
    prices = load_transfer_pricing()
    assert prices.usd(100, "us-east-1", "us-west-2") == pytest.approx(2.0)
    assert prices.usd(100, "us-east-1", "us-east-2") == pytest.approx(1.0)  # the one cheaper pair
    assert prices.usd(100, "us-east-2", "us-east-1") == pytest.approx(1.0)
    assert prices.usd(100, "ap-northeast-1", "us-east-1") == pytest.approx(9.0)  # billed by the sender
    assert prices.usd(100, "eu-west-1", "eu-west-1") == 0.0
    assert prices.usd(100, None, "us-east-1") == 0.0  # data from off AWS comes in free
    assert prices.usd(100, "us-east-1", None) == pytest.approx(9.0)  # out to the internet
    assert prices.between_zones_usd(100) == pytest.approx(2.0)
    with pytest.raises(ValueError, match="cannot transfer -1 GB"):
        prices.usd(-1, "us-east-1", "us-west-2")
