"""The hostile-input suite: user code and uploads that try to take, break or outlive the platform.

Each case was a real failure once (see the issue "User code is untrusted"); each test reproduces it
against the real parts: the sandbox's kernel confinement, profiling and endpoint processes, a
training on a Ray cluster of its own, the metadata store and the artifact store."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sskai.bundles.upload import upload_model
from sskai.errors import ProfileFailed
from sskai.kinds import ServingKind, Status
from sskai.ownership.scratch import processes_under
from sskai.profiling.service import profile_stored_model, stored_metrics
from sskai.store.metadata import Profile
from sskai.store.stores import open_stores
from tests.helpers import ROOT, make_zip
from tests.security.probes import (
    MODEL_PY,
    SPEC,
    assert_untouched,
    confined,
    processes_running,
    upload_tampering_model,
    victim_endpoint,
)


@confined
def test_a_model_profiled_finds_neither_secrets_nor_the_database(stores, secrets_around, tmp_path: Path) -> None:
    model = upload_tampering_model(stores, tmp_path)
    victim = victim_endpoint(stores, model)
    record = profile_stored_model(stores, model)
    assert record.status == Status.SUCCEEDED, record.status_reason
    assert_untouched(stores, victim)


def test_a_profile_counts_what_the_model_holds_outside_torch(stores, tmp_path: Path) -> None:
    from sskai.catalog import load_catalog
    from sskai.plans import Workload
    from sskai.recommend.serving import plan_serving

    holds = "import numpy\nHELD = numpy.ones(600 * 2**20 // 8)  # 600 MiB made at import\n" + MODEL_PY
    model = upload_model(stores, "holds", make_zip(tmp_path / "h.zip", {"model.py": holds, "sskai.json": SPEC}))
    metrics = stored_metrics(profile_stored_model(stores, model))
    assert metrics.model_held_bytes >= 600 * 2**20
    assert metrics.serving_peak_rss_bytes >= metrics.runtime_rss_bytes + 600 * 2**20
    plan = plan_serving(metrics, load_catalog(), Workload(requests_per_hour=10))
    memory_mb = plan.memory_mb if plan.kind == ServingKind.SERVERLESS else plan.alternative.memory_mb
    assert memory_mb * 2**20 >= 1.25 * metrics.serving_peak_rss_bytes


def test_a_model_over_the_memory_cap_is_a_failed_profile_with_the_reason(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSKAI_USER_CODE_MEMORY_MIB", "500")
    stores = open_stores()
    holds = "import numpy\nHELD = numpy.ones(900 * 2**20 // 8)\n" + MODEL_PY
    model = upload_model(stores, "hog", make_zip(tmp_path / "h.zip", {"model.py": holds, "sskai.json": SPEC}))
    with pytest.raises(ProfileFailed, match="over the profiling memory cap of 500 MiB"):
        profile_stored_model(stores, model)
    assert stores.metadata.latest(Profile).status == Status.FAILED


@pytest.mark.parametrize("cgroup_tree", ["writable", "absent"])
def test_a_profile_time_out_ends_what_the_model_started(
    stores, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cgroup_tree: str
) -> None:
    """With a cgroup the kernel holds all it started; without one (a container whose cgroup tree is
    read-only), its process tree: the child that left its session is found all the same."""
    from sskai.sandbox import cgroups

    if cgroup_tree == "absent":
        monkeypatch.setattr(cgroups, "ROOT", tmp_path / "no-cgroup-tree")
    # Its own marker per variant (they may run at once, side by side), matched as the whole command line:
    # a bare "331" is in many a command line (a Ray worker's port, a temporary folder's name).
    marker = {"writable": "331.25", "absent": "332.25"}[cgroup_tree]
    spawner = (
        f"import subprocess, time\nsubprocess.Popen(['sleep', '{marker}'], start_new_session=True)\n"
        "time.sleep(120)\nfrom torch import nn\nModelClass = lambda: nn.Linear(2, 1)\n"
    )
    model = upload_model(stores, "spawner", make_zip(tmp_path / "s.zip", {"model.py": spawner, "sskai.json": SPEC}))
    with pytest.raises(ProfileFailed, match="timed out after 5 s"):
        profile_stored_model(stores, model, timeout_seconds=5)
    time.sleep(0.5)
    assert processes_running("sleep", marker) == []


def scratch_of(pid: int) -> list[Path]:
    """The scratch folders that process ``pid`` made and that still exist."""
    from sskai.ownership.scratch import OWNER_FILE, scratch_root

    return [
        owner.parent
        for owner in scratch_root().glob(f"sskai-*/{OWNER_FILE}")
        if json.loads(owner.read_text()).get("owner_pid") == pid
    ]


def profiling_workers_of(pid: int) -> list[int]:
    """The profiling sandboxes process ``pid`` started (each names its scratch folder on its command line)."""
    return [worker for folder in scratch_of(pid) for worker in processes_under(folder)]


DRIVER = """
import sys
from sskai.profiling.service import profile_stored_model
from sskai.store.metadata import Model
from sskai.store.stores import open_stores
stores = open_stores()
profile_stored_model(stores, stores.metadata.get(Model, sys.argv[1]))
"""


@pytest.mark.parametrize(("how", "reason"), [(signal.SIGKILL, "abandoned"), (signal.SIGINT, "interrupted")])
def test_a_profile_whose_process_is_killed_or_interrupted_is_failed_and_leaves_nothing(
    stores, tmp_path: Path, how: signal.Signals, reason: str
) -> None:
    from sskai.ownership.reaper import reap_abandoned

    sleeper = "import time\ntime.sleep(337)\nfrom torch import nn\nModelClass = lambda: nn.Linear(2, 1)\n"
    model = upload_model(stores, "sleeper", make_zip(tmp_path / "s.zip", {"model.py": sleeper, "sskai.json": SPEC}))
    driver = subprocess.Popen([sys.executable, "-c", DRIVER, model.id], cwd=ROOT)
    deadline = time.monotonic() + 60
    while not profiling_workers_of(driver.pid) and time.monotonic() < deadline:  # the sandbox is up
        time.sleep(0.2)
    folders = scratch_of(driver.pid)
    profile = stores.metadata.latest(Profile)
    assert profile is not None and profile.status == Status.RUNNING
    time.sleep(1.0)
    driver.send_signal(how)
    driver.wait(timeout=30)
    time.sleep(1.0)
    assert [pid for folder in folders for pid in processes_under(folder)] == []
    reap_abandoned(stores)
    failed = stores.metadata.get(Profile, profile.id)
    assert failed.status == Status.FAILED and reason in failed.status_reason
    assert scratch_of(driver.pid) == []  # its unpacked bundle and sandbox folder are gone too
