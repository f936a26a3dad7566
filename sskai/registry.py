"""Strict registries for everything pluggable: elections, artifact stores, clusters, serving targets.

A subclass registers itself by naming itself (``class Local(Cluster, name="local", default=True)``);
a duplicate name is an error at import, an unknown name lists the valid ones, and each registry
may have one default.
"""

from __future__ import annotations

from typing import Any, ClassVar, Generic, TypeVar

from sskai.errors import ConfigError

T = TypeVar("T")


class UnknownName(ConfigError):
    """A name that no implementation registered."""


class Registry(Generic[T]):
    def __init__(self, what: str) -> None:
        self.what = what
        self._classes: dict[str, type[T]] = {}
        self._default: str | None = None

    def add(self, name: str, cls: type[T], default: bool = False) -> None:
        if name in self._classes:
            raise ConfigError(
                f"{self.what} {name!r} is registered twice: {self._classes[name].__qualname__} and {cls.__qualname__}"
            )
        if default and self._default is not None:
            raise ConfigError(f"{self.what} {self._default!r} is already the default; {name!r} cannot be too")
        self._classes[name] = cls
        if default:
            self._default = name

    def get(self, name: str | None = None) -> type[T]:
        """The class registered as ``name``, or the default when ``name`` is None."""
        if name is None:
            if self._default is None:
                raise UnknownName(f"no default {self.what}; choose one of: {', '.join(self.names())}")
            name = self._default
        if name not in self._classes:
            raise UnknownName(f"unknown {self.what} {name!r}; choose one of: {', '.join(self.names())}")
        return self._classes[name]

    def names(self) -> list[str]:
        return sorted(self._classes)


class Registered:
    """Mixin: a base class sets ``registry``; each concrete subclass passes ``name=`` (and maybe ``default=``)."""

    registry: ClassVar[Registry[Any]]
    name: ClassVar[str]

    def __init_subclass__(cls, *, name: str | None = None, default: bool = False, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if name is None:
            return  # an abstract layer, not an implementation
        cls.name = name
        cls.registry.add(name, cls, default)
