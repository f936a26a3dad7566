"""Entry point of an endpoint process: ``python -m sskai.serving.server``.

Serves HTTP and holds the API key's hash; the user's model runs only in the inference pool's
sandboxed workers. The hash arrives as the first line of standard input, never on the command
line (``ps``) or in the environment (``/proc/PID/environ``); the key itself never reaches it.
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import sys
import threading
from pathlib import Path

import uvicorn

from sskai.bundles.spec import ModelSpec
from sskai.errors import EndpointError
from sskai.serving.app import create_app
from sskai.serving.batching import Batcher
from sskai.serving.pool import InferencePool, PoolConfig
from sskai.serving.process import METRICS_DIR, RELOAD_DONE, RELOAD_REQUEST, EndpointLimits


def watch_reloads(pool: InferencePool, control: Path) -> None:
    """On SIGHUP, serve the weights named in ``control/reload.json`` (no request fails) and report in
    ``control/reloaded.json``. Only the platform, which owns this process and its folder, can ask."""
    asked = threading.Event()
    signal.signal(signal.SIGHUP, lambda *_: asked.set())

    def reload_when_asked() -> None:
        while True:
            asked.wait()
            asked.clear()
            try:
                request = json.loads((control / RELOAD_REQUEST).read_text())
                pool.reload(Path(request["weights"]))
                outcome = {"weights": request["weights"], "ok": True, "generation": pool.generation}
            except (OSError, ValueError, KeyError, EndpointError) as exc:
                outcome = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
            (control / RELOAD_DONE).write_text(json.dumps(outcome))

    threading.Thread(target=reload_when_asked, name="sskai-reload", daemon=True).start()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bundle", type=Path, required=True)
    parser.add_argument("--spec", required=True)
    parser.add_argument("--weights", type=Path)
    parser.add_argument("--name", default="endpoint")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--scratch", type=Path, required=True, help="the workers' own folders go here")
    parser.add_argument("--limits", required=True, help="the pool's EndpointLimits, as JSON")
    args = parser.parse_args(argv)
    api_key_sha256 = sys.stdin.readline().strip()
    if not re.fullmatch(r"[0-9a-f]{64}", api_key_sha256):
        print("no API key hash (SHA-256, hex) on standard input; refusing to serve without one", file=sys.stderr)
        return 2
    spec = ModelSpec.model_validate_json(args.spec)
    limits = EndpointLimits.model_validate_json(args.limits)
    pool = InferencePool(
        PoolConfig(bundle_dir=args.bundle, spec=spec, weights=args.weights, scratch=args.scratch, limits=limits)
    )
    batcher = None
    try:
        pool.start()
        control = args.scratch.parent
        watch_reloads(pool, control)
        batcher = Batcher(pool.predict, limits.workers, limits.max_batch_rows, limits.max_batch_wait_ms / 1000)
        app = create_app(batcher, spec, api_key_sha256, name=args.name, metrics_folder=control / METRICS_DIR)
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning", timeout_graceful_shutdown=5)
    except EndpointError as exc:
        print(f"endpoint {args.name} cannot serve: {exc}", file=sys.stderr)
        return 1
    finally:
        if batcher is not None:
            batcher.close()
        pool.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
