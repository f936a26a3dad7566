"""Entry point of the profiling process: ``python -m sskai.profiling.worker``.

Imports and runs the user's model, so it runs only inside the sandbox (:mod:`sskai.profiling.runner`
starts it): never in the flow, the dashboard or the Prefect server. It writes its result (or its
error) as JSON to ``--out`` in its scratch folder, which the parent reads and checks; only the parent
writes records.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from pathlib import Path

import torch

from sskai.bundles.loading import build_model
from sskai.bundles.spec import ModelSpec
from sskai.profiling.measure import profile_model
from sskai.profiling.memory import ResidentMemory, current_rss_bytes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bundle", type=Path, required=True)
    parser.add_argument("--spec", required=True, help="the model's ModelSpec as JSON")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    device_name = args.device
    if device_name == "auto":
        device_name = "cuda" if torch.cuda.is_available() else "cpu"
    try:
        spec = ModelSpec.model_validate_json(args.spec)
        before = current_rss_bytes()
        model = build_model(args.bundle)
        resident = ResidentMemory(before_model=before, after_model=current_rss_bytes())
        metrics = profile_model(model, spec, torch.device(device_name), resident)
    except MemoryError:
        args.out.write_text(json.dumps({"ok": False, "error": "MemoryError: the model went over the memory cap"}))
        return 1
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}"
        args.out.write_text(json.dumps({"ok": False, "error": reason, "traceback": traceback.format_exc()}))
        print(reason, file=sys.stderr)
        return 1
    args.out.write_text(json.dumps({"ok": True, "metrics": metrics.stored()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
