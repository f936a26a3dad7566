"""The HTTP endpoint: predict (JSON, .npy, safetensors), health and metrics, behind an API key.

The app decodes and checks requests itself and hands the model's work to an inference pool of
sandboxed workers (:mod:`sskai.serving.pool`): 4xx blames the request, 500 the model, 504 a model
that overran the time-out, 503 a pool with no worker free. ``/health`` never waits on the model.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import asdict
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.concurrency import run_in_threadpool

from sskai.bundles.spec import ModelSpec
from sskai.errors import BundleError
from sskai.serving.auth import authorized as key_holder
from sskai.serving.batching import Batcher
from sskai.serving.codec import JSON, NPY, SAFETENSORS, OutputNotEncodable, decode_inputs, encode_outputs, error_body
from sskai.serving.pool import InferenceTimeout, ModelFault, NoWorkerFree
from sskai.serving.requests import RequestMetrics, check_request
from sskai.units import MiB

MAX_BODY_BYTES = 32 * MiB


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


# How to present the key, for /openapi.json. The check itself is ``authorized`` (one hmac compare for
# the app and the Lambda handler); declaring these as FastAPI dependencies would cost every request
# a dependency solve (~0.3 ms here) to document them, so the schema names them instead.
SECURITY_SCHEMES = {
    "HTTPBearer": {"type": "http", "scheme": "bearer", "description": "Authorization: Bearer <API key>"},
    "APIKeyHeader": {"type": "apiKey", "in": "header", "name": "X-API-Key", "description": "the endpoint's API key"},
}


def request_body_description(spec: ModelSpec) -> dict:
    """The predict body in OpenAPI terms: a batch of samples shaped as the model's input, in three encodings."""
    sample: dict = {"type": "number"}
    for size in reversed(spec.input_shape):
        sample = {"type": "array", "items": sample, "minItems": size, "maxItems": size}
    shape = ", ".join(str(size) for size in spec.input_shape)
    return {
        "required": True,
        "description": f"a batch of samples, each shaped [{shape}] ({spec.input_dtype}): [batch, {shape}] in all",
        "content": {
            JSON: {
                "schema": {
                    "type": "object",
                    "required": ["inputs"],
                    "properties": {"inputs": {"type": "array", "items": sample}},
                }
            },
            NPY: {"schema": {"type": "string", "format": "binary", "description": "a plain .npy array (no pickle)"}},
            SAFETENSORS: {"schema": {"type": "string", "format": "binary", "description": "a tensor named 'inputs'"}},
        },
    }


def create_app(
    batcher: Batcher,
    spec: ModelSpec,
    api_key_sha256: str,
    name: str = "endpoint",
    metrics_folder: Path | None = None,
) -> FastAPI:
    """``batcher`` runs the model on checked requests: a request waits for its answer on the event loop,
    and only one that runs alone at once (a worker was free) takes a thread while the worker answers.

    With ``metrics_folder`` the request counters outlive the process (see RequestMetrics).
    """
    app = FastAPI(title=f"sskai endpoint {name}", docs_url=None, redoc_url=None, openapi_url=None)
    metrics = RequestMetrics(metrics_folder)

    def authorized(request: Request) -> bool:
        return key_holder(request.headers, api_key_sha256)

    @app.get("/openapi.json", include_in_schema=False)
    def openapi(request: Request) -> Response:
        """The API description, for key holders only: it names the routes and the model's input."""
        if not authorized(request):
            return JSONResponse(error_body("missing or wrong API key"), status_code=401)
        described = app.openapi()
        described.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
        return JSONResponse(described)

    @app.get("/health")
    def health() -> dict:
        return {
            "status": "ok",
            "name": name,
            "input_shape": list(spec.input_shape),
            "input_dtype": spec.input_dtype,
        }

    @app.get("/metrics")
    def read_metrics(request: Request) -> Response:
        """Counts and latencies only (no request data), open like /health so monitors need no key.

        JSON, or the Prometheus text format to a scraper (which asks for text/plain or OpenMetrics).
        """
        accept = request.headers.get("accept", "")
        if "text/plain" in accept or "openmetrics" in accept:
            return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
        found = metrics.snapshot().model_dump()
        found["batching"] = {**asdict(batcher.stats), "mean_batch": batcher.stats.mean_batch}
        return JSONResponse(found)

    def failed(message: str, status: int, started: float) -> Response:
        # 503: no worker took it, so the model never ran (a throttled invocation is not billed either)
        seconds = time.perf_counter() - started
        metrics.observe(seconds, ok=False, timed_out=status == 504, model_seconds=0.0 if status == 503 else seconds)
        return JSONResponse(error_body(message), status_code=status)

    @app.post(
        "/v1/predict",
        openapi_extra={
            "requestBody": request_body_description(spec),
            "security": [{name: []} for name in SECURITY_SCHEMES],
        },
        summary=f"run {name} on a batch of inputs",
    )
    async def predict(request: Request) -> Response:
        if not authorized(request):
            return JSONResponse(error_body("missing or wrong API key"), status_code=401)
        started = time.perf_counter()
        try:
            body = await read_body(request, MAX_BODY_BYTES)
        except BodyTooLarge:
            return failed(f"body is over {MAX_BODY_BYTES} bytes", 413, started)
        batcher.expect()  # a batch waiting to fill waits for this one while it is decoded
        try:
            try:
                inputs = check_request(decode_inputs(body, request.headers.get("content-type", "")), spec)
            except BaseException:
                batcher.withdraw()
                raise
            future, alone = batcher.submit(inputs, expected=True)
            if alone is not None:  # a worker is free and nobody waits: it answers on a thread, no queue
                await run_in_threadpool(batcher.run_alone, alone)
            answered = await asyncio.wrap_future(future)
            content, media_type = encode_outputs(answered.outputs, request.headers.get("accept", ""))
        except BundleError as exc:
            return failed(str(exc), 422, started)
        except InferenceTimeout as exc:
            return failed(str(exc), 504, started)
        except NoWorkerFree as exc:
            return failed(str(exc), 503, started)
        except (ModelFault, OutputNotEncodable) as exc:
            return failed(str(exc), 500, started)
        metrics.observe(time.perf_counter() - started, ok=True, model_seconds=answered.model_seconds)
        return Response(content=content, media_type=media_type)

    return app
