"""The bundle contract (SSKAI's, kept): what a model zip and a dataset zip contain, as types.

Model zip: ``model.py`` defining ``ModelClass`` (an ``nn.Module`` subclass or a factory callable
with no arguments), optional weights (``torch.pt`` state dict or ``model.safetensors``), and the
input declaration (shape per sample, dtype, value range), either in ``sskai.json`` or given at upload.

Dataset zip: ``loader.py`` defining ``sskai_load_data()`` returning ``(x, y)`` tensors, or a declared
layout in ``sskai.json``: ``{"layout": "npy", "x": "x.npy", "y": "y.npy"}`` or
``{"layout": "csv", "file": "data.csv", "target": "label"}``; optional ``requirements.txt``.

Validation at upload (:mod:`sskai.bundles.validation`) reads files and parses source but never runs
user code; :mod:`sskai.bundles.loading` runs it, only in profiling, training and serving processes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from sskai.versioned import Versioned

if TYPE_CHECKING:
    from sskai.store.metadata import Dataset, Model

MANIFEST = "sskai.json"
MODEL_SOURCE = "model.py"
LOADER_SOURCE = "loader.py"
WEIGHT_FILES = ("torch.pt", "model.safetensors")
REQUIREMENTS = "requirements.txt"

DTYPES = ("float32", "float16", "bfloat16", "int64", "int32")
TASK_DEFAULT_LOSS = {"regression": "mse", "classification": "cross_entropy", "causal_lm": "cross_entropy"}


class ModelSpec(Versioned):
    """What a model takes: shape of one sample (no batch dimension), dtype and value range.

    Stored as a model's manifest; read back through :func:`model_spec`.
    """

    SCHEMA_VERSION: ClassVar[int] = 1
    REMEDY: ClassVar[str] = "upload the model again with this version of sskai"

    input_shape: tuple[int, ...]
    input_dtype: Literal["float32", "float16", "bfloat16", "int64", "int32"] = "float32"
    value_range: tuple[float, float] | None = None
    task: Literal["regression", "classification", "causal_lm"] = "regression"

    @field_validator("input_shape")
    @classmethod
    def _positive(cls, shape: tuple[int, ...]) -> tuple[int, ...]:
        if not shape or any(d <= 0 for d in shape):
            raise ValueError(f"every input dimension must be a positive integer, got {list(shape)}")
        return shape

    @model_validator(mode="after")
    def _ordered_range(self) -> ModelSpec:
        if self.value_range is not None and self.value_range[0] > self.value_range[1]:
            raise ValueError(f"value_range {list(self.value_range)} has its low end above its high end")
        return self

    @property
    def default_loss(self) -> str:
        return TASK_DEFAULT_LOSS[self.task]


class InputDeclaration(BaseModel):
    """What an uploader declares about a model's input (over ``sskai.json``); every field optional.

    Shapes and ranges may come as the CLI writes them, ``"3,32,32"`` and ``"0,1"``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    input_shape: tuple[int, ...] | None = None
    input_dtype: Literal["float32", "float16", "bfloat16", "int64", "int32"] | None = None
    value_range: tuple[float, float] | None = None
    task: Literal["regression", "classification", "causal_lm"] | None = None

    @field_validator("input_shape", "value_range", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        return [part.strip() for part in value.split(",")] if isinstance(value, str) else value


class DatasetSpec(Versioned):
    """A dataset's layout and what validation found in it; stored as its manifest, read through :func:`dataset_spec`."""

    SCHEMA_VERSION: ClassVar[int] = 1
    REMEDY: ClassVar[str] = "upload the dataset again with this version of sskai"

    layout: Literal["loader", "npy", "csv"]
    x: str | None = None
    y: str | None = None
    file: str | None = None
    target: str | None = None
    requirements: tuple[str, ...] = ()
    num_samples: int | None = None
    x_shape: tuple[int, ...] | None = None


def model_spec(model: Model) -> ModelSpec:
    """The one way a stored model's declaration is read back (a stale manifest fails with what to do)."""
    return ModelSpec.from_stored(model.manifest, f"the manifest of model {model.name} v{model.version}")


def dataset_spec(dataset: Dataset) -> DatasetSpec:
    return DatasetSpec.from_stored(dataset.manifest, f"the manifest of dataset {dataset.name} v{dataset.version}")
