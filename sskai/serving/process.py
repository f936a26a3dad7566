"""Start and stop endpoint processes on this machine (the embedded stand-in for spot replicas and Lambda)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx
from pydantic import BaseModel, ConfigDict, Field

from sskai.bundles.spec import ModelSpec
from sskai.errors import EndpointError
from sskai.processes import kill_session, log_tail, poll, wait_gone
from sskai.serving.requests import MULTIPROCESS_VARIABLE
from sskai.settings import SandboxLimits, Settings, environment_with

START_TIMEOUT_SECONDS = 60.0


class EndpointLimits(BaseModel):
    """How the endpoint's inference pool is sized and bounded: built from the settings, handed to the server."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    workers: int = Field(gt=0)
    timeout_seconds: float = Field(gt=0)  # a request the model takes longer on gets 504 and a new worker
    sandbox: SandboxLimits
    # Adaptive batching (``sskai.serving.batching``): samples per batch, and how long a batch may wait to fill.
    max_batch_rows: int = Field(32, gt=0)
    max_batch_wait_ms: float = Field(0.0, ge=0)

    @classmethod
    def of(cls, settings: Settings) -> EndpointLimits:
        return cls(
            workers=settings.endpoint_workers,
            timeout_seconds=settings.endpoint_request_timeout_seconds,
            sandbox=settings.sandbox_limits,
            max_batch_rows=settings.endpoint_max_batch_rows,
            max_batch_wait_ms=settings.endpoint_max_batch_wait_ms,
        )


@dataclass(frozen=True)
class RunningEndpoint:
    pid: int
    url: str
    log_path: Path


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def start_endpoint(
    *,
    name: str,
    bundle_dir: Path,
    spec: ModelSpec,
    weights: Path | None,
    api_key_sha256: str,
    log_path: Path,
    limits: EndpointLimits,
    port: int | None = None,
) -> RunningEndpoint:
    """Start a detached endpoint process and wait until /health answers.

    The endpoint is given only the key's SHA-256, over its standard input (so neither ``ps`` nor its
    environment shows even that), which is all a supervisor needs to start it again.
    """
    port = port or free_port()
    command = [
        sys.executable,
        "-m",
        "sskai.serving.server",
        "--bundle",
        str(bundle_dir),
        "--spec",
        spec.model_dump_json(),
        "--name",
        name,
        "--port",
        str(port),
        "--scratch",
        str(log_path.parent / "workers"),
        "--limits",
        limits.model_dump_json(),
    ]
    if weights is not None:
        command += ["--weights", str(weights)]
    metrics = log_path.parent / METRICS_DIR
    metrics.mkdir(parents=True, exist_ok=True)
    environment = environment_with({MULTIPROCESS_VARIABLE: str(metrics)})  # read as prometheus_client loads
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.PIPE,
            start_new_session=True,
            env=environment,
        )
    proc.stdin.write(api_key_sha256.encode() + b"\n")
    proc.stdin.close()
    url = f"http://127.0.0.1:{port}"
    wait_answering(proc, url, log_path, f"endpoint {name}")
    return RunningEndpoint(pid=proc.pid, url=url, log_path=log_path)


def wait_answering(proc: subprocess.Popen[bytes], url: str, log_path: Path, what: str) -> None:
    """Until ``url/health`` answers 200; ends the process and raises EndpointError, with its log, if it never does."""

    def answered() -> bool | None:
        if proc.poll() is not None:
            raise EndpointError(f"{what} exited with code {proc.returncode} while starting: {log_tail(log_path)}")
        return True if httpx.get(f"{url}/health", timeout=1.0).status_code == 200 else None

    if poll(answered, START_TIMEOUT_SECONDS, not_yet=(httpx.HTTPError,)):
        return
    stop_endpoint(proc.pid)
    raise EndpointError(f"{what} did not answer /health within {START_TIMEOUT_SECONDS:.0f} s: {log_tail(log_path)}")


def stop_endpoint(pid: int, timeout_seconds: float = 10.0) -> None:
    """SIGTERM the endpoint's process group, then SIGKILL its whole session if it lingers.

    Its inference workers die with it: the server ends them on SIGTERM, and each worker is tied to
    the server by a parent-death signal, so a SIGKILL ends them too.
    """
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    if not wait_gone(pid, timeout_seconds):
        kill_session(pid)


METRICS_DIR = "metrics"  # the request counters, in the endpoint's folder; they outlive its process
RELOAD_TIMEOUT_SECONDS = 120.0
RELOAD_REQUEST, RELOAD_DONE = "reload.json", "reloaded.json"  # in the endpoint's folder, beside its log


def reload_endpoint(pid: int, control: Path, weights: Path, timeout_seconds: float = RELOAD_TIMEOUT_SECONDS) -> None:
    """Make the endpoint server ``pid`` serve ``weights`` without a failed request (see ``server.watch_reloads``)."""
    (control / RELOAD_DONE).unlink(missing_ok=True)
    (control / RELOAD_REQUEST).write_text(json.dumps({"weights": str(weights)}))
    os.kill(pid, signal.SIGHUP)
    outcome = poll(
        lambda: json.loads((control / RELOAD_DONE).read_text()), timeout_seconds, not_yet=(OSError, ValueError)
    )
    if outcome is not None:
        if not outcome.get("ok"):
            raise EndpointError(f"the endpoint kept its old weights: {outcome.get('error')}")
        return
    raise EndpointError(f"the endpoint did not load the new weights within {timeout_seconds:.0f} s")
