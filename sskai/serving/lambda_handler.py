"""AWS Lambda handler for a serverless endpoint (API Gateway / function URL event format).

The container image (``infra/lambda/Dockerfile``) bakes the bundle into ``/opt/bundle`` and the
API key hash into the environment; the predictor is built once per container, at cold start.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from sskai.bundles.spec import ModelSpec
from sskai.errors import BundleError
from sskai.serving.auth import authorized
from sskai.serving.codec import OutputNotEncodable, decode_inputs, encode_outputs, error_body
from sskai.serving.predictor import Predictor
from sskai.settings import LambdaSettings

_predictor: Predictor | None = None
_settings: LambdaSettings | None = None


def _config() -> LambdaSettings:
    global _settings
    if _settings is None:
        _settings = LambdaSettings()
    return _settings


def _load() -> Predictor:
    global _predictor
    if _predictor is None:
        bundle = _config().bundle_dir
        spec = ModelSpec.model_validate_json((bundle / "sskai_spec.json").read_text())
        weights = bundle / "trained.safetensors"
        _predictor = Predictor(bundle, spec, weights=weights if weights.exists() else None)
    return _predictor


def _response(status: int, body: bytes, content_type: str) -> dict[str, Any]:
    binary = content_type != "application/json"
    return {
        "statusCode": status,
        "headers": {"content-type": content_type},
        "isBase64Encoded": binary,
        "body": base64.b64encode(body).decode() if binary else body.decode(),
    }


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """A function URL request (payload format 2.0): the local endpoint's routes, ``/health`` and ``/v1/predict``."""
    path = event.get("rawPath") or "/v1/predict"
    if path == "/health":  # open, like the local endpoint's: it says the function runs, not the model
        return _response(200, json.dumps({"status": "ok"}).encode(), "application/json")
    if path != "/v1/predict":
        return _response(404, json.dumps(error_body(f"no route {path}")).encode(), "application/json")
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    if not authorized(headers, _config().api_key_sha256):
        return _response(401, json.dumps({"error": "missing or wrong API key"}).encode(), "application/json")
    body = event.get("body") or ""
    raw = base64.b64decode(body) if event.get("isBase64Encoded") else body.encode()
    try:
        outputs = _load().predict(decode_inputs(raw, headers.get("content-type", "application/json")))
        content, media_type = encode_outputs(outputs, headers.get("accept", ""))
    except BundleError as exc:
        return _response(422, json.dumps(error_body(str(exc))).encode(), "application/json")
    except OutputNotEncodable as exc:
        return _response(500, json.dumps(error_body(str(exc))).encode(), "application/json")
    return _response(200, content, media_type)
