"""The pluggable parts: strict registries, and the Cluster and ServingTarget contracts' first implementations."""

from __future__ import annotations

import pytest

from sskai.errors import ConfigError
from sskai.registry import Registry, UnknownName


def test_a_registry_refuses_duplicates_and_lists_names() -> None:
    registry: Registry[object] = Registry("widget")
    registry.add("a", int, default=True)
    registry.add("b", float)
    assert registry.get() is int and registry.get("b") is float and registry.names() == ["a", "b"]
    with pytest.raises(ConfigError, match="widget 'a' is registered twice"):
        registry.add("a", str)
    with pytest.raises(ConfigError, match="widget 'a' is already the default"):
        registry.add("c", str, default=True)
    with pytest.raises(UnknownName, match="unknown widget 'z'; choose one of: a, b"):
        registry.get("z")
    with pytest.raises(UnknownName, match="no default thing"):
        Registry("thing").get()
