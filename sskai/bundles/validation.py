"""Checking a bundle against the contract without running its code: files read, source parsed (``ast``),
declared arrays opened with their headers checked (never pickle)."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import numpy as np
from packaging.requirements import InvalidRequirement, Requirement
from pydantic import ValidationError

from sskai.bundles.npyfile import NotPlainNpy, load_checked
from sskai.bundles.spec import (
    LOADER_SOURCE,
    MANIFEST,
    MODEL_SOURCE,
    REQUIREMENTS,
    WEIGHT_FILES,
    DatasetSpec,
    InputDeclaration,
    ModelSpec,
)
from sskai.errors import BundleError, UploadRejected

MAX_MANIFEST_BYTES = 64 * 1024


def _read_manifest(root: Path) -> dict[str, Any]:
    path = root / MANIFEST
    if not path.is_file():
        return {}
    if path.stat().st_size > MAX_MANIFEST_BYTES:
        raise UploadRejected(f"{MANIFEST} is over {MAX_MANIFEST_BYTES // 1024} KiB; it only declares a few fields")
    try:
        data = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UploadRejected(f"{MANIFEST} is not valid JSON: {exc}") from exc
    except RecursionError as exc:
        raise UploadRejected(f"{MANIFEST} is nested too deeply to be a declaration") from exc
    if not isinstance(data, dict):
        raise UploadRejected(f"{MANIFEST} must hold a JSON object")
    return data


def _defines(source_path: Path, name: str) -> bool:
    """Does the module define ``name`` at top level? Parsed, never executed."""
    try:
        tree = ast.parse(source_path.read_text(), filename=source_path.name)
    except (SyntaxError, UnicodeDecodeError, ValueError) as exc:
        raise UploadRejected(f"{source_path.name} does not parse as Python: {exc}") from exc
    for node in tree.body:
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
            return True
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return True
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == name:
            return True
        if isinstance(node, ast.ImportFrom) and any((a.asname or a.name) == name for a in node.names):
            return True
    return False


def validate_model_bundle(root: Path, declared: InputDeclaration | None = None) -> ModelSpec:
    """Check an unpacked model bundle against the contract; returns its spec or raises UploadRejected."""
    source = root / MODEL_SOURCE
    if not source.is_file():
        raise UploadRejected(f"model bundle has no {MODEL_SOURCE} at its top level")
    if not _defines(source, "ModelClass"):
        raise UploadRejected(f"{MODEL_SOURCE} does not define ModelClass (a class or a no-argument factory)")
    values = {**_read_manifest(root), **(declared.model_dump(exclude_none=True) if declared else {})}
    try:
        spec = ModelSpec(**values)
    except ValidationError as exc:
        raise UploadRejected(f"model declaration is invalid: {_pydantic_reason(exc)}") from exc
    weights = [name for name in WEIGHT_FILES if (root / name).is_file()]
    if len(weights) > 1:
        raise UploadRejected(f"model bundle has both {weights[0]} and {weights[1]}; keep one")
    if weights:
        _check_weights(root / weights[0])
    return spec


def _check_weights(path: Path) -> None:
    try:
        state = read_state_dict(path)
    except Exception as exc:  # any parse failure is the uploader's to fix
        raise UploadRejected(f"{path.name} is not a readable state dict: {exc}") from exc
    if not state:
        raise UploadRejected(f"{path.name} holds no tensors")


def read_state_dict(path: Path) -> dict[str, Any]:
    """Load weights without running code: safetensors, or torch.load with weights_only."""
    import torch

    if path.suffix == ".safetensors":
        from safetensors.torch import load_file

        return load_file(str(path))
    state = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise BundleError(f"{path.name} must hold a state dict (names to tensors)")
    return state


def validate_dataset_bundle(root: Path, declared: dict[str, Any] | None = None) -> DatasetSpec:
    """Check an unpacked dataset bundle; array layouts are opened (no pickle) to check their shapes."""
    values = {**_read_manifest(root), **(declared or {})}
    if "layout" not in values:
        values["layout"] = _guess_layout(root)
    values["requirements"] = tuple(_read_requirements(root))
    try:
        spec = DatasetSpec(**values)
    except ValidationError as exc:
        raise UploadRejected(f"dataset declaration is invalid: {_pydantic_reason(exc)}") from exc
    if spec.layout == "loader":
        if not (root / LOADER_SOURCE).is_file():
            raise UploadRejected(f"dataset layout 'loader' needs {LOADER_SOURCE} at the top level")
        if not _defines(root / LOADER_SOURCE, "sskai_load_data"):
            raise UploadRejected(f"{LOADER_SOURCE} does not define sskai_load_data()")
        return spec
    try:
        x, _ = load_declared(root, spec)
    except BundleError as exc:
        raise UploadRejected(str(exc)) from exc
    return spec.model_copy(update={"num_samples": len(x), "x_shape": tuple(x.shape[1:])})


def _guess_layout(root: Path) -> str:
    if (root / LOADER_SOURCE).is_file():
        return "loader"
    if (root / "x.npy").is_file() and (root / "y.npy").is_file():
        return "npy"
    raise UploadRejected(f"dataset bundle has no {LOADER_SOURCE}, no x.npy/y.npy pair and no layout in {MANIFEST}")


def _read_requirements(root: Path) -> list[str]:
    path = root / REQUIREMENTS
    if not path.is_file():
        return []
    requirements = []
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        try:
            requirements.append(str(Requirement(line)))
        except InvalidRequirement as exc:
            raise UploadRejected(
                f"{REQUIREMENTS} line {number} ({line!r}) is not a package requirement "
                "(options, URLs and editable installs are not accepted)"
            ) from exc
    return requirements


def load_declared(root: Path, spec: DatasetSpec) -> tuple[np.ndarray, np.ndarray]:
    if spec.layout == "npy":
        x = _load_npy(root, spec.x or "x.npy")
        y = _load_npy(root, spec.y or "y.npy")
    else:
        x, y = _load_csv(root, spec)
    if x.ndim == 0 or y.ndim == 0 or len(x) != len(y):
        raise BundleError(f"x has shape {x.shape} and y has shape {y.shape}; they must have the same first dimension")
    if len(x) == 0:
        raise BundleError("dataset has no samples")
    for label, array in (("x", x), ("y", y)):
        _check_finite(label, array)
    return x, y


def _check_finite(label: str, array: np.ndarray) -> None:
    """NaN or infinity in the data would only show up later as "loss became nan": refuse it here, with where."""
    if array.dtype.kind not in "fc":
        return
    bad = ~np.isfinite(array)
    if bad.any():
        sample = int(np.argwhere(bad)[0][0])
        raise BundleError(
            f"{label} has {int(bad.sum()):,} NaN or infinite value(s), the first in sample {sample}; "
            "clean or drop those samples before uploading"
        )


def _inside(root: Path, name: str) -> Path:
    path = (root / name).resolve()
    if root.resolve() not in path.parents:
        raise BundleError(f"{name!r} is outside the bundle")
    if not path.is_file():
        raise BundleError(f"dataset declares {name!r}, which is not in the bundle")
    return path


def _load_npy(root: Path, name: str) -> np.ndarray:
    path = _inside(root, name)
    try:
        with open(path, "rb") as stream:
            return load_checked(stream, path.stat().st_size)
    except NotPlainNpy as exc:
        raise BundleError(f"{name}: {exc}") from exc


def _load_csv(root: Path, spec: DatasetSpec) -> tuple[np.ndarray, np.ndarray]:
    import pandas as pd

    if not spec.file or not spec.target:
        raise BundleError("csv layout needs 'file' and 'target' in sskai.json")
    frame = pd.read_csv(_inside(root, spec.file))
    if spec.target not in frame.columns:
        raise BundleError(f"target column {spec.target!r} is not in {spec.file} (columns: {list(frame.columns)})")
    features = frame.drop(columns=[spec.target])
    non_numeric = [c for c in features.columns if not pd.api.types.is_numeric_dtype(features[c])]
    if non_numeric:
        raise BundleError(f"csv columns {non_numeric} are not numeric")
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_numeric_dtype(values) and not np.isfinite(values.to_numpy(np.float64)).all():
            row = int(np.argmax(~np.isfinite(values.to_numpy(np.float64))))
            raise BundleError(
                f"{spec.file} column {column!r} has an empty, NaN or infinite value (first on data row {row + 1}); "
                "clean or drop those rows before uploading"
            )
    return features.to_numpy(np.float32), frame[spec.target].to_numpy()


def _pydantic_reason(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']}" for e in exc.errors())


def check_inputs(array: np.ndarray, spec: ModelSpec) -> np.ndarray:
    """Validate a batch against the model's declaration; returns it cast to the declared dtype."""
    expected = tuple(spec.input_shape)
    if array.ndim == len(expected):
        array = array[None, ...]
    if tuple(array.shape[1:]) != expected:
        raise BundleError(f"input has shape {list(array.shape)}; expected [batch, {', '.join(map(str, expected))}]")
    if array.dtype.kind not in "biuf":
        raise BundleError(f"input dtype {array.dtype} is not numeric")
    if not np.isfinite(array.astype(np.float64)).all():
        raise BundleError("input has NaN or infinite values")
    if spec.value_range is not None:
        low, high = spec.value_range
        if array.size and (array.min() < low or array.max() > high):
            raise BundleError(
                f"input values span [{array.min()}, {array.max()}], outside the declared range [{low}, {high}]"
            )
    if spec.input_dtype.startswith("int"):
        if array.dtype.kind == "f" and not np.all(np.mod(array, 1) == 0):
            raise BundleError(f"input must be whole numbers for dtype {spec.input_dtype}")
        return array.astype(spec.input_dtype)
    return array.astype(np.float32)
