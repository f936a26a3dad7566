"""Upload: versioned, content-addressed bundles; rejections name the problem and lose nothing."""

from __future__ import annotations

import pytest

from sskai.bundles.names import check_name
from sskai.errors import InvalidName


@pytest.mark.parametrize("name", ["ok", "A_b-9", "x" * 20])
def test_good_names_pass(name: str) -> None:
    assert check_name(name) == name


@pytest.mark.parametrize("name", ["", "x" * 21, "has space", "../etc", "semi;colon", "ünï"])
def test_bad_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidName, match="1-20 characters"):
        check_name(name)
