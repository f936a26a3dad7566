"""The HTTP endpoint: predict (JSON, .npy, safetensors), health and metrics, behind an API key."""

from __future__ import annotations

import hashlib
import hmac
import time

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from sskai.errors import BundleError
from sskai.serving.codec import OutputNotEncodable, decode_inputs, encode_outputs, error_body
from sskai.serving.predictor import Predictor, RequestMetrics

MAX_BODY_BYTES = 32 * 1024 * 1024


def hash_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


def _presented_key(request: Request) -> str:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.headers.get("x-api-key", "")


class BodyTooLarge(Exception):
    """The request body passed the limit while it was being read."""


async def read_body(request: Request, limit: int) -> bytes:
    """The body, read chunk by chunk and refused as soon as it passes ``limit`` (never buffered whole first)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise BodyTooLarge
    return bytes(body)


def create_app(predictor: Predictor, api_key_sha256: str, name: str = "endpoint") -> FastAPI:
    app = FastAPI(title=f"sskai endpoint {name}", docs_url=None, redoc_url=None, openapi_url=None)
    metrics = RequestMetrics()

    def authorized(request: Request) -> bool:
        return hmac.compare_digest(hash_key(_presented_key(request)), api_key_sha256)

    @app.get("/openapi.json", include_in_schema=False)
    def openapi(request: Request) -> Response:
        """The API description, for key holders only: it names the routes and the model's input."""
        if not authorized(request):
            return JSONResponse(error_body("missing or wrong API key"), status_code=401)
        return JSONResponse(app.openapi())

    @app.get("/health")
    def health() -> dict:
        return {
            "status": "ok",
            "name": name,
            "input_shape": list(predictor.spec.input_shape),
            "input_dtype": predictor.spec.input_dtype,
        }

    @app.get("/metrics")
    def read_metrics() -> dict:
        """Counts and latencies only (no request data), open like /health so monitors need no key."""
        return metrics.snapshot()

    @app.post("/v1/predict")
    async def predict(request: Request) -> Response:
        if not authorized(request):
            return JSONResponse(error_body("missing or wrong API key"), status_code=401)
        started = time.perf_counter()
        try:
            body = await read_body(request, MAX_BODY_BYTES)
        except BodyTooLarge:
            metrics.observe(time.perf_counter() - started, ok=False)
            return JSONResponse(error_body(f"body is over {MAX_BODY_BYTES} bytes"), status_code=413)
        try:
            inputs = decode_inputs(body, request.headers.get("content-type", ""))
            outputs = predictor.predict(inputs)
            content, media_type = encode_outputs(outputs, request.headers.get("accept", ""))
        except BundleError as exc:
            metrics.observe(time.perf_counter() - started, ok=False)
            return JSONResponse(error_body(str(exc)), status_code=422)
        except OutputNotEncodable as exc:
            metrics.observe(time.perf_counter() - started, ok=False)
            return JSONResponse(error_body(str(exc)), status_code=500)
        except Exception as exc:  # the user's model failed: report it, keep serving
            metrics.observe(time.perf_counter() - started, ok=False)
            return JSONResponse(error_body(f"the model raised {type(exc).__name__}: {exc}"), status_code=500)
        metrics.observe(time.perf_counter() - started, ok=True)
        return Response(content=content, media_type=media_type)

    return app
