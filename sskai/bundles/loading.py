"""Loading a bundle, which runs its code: only in profiling, training and serving processes (in the sandbox)."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import sys
from pathlib import Path
from typing import Any

import numpy as np
from packaging.requirements import Requirement

from sskai.bundles.spec import LOADER_SOURCE, MODEL_SOURCE, WEIGHT_FILES, DatasetSpec
from sskai.bundles.validation import load_declared, read_state_dict
from sskai.errors import BundleError


def missing_requirements(requirements: tuple[str, ...] | list[str]) -> list[str]:
    """The requirements this Python environment does not satisfy."""
    missing = []
    for text in requirements:
        req = Requirement(text)
        try:
            installed = importlib.metadata.version(req.name)
        except importlib.metadata.PackageNotFoundError:
            missing.append(f"{text} (not installed)")
            continue
        if req.specifier and not req.specifier.contains(installed, prereleases=True):
            missing.append(f"{text} (installed: {installed})")
    return missing


def _import_file(path: Path, module_name: str) -> Any:
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise BundleError(f"cannot import {path.name}")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.parent))  # let the bundle import its own helper modules
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise BundleError(f"{path.name} raised {type(exc).__name__} on import: {exc}") from exc
    finally:
        sys.path.remove(str(path.parent))
    return module


def build_model(root: Path, weights: Path | None = None) -> Any:
    """Instantiate the bundle's ModelClass and load its weights (``weights`` overrides the bundle's)."""
    import torch

    module = _import_file(root / MODEL_SOURCE, f"sskai_user_model_{abs(hash(str(root)))}")
    factory = getattr(module, "ModelClass", None)
    if factory is None or not callable(factory):
        raise BundleError("model.py's ModelClass is missing or not callable")
    try:
        model = factory()
    except Exception as exc:
        raise BundleError(f"ModelClass() raised {type(exc).__name__}: {exc}") from exc
    if not isinstance(model, torch.nn.Module):
        raise BundleError(f"ModelClass() returned {type(model).__name__}, not a torch.nn.Module")
    weight_path = weights or next((root / n for n in WEIGHT_FILES if (root / n).is_file()), None)
    if weight_path is not None:
        try:
            model.load_state_dict(read_state_dict(weight_path))
        except (RuntimeError, BundleError) as exc:
            raise BundleError(f"weights in {weight_path.name} do not fit ModelClass: {exc}") from exc
    return model


def load_dataset(root: Path, spec: DatasetSpec) -> tuple[Any, Any]:
    """Return ``(x, y)`` as tensors, from the declared layout or the user's loader."""
    import torch

    if spec.layout != "loader":
        x, y = load_declared(root, spec)
        return torch.from_numpy(np.array(x)), torch.from_numpy(np.array(y))
    missing = missing_requirements(spec.requirements)
    if missing:
        raise BundleError(f"dataset requirements not installed here: {', '.join(missing)}")
    module = _import_file(root / LOADER_SOURCE, f"sskai_user_loader_{abs(hash(str(root)))}")
    try:
        result = module.sskai_load_data()
    except Exception as exc:
        raise BundleError(f"sskai_load_data() raised {type(exc).__name__}: {exc}") from exc
    if not (isinstance(result, tuple) and len(result) == 2):
        raise BundleError("sskai_load_data() must return a tuple (x, y)")
    x, y = (torch.as_tensor(part) for part in result)
    if x.ndim == 0 or len(x) != len(y) or len(x) == 0:
        raise BundleError(
            f"sskai_load_data() returned x {tuple(x.shape)} and y {tuple(y.shape)}; need equal, non-zero lengths"
        )
    return x, y
