"""The router at a replicated endpoint's URL: ``python -m sskai.serving.router``.

It balances requests over the replicas (fewest in flight), stops sending to one the moment it is
told of its notice (``replicas.json`` rewritten, then SIGHUP) while what it already sent finishes,
and sends a request whose replica died or refused it to another one. A prediction has no side
effects, so a retry is safe even after the first byte: a preemption never reaches the client, where
SkyServe retries only before the first byte and leaves the rest to the user. It holds no key (each
replica checks the request's own) and runs no user code.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import time
from collections import Counter
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Literal

import httpx
import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from sskai.serving.codec import error_body
from sskai.serving.requests import RequestMetrics

REPLICAS_FILE = "replicas.json"
FORWARDED = ("content-type", "accept", "authorization", "x-api-key")
RETRIED_STATUS = {502, 503}  # the replica is going (503 from a draining or full pool) or gone behind a proxy
PROBE_SECONDS = 0.25


class Replica(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    url: str
    pool: str = ""  # where it runs (instance type and zone), for the dashboard and the ledger
    pid: int | None = None  # a local replica's process
    state: Literal["ready", "draining"] = "ready"


class ReplicaSet(BaseModel):
    """What the router routes to, as the platform writes it (``replicas.json`` in the endpoint's folder)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    replicas: tuple[Replica, ...] = ()

    def write(self, folder: Path) -> None:
        temporary = folder / f".{REPLICAS_FILE}.tmp"
        temporary.write_text(self.model_dump_json(indent=1))
        temporary.replace(folder / REPLICAS_FILE)  # the router never reads half a file

    @classmethod
    def read(cls, folder: Path) -> ReplicaSet:
        return cls.model_validate_json((folder / REPLICAS_FILE).read_text())


class Router:
    """The routing state: the replica set, what is in flight on each, which ones stopped answering."""

    def __init__(self, folder: Path, retry_seconds: float) -> None:
        self.folder = folder
        self.retry_seconds = retry_seconds
        self.replicas: dict[str, Replica] = {}
        self.in_flight: Counter[str] = Counter()
        self.down: set[str] = set()  # did not answer; probed until /health answers again
        self.counts = Counter()  # requests, errors, retries, failed
        self.metrics = RequestMetrics()  # what the clients saw: outcomes and latency, retries included
        self.busy_seconds = 0.0
        self.reload()

    def reload(self) -> None:
        replicas = {replica.name: replica for replica in ReplicaSet.read(self.folder).replicas}
        self.down &= set(replicas)
        self.replicas = replicas

    def pick(self, tried: set[str]) -> Replica | None:
        ready = [
            r for r in self.replicas.values() if r.state == "ready" and r.name not in self.down and r.name not in tried
        ]
        return min(ready, key=lambda r: (self.in_flight[r.name], r.name)) if ready else None

    def state(self) -> dict:
        return {
            "replicas": [
                {**r.model_dump(), "answering": r.name not in self.down, "in_flight": self.in_flight[r.name]}
                for r in self.replicas.values()
            ],
            "requests": self.counts["requests"],
            "retries": self.counts["retries"],
            "failed": self.counts["failed"],
        }


def create_app(router: Router) -> FastAPI:
    client = httpx.AsyncClient(timeout=httpx.Timeout(None, connect=1.0), limits=httpx.Limits(max_connections=512))

    async def probe() -> None:
        while True:
            await asyncio.sleep(PROBE_SECONDS)
            for name in list(router.down):
                replica = router.replicas.get(name)
                try:
                    if replica is not None and (await client.get(f"{replica.url}/health", timeout=1.0)).is_success:
                        router.down.discard(name)
                except httpx.HTTPError:
                    pass

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, router.reload)
        task = asyncio.create_task(probe())
        yield
        task.cancel()
        await client.aclose()

    app = FastAPI(title="sskai router", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)

    @app.get("/health")
    def health() -> Response:
        answering = [r for r in router.replicas.values() if r.state == "ready" and r.name not in router.down]
        body = {"status": "ok" if answering else "no replica ready", "replicas": len(answering)}
        return JSONResponse(body, status_code=200 if answering else 503)

    @app.get("/router")
    def state() -> dict:
        """Replicas, their states and what is in flight on each; counts only, open like /health."""
        return router.state()

    @app.get("/metrics")
    def metrics() -> dict:
        seen = router.metrics.snapshot()
        return seen.model_copy(
            update={
                "busy_seconds": router.busy_seconds,
                "retries": router.counts["retries"],
                "failed": router.counts["failed"],
            }
        ).model_dump()

    @app.post("/v1/predict")
    async def predict(request: Request) -> Response:
        body = await request.body()
        headers = {name: request.headers[name] for name in FORWARDED if name in request.headers}
        router.counts["requests"] += 1
        arrived = time.perf_counter()
        deadline = time.monotonic() + router.retry_seconds
        tried: set[str] = set()
        while True:
            replica = router.pick(tried)
            if replica is None:
                if time.monotonic() > deadline:
                    router.counts["failed"] += 1
                    router.metrics.observe(time.perf_counter() - arrived, ok=False, model_seconds=0.0)
                    return JSONResponse(error_body("no replica is ready; try again shortly"), status_code=503)
                if tried:  # every replica was tried once: wait for one to come back, then try them again
                    tried.clear()
                await asyncio.sleep(0.02)
                continue
            router.in_flight[replica.name] += 1
            started = time.perf_counter()
            try:
                answer = await client.post(f"{replica.url}/v1/predict", content=body, headers=headers)
            except httpx.TransportError:
                router.down.add(replica.name)
                answer = None
            finally:
                router.in_flight[replica.name] -= 1
                router.busy_seconds += time.perf_counter() - started
            if answer is None or answer.status_code in RETRIED_STATUS:
                router.counts["retries"] += 1
                tried.add(replica.name)
                continue
            if not answer.is_success:
                router.counts["errors"] += 1
            router.metrics.observe(time.perf_counter() - arrived, ok=answer.is_success, model_seconds=0.0)
            media_type = answer.headers.get("content-type", "application/json")
            return Response(answer.content, status_code=answer.status_code, media_type=media_type)

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folder", type=Path, required=True, help="where replicas.json is")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--retry-seconds", type=float, default=30.0, help="how long a request may wait for a replica")
    args = parser.parse_args(argv)
    try:
        router = Router(args.folder, args.retry_seconds)
    except (OSError, ValueError) as exc:
        print(f"router: cannot read {args.folder / REPLICAS_FILE}: {exc}", file=sys.stderr)
        return 2
    uvicorn.run(create_app(router), host="127.0.0.1", port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
