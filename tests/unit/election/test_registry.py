"""Elections: SSKAI's Algorithm 1 on a hand-checked example, and sskai's expected-cost ranking."""

from __future__ import annotations

import pytest

from sskai.catalog import load_catalog
from sskai.election import Election, Job, elect
from sskai.errors import ConfigError
from sskai.registry import UnknownName


def test_both_elections_are_registered_by_name_with_sskai_the_default() -> None:
    assert set(Election.registry.names()) >= {"algorithm1", "sskai"}
    assert Election.registry.get() is Election.registry.get("sskai")
    with pytest.raises(UnknownName, match="unknown election 'cheapest'; choose one of: algorithm1, sskai"):
        elect("cheapest", Job(name="x"), load_catalog())


def test_a_duplicate_election_name_is_refused() -> None:
    with pytest.raises(ConfigError, match="election 'algorithm1' is registered twice"):

        class Impostor(Election, name="algorithm1"):
            def run(self, job, catalog):  # pragma: no cover - never registered
                raise AssertionError
