"""Run the profiling process with a time limit and turn every failure into ProfileFailed."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from sskai.bundles import ModelSpec
from sskai.errors import ProfileFailed, StoredRecordInvalid
from sskai.profiling.metrics import ProfileMetrics

DEFAULT_TIMEOUT_SECONDS = 300.0


def run_profile(
    bundle_dir: Path, spec: ModelSpec, timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS, device: str = "auto"
) -> ProfileMetrics:
    """Profile the model in ``bundle_dir`` in a child process; returns what it measured."""
    with tempfile.TemporaryDirectory(prefix="sskai-profile-") as scratch:
        out = Path(scratch) / "result.json"
        command = [
            sys.executable,
            "-m",
            "sskai.profiling.worker",
            "--bundle",
            str(bundle_dir),
            "--spec",
            spec.model_dump_json(),
            "--out",
            str(out),
            "--device",
            device,
        ]
        try:
            proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout_seconds, cwd=scratch)
        except subprocess.TimeoutExpired as exc:
            raise ProfileFailed(f"profiling timed out after {timeout_seconds:.0f} s") from exc
        result = _read_result(out)
        if proc.returncode == 0 and result.get("ok"):
            try:
                return ProfileMetrics.from_stored(result["metrics"], "the profiling process's result")
            except StoredRecordInvalid as exc:
                raise ProfileFailed(str(exc)) from exc
        if result.get("error"):
            raise ProfileFailed(f"the model failed while profiling: {result['error']}")
        if proc.returncode < 0:
            name = signal.Signals(-proc.returncode).name
            raise ProfileFailed(f"the profiling process was killed by {name} (out of memory?)")
        tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
        raise ProfileFailed(f"the profiling process exited with code {proc.returncode}: {tail}")


def _read_result(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
