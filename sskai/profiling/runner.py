"""Run the profiling process in the sandbox with a time and memory cap, and turn every failure into ProfileFailed."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

from sskai.bundles.spec import ModelSpec
from sskai.errors import ProfileFailed, StoredRecordInvalid
from sskai.ownership.scratch import owned_scratch
from sskai.profiling.metrics import ProfileMetrics
from sskai.sandbox import SandboxPolicy, python_command, read_result, start_sandboxed
from sskai.settings import DEFAULT_SANDBOX_LIMITS, SandboxLimits
from sskai.units import MiB

DEFAULT_TIMEOUT_SECONDS = 300.0


def run_profile(
    bundle_dir: Path,
    spec: ModelSpec,
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    device: str = "auto",
    limits: SandboxLimits = DEFAULT_SANDBOX_LIMITS,
) -> ProfileMetrics:
    """Profile the model in ``bundle_dir`` in a sandboxed child; returns what it measured.

    The child sees the bundle read-only and its own scratch folder, nothing of the platform; the
    time-out and the memory cap end it with everything it started.
    """
    with owned_scratch("sskai-profile-") as scratch:
        policy = SandboxPolicy(
            workdir=Path(scratch) / "work",
            readable=(bundle_dir,),
            memory_bytes=limits.memory_bytes,
            cpu_seconds=int(timeout_seconds) + 5,
            max_processes=limits.max_processes,
            max_file_bytes=64 * MiB,  # its log too: a model that floods stderr fills no disk
            die_with_parent=True,  # a killed CLI or flow takes its profiling with it
        )
        log_path = Path(scratch) / "profile.log"
        out = policy.workdir / "result.json"
        command = python_command(
            "sskai.profiling.worker", "--bundle", str(bundle_dir), "--spec", spec.model_dump_json(), "--out", str(out)
        )
        with open(log_path, "wb") as log:
            process = start_sandboxed(
                [*command, "--device", device], policy, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        try:
            process.wait(timeout=timeout_seconds)
        except subprocess.TimeoutExpired as exc:
            raise ProfileFailed(f"profiling timed out after {timeout_seconds:.0f} s") from exc
        finally:
            over_memory = process.over_memory()
            process.kill()  # whatever the model started goes with it, even after a clean exit
        result = read_result(out)
        returncode = process.popen.returncode
        cap = f"the model went over the profiling memory cap of {limits.memory_mib:,} MiB"
        if returncode == 0 and result.get("ok"):
            try:
                return ProfileMetrics.from_stored(result["metrics"], "the profiling process's result")
            except StoredRecordInvalid as exc:
                raise ProfileFailed(str(exc)) from exc
        if over_memory or str(result.get("error", "")).startswith("MemoryError"):
            raise ProfileFailed(f"{cap} (raise SSKAI_USER_CODE_MEMORY_MIB if it really needs more)")
        if result.get("error"):
            raise ProfileFailed(f"the model failed while profiling: {result['error']}")
        if returncode < 0:
            name = signal.Signals(-returncode).name
            raise ProfileFailed(f"the profiling process was killed by {name}")
        tail = "\n".join(_tail(log_path).strip().splitlines()[-5:])
        raise ProfileFailed(f"the profiling process exited with code {returncode}: {tail}")


def _tail(path: Path, size: int = 4096) -> str:
    with open(path, "rb") as log:
        log.seek(max(path.stat().st_size - size, 0))
        return log.read().decode(errors="replace")
