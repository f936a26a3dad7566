"""Command-line options derived from a pydantic model, so a default or a help text exists once.

``@options_from(TrainingConfig)`` adds one ``--option`` per field (its default, its description as
help; typer turns a ``Literal`` into choices) to a typer command, and hands the command a validated model
instance as ``config``.
"""

from __future__ import annotations

import functools
import inspect
import types
import typing
from collections.abc import Callable
from enum import Enum
from typing import Any, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

F = TypeVar("F", bound=Callable[..., Any])


def _option(name: str, field: FieldInfo) -> inspect.Parameter:
    annotation = field.annotation
    args = typing.get_args(annotation)
    optional = type(None) in args
    inner = next((a for a in args if a is not type(None)), annotation) if optional else annotation
    flag = "--" + name.replace("_", "-")
    kwargs: dict[str, Any] = {"help": field.description or ""}
    if typing.get_origin(inner) is tuple:  # "a,b,c" on the command line; the model parses it
        inner = str
    if isinstance(inner, type) and issubclass(inner, bool):
        flag = f"{flag}/--no-{flag[2:]}"
    default = field.get_default(call_default_factory=True)
    if isinstance(default, tuple):
        default = ",".join(map(str, default))
    shown = inner | None if optional else inner
    return inspect.Parameter(
        name,
        inspect.Parameter.KEYWORD_ONLY,
        default=typer.Option(default.value if isinstance(default, Enum) else default, flag, **kwargs),
        annotation=shown,
    )


def options_from(model: type[BaseModel], *, on_invalid: Callable[[ValidationError], Exception]) -> Callable[[F], F]:
    """Decorate a command taking ``config: <model>``; ``on_invalid`` turns a bad value into the command's error."""

    def decorate(command: F) -> F:
        signature = inspect.signature(command, eval_str=True)  # real types, not the strings of postponed annotations
        own = [p for p in signature.parameters.values() if p.name != "config"]
        fields = [_option(name, field) for name, field in model.model_fields.items()]

        @functools.wraps(command)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            values = {name: kwargs.pop(name) for name in model.model_fields}
            values = {k: (_split(v) if isinstance(v, str) and _is_tuple(model, k) else v) for k, v in values.items()}
            try:
                config = model(**values)
            except ValidationError as exc:
                raise on_invalid(exc) from exc
            return command(*args, config=config, **kwargs)

        parameters = own + fields
        wrapper.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        wrapper.__annotations__ = {p.name: p.annotation for p in parameters}
        return typing.cast(F, wrapper)

    return decorate


def _is_tuple(model: type[BaseModel], name: str) -> bool:
    annotation = model.model_fields[name].annotation
    candidates = typing.get_args(annotation) if isinstance(annotation, types.UnionType) else (annotation,)
    return any(typing.get_origin(a) is tuple for a in candidates)


def _split(text: str) -> list[str] | None:
    parts = [part.strip() for part in text.split(",") if part.strip()]
    return parts or None


def validation_reason(exc: ValidationError) -> str:
    """One line naming each bad option and why."""
    return "; ".join(
        f"--{'.'.join(str(p) for p in error['loc']).replace('_', '-')}: {error['msg']}" for error in exc.errors()
    )
