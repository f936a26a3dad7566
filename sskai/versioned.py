"""Persisted values carry a schema version and are read back through their model.

A stored record that no longer fits (an older schema, a hand-edited row) fails with a message that
names the record, what is wrong, and what to do, instead of a ``KeyError`` somewhere downstream.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from sskai.errors import StoredRecordInvalid


class Versioned(BaseModel):
    """Base of every persisted value. Subclasses set ``SCHEMA_VERSION`` and ``REMEDY``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    SCHEMA_VERSION: ClassVar[int] = 1
    # What a person does about a record this version cannot read, e.g. "profile the model again".
    REMEDY: ClassVar[str] = "create it again with this version of sskai"

    schema_version: int = 0  # set to the class's SCHEMA_VERSION when a value is made here

    @model_validator(mode="before")
    @classmethod
    def _stamp_new_values(cls, data: Any) -> Any:
        if isinstance(data, dict) and "schema_version" not in data:
            return {**data, "schema_version": cls.SCHEMA_VERSION}
        return data

    @field_validator("schema_version")
    @classmethod
    def _readable(cls, version: int) -> int:
        if version != cls.SCHEMA_VERSION:
            raise ValueError(f"schema version {version}; this sskai reads version {cls.SCHEMA_VERSION}")
        return version

    def stored(self) -> dict[str, Any]:
        """The JSON-ready form that goes into the database or a file."""
        return self.model_dump(mode="json")

    @classmethod
    def from_stored(cls, data: Any, where: str) -> Self:
        """Read a stored value back; ``where`` names it for the error ("profile 1234 of model mlp")."""
        if not isinstance(data, dict) or "schema_version" not in data:
            raise StoredRecordInvalid(
                f"{where} was written before {cls.__name__} had a schema version (or is not an object); {cls.REMEDY}"
            )
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in error['loc']) or 'record'}: {error['msg']}" for error in exc.errors()[:3]
            )
            raise StoredRecordInvalid(
                f"{where} does not fit {cls.__name__} v{cls.SCHEMA_VERSION} ({problems}); {cls.REMEDY}"
            ) from exc
