"""Entry point of an endpoint process: ``python -m sskai.serving.server``.

Runs the user's model, so it is always its own process. The API key arrives as the first line of
standard input, never on the command line (``ps``) or in the environment (``/proc/PID/environ``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch
import uvicorn

from sskai.bundles import ModelSpec
from sskai.serving.app import create_app, hash_key
from sskai.serving.predictor import Predictor


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bundle", type=Path, required=True)
    parser.add_argument("--spec", required=True)
    parser.add_argument("--weights", type=Path)
    parser.add_argument("--name", default="endpoint")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    api_key = sys.stdin.readline().strip()
    if not api_key:
        print("no API key on standard input; refusing to serve without one", file=sys.stderr)
        return 2
    torch.set_num_threads(1)
    predictor = Predictor(args.bundle, ModelSpec.model_validate_json(args.spec), weights=args.weights)
    app = create_app(predictor, hash_key(api_key), name=args.name)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
