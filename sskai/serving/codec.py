"""Request and response bodies: JSON, .npy and safetensors. Never pickle."""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np

from sskai.errors import BundleError

JSON = "application/json"
NPY = "application/x-npy"
SAFETENSORS = "application/x-safetensors"


def decode_inputs(body: bytes, content_type: str) -> np.ndarray:
    kind = (content_type or JSON).split(";")[0].strip().lower()
    if kind == NPY:
        try:
            return np.load(io.BytesIO(body), allow_pickle=False)
        except (ValueError, OSError, EOFError) as exc:
            raise BundleError(f"body is not a plain .npy array (object arrays are refused): {exc}") from exc
    if kind == SAFETENSORS:
        from safetensors.numpy import load

        try:
            tensors = load(body)
        except Exception as exc:  # safetensors raises its own error types
            raise BundleError(f"body is not a safetensors file: {exc}") from exc
        if "inputs" not in tensors:
            raise BundleError(f"safetensors body must hold a tensor named 'inputs' (got {sorted(tensors)})")
        return tensors["inputs"]
    if kind == JSON:
        try:
            payload = json.loads(body or b"{}")
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise BundleError(f"body is not valid JSON: {exc}") from exc
        if not isinstance(payload, dict) or "inputs" not in payload:
            raise BundleError('JSON body must be an object with an "inputs" array')
        try:
            array = np.asarray(payload["inputs"])
        except ValueError as exc:
            raise BundleError(f'"inputs" is not a rectangular array: {exc}') from exc
        if array.dtype == object or array.dtype.kind not in "biuf":
            raise BundleError('"inputs" must be a rectangular array of numbers')
        return array
    raise BundleError(f"content type {kind!r} is not supported; use {JSON}, {NPY} or {SAFETENSORS}")


def encode_outputs(outputs: np.ndarray, accept: str) -> tuple[bytes, str]:
    if NPY in (accept or ""):
        buffer = io.BytesIO()
        np.save(buffer, outputs, allow_pickle=False)
        return buffer.getvalue(), NPY
    return json.dumps({"outputs": outputs.tolist(), "shape": list(outputs.shape)}).encode(), JSON


def error_body(message: str) -> dict[str, Any]:
    return {"error": message}
