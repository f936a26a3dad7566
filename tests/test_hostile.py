"""The hostile-input suite: user code and uploads that try to take, break or outlive the platform.

Each case was a real failure once (see the issue "User code is untrusted"); each test reproduces it
against the real parts: the sandbox's kernel confinement, profiling and endpoint processes, a
training on a Ray cluster of its own, the metadata store and the artifact store.
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np
import pytest

from sskai.errors import ProfileFailed, SskaiError, UploadRejected
from sskai.kinds import ServingKind, Status
from sskai.processes import is_alive
from sskai.profiling.service import profile_stored_model, stored_metrics
from sskai.recommend import ServingPlan
from sskai.sandbox import SandboxPolicy, start_sandboxed
from sskai.sandbox.landlock import abi_version
from sskai.serving.process import EndpointLimits
from sskai.serving.service import deploy_endpoint
from sskai.store.metadata import Endpoint, Model, Profile
from sskai.store.stores import open_stores
from sskai.upload import upload_dataset, upload_model, upload_note
from sskai.zipsafe import safe_extract
from tests.helpers import make_zip, validate_manifests

REPO = Path(__file__).resolve().parents[1]
SPOT = ServingPlan(target=ServingKind.SPOT, usd_per_hour=0.2, instance_type="g4dn.xlarge", region="us-east-1")
SPEC = '{"input_shape": [2]}'
MODEL_PY = "from torch import nn\nModelClass = lambda: nn.Linear(2, 1)\n"
confined = pytest.mark.skipif(abi_version() < 6, reason="the kernel lacks Landlock ABI 6 (signal scoping)")

# What user code would steal if it could. Every name here is set in the tests' environment.
SECRETS = ("SSKAI_DATABASE_URL", "SSKAI_HOME", "AWS_SECRET_ACCESS_KEY", "PREFECT_API_KEY", "SSKAI_TEST_CANARY")
PROBE = """
import os, sqlite3, socket
FOUND = []
for name in {secrets!r}:
    if name in os.environ:
        FOUND.append("environment " + name)
try:
    with open({db!r}, "rb") as handle:
        handle.read(16)
    FOUND.append("read the database")
except OSError:
    pass
try:
    connection = sqlite3.connect({db!r}, timeout=1)
    connection.execute("UPDATE endpoints SET status = 'stolen', api_key_sha256 = 'mine'")
    connection.commit()
    FOUND.append("wrote the database")
except Exception:
    pass
try:
    with open(f"/proc/{{os.getppid()}}/environ", "rb") as handle:
        if b"SSKAI_TEST_CANARY" in handle.read():
            FOUND.append("the parent's environment")
except OSError:
    pass
"""
TAMPERING_MODEL = """{probe}
from torch import nn

class ModelClass(nn.Linear):
    def __init__(self):
        if FOUND:
            raise RuntimeError("the model found: " + ", ".join(FOUND))
        super().__init__(2, 1)
"""


def tampering_model(db: Path) -> str:
    return TAMPERING_MODEL.format(probe=PROBE.format(secrets=SECRETS, db=str(db)))


@pytest.fixture
def secrets_around(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The platform's environment holds a database URL, cloud credentials and a canary, as in production."""
    monkeypatch.setenv("SSKAI_DATABASE_URL", f"sqlite:///{home / 'sskai.db'}")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-for-models")
    monkeypatch.setenv("PREFECT_API_KEY", "not-for-models")
    monkeypatch.setenv("SSKAI_TEST_CANARY", "not-for-models")


def victim_endpoint(stores, model: Model) -> Endpoint:
    """Another model's endpoint record: what the tampering model tried to rewrite."""
    return stores.metadata.add(
        Endpoint(
            owner=stores.settings.owner,
            name="victim",
            model_id=model.id,
            target="spot",
            api_key_sha256="a" * 64,
            status=Status.READY,
        )
    )


def assert_untouched(stores, victim: Endpoint) -> None:
    again = stores.metadata.get(Endpoint, victim.id)
    assert (again.status, again.api_key_sha256) == (Status.READY, "a" * 64)


def upload_tampering_model(stores, tmp_path: Path) -> Model:
    db = stores.settings.home / "sskai.db"
    return upload_model(
        stores, "tamper", make_zip(tmp_path / "t.zip", {"model.py": tampering_model(db), "sskai.json": SPEC})
    )


# ---- the sandbox itself ----


def test_the_probe_finds_everything_outside_the_sandbox(stores, secrets_around, tmp_path: Path) -> None:
    """The control: the same probe, run as a plain child of the platform, takes all there is."""
    victim = victim_endpoint(
        stores,
        upload_model(
            stores, "m", make_zip(tmp_path / "m.zip", {"model.py": "x=1\nModelClass=1\n", "sskai.json": SPEC})
        ),
    )
    probe = PROBE.format(secrets=SECRETS, db=str(stores.settings.home / "sskai.db")) + "\nprint(FOUND)\n"
    found = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert "environment SSKAI_TEST_CANARY" in found and "read the database" in found and "wrote the database" in found
    assert stores.metadata.get(Endpoint, victim.id).status == "stolen"


@confined
def test_a_sandboxed_process_finds_no_secret_no_file_no_port_and_no_peer(
    stores, secrets_around, tmp_path: Path
) -> None:
    import socket

    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    script = tmp_path / "probe.py"
    script.write_text(
        PROBE.format(secrets=SECRETS, db=str(stores.settings.home / "sskai.db"))
        + f"""
for attempt, act in (
    ("wrote outside its folder", lambda: open({str(tmp_path / "escaped.txt")!r}, "w").write("x")),
    ("read /etc/shadow", lambda: open("/etc/shadow").read()),
    ("reached a local port", lambda: socket.create_connection(("127.0.0.1", {port}), timeout=2)),
    ("signalled the platform", lambda: os.kill({os.getpid()}, 0)),
):
    try:
        act()
        FOUND.append(attempt)
    except OSError:
        pass
import json
open("found.json", "w").write(json.dumps(FOUND))
"""
    )
    workdir = tmp_path / "work"
    process = start_sandboxed([sys.executable, str(script)], SandboxPolicy(workdir=workdir, readable=(script,)))
    try:
        assert process.wait(timeout=60) == 0
    finally:
        process.kill()
        listener.close()
    assert json.loads((workdir / "found.json").read_text()) == []
    assert not (tmp_path / "escaped.txt").exists()


def test_the_memory_cap_ends_the_process_and_says_so(tmp_path: Path) -> None:
    script = tmp_path / "hog.py"
    script.write_text("import numpy\nheld = numpy.ones(600 * 2**20 // 8)\nprint('held it')\n")
    policy = SandboxPolicy(workdir=tmp_path / "work", readable=(script,), memory_bytes=256 * 2**20, max_processes=32)
    process = start_sandboxed([sys.executable, str(script)], policy, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    folders = process.cgroup.folders if process.cgroup else ()
    try:
        output, _ = process.popen.communicate(timeout=60)
        over = process.over_memory()
    finally:
        process.kill()
    assert process.popen.returncode != 0 and b"held it" not in output
    assert over or b"MemoryError" in output
    assert not [folder for folder in folders if folder.exists()]  # its cgroup went with it


def test_what_a_sandboxed_process_starts_ends_with_it(tmp_path: Path) -> None:
    """A child that starts a session of its own (escaping the process group) still goes when the sandbox is ended."""
    script = tmp_path / "spawn.py"
    script.write_text(
        "import subprocess, time\n"
        "child = subprocess.Popen(['sleep', '317'], start_new_session=True)\n"
        "open('child.pid', 'w').write(str(child.pid))\n"
        "time.sleep(300)\n"
    )
    workdir = tmp_path / "work"
    process = start_sandboxed(
        [sys.executable, str(script)], SandboxPolicy(workdir=workdir, readable=(script,), max_processes=32)
    )
    deadline = time.monotonic() + 30
    while not (workdir / "child.pid").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    child = int((workdir / "child.pid").read_text())
    process.kill()
    for _ in range(50):
        if not is_alive(child) or Path(f"/proc/{child}/stat").read_text().split(") ")[1].startswith("Z"):
            break
        time.sleep(0.1)
    assert not is_alive(child) or Path(f"/proc/{child}/stat").read_text().split(") ")[1].startswith("Z")


# ---- profiling ----


@confined
def test_a_model_profiled_finds_neither_secrets_nor_the_database(stores, secrets_around, tmp_path: Path) -> None:
    model = upload_tampering_model(stores, tmp_path)
    victim = victim_endpoint(stores, model)
    record = profile_stored_model(stores, model)
    assert record.status == Status.SUCCEEDED, record.status_reason
    assert_untouched(stores, victim)


def test_a_profile_counts_what_the_model_holds_outside_torch(stores, tmp_path: Path) -> None:
    from sskai.catalog import load_catalog
    from sskai.recommend import Workload, plan_serving

    holds = "import numpy\nHELD = numpy.ones(600 * 2**20 // 8)  # 600 MiB made at import\n" + MODEL_PY
    model = upload_model(stores, "holds", make_zip(tmp_path / "h.zip", {"model.py": holds, "sskai.json": SPEC}))
    metrics = stored_metrics(profile_stored_model(stores, model))
    assert metrics.model_held_bytes >= 600 * 2**20
    assert metrics.serving_peak_rss_bytes >= metrics.runtime_rss_bytes + 600 * 2**20
    plan = plan_serving(metrics, load_catalog(), Workload(requests_per_hour=10))
    memory_mb = plan.memory_mb if plan.target == ServingKind.SERVERLESS else plan.alternative.memory_mb
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


def processes_named(needle: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
                state = (entry / "stat").read_text().rsplit(") ", 1)[1][0]
            except OSError:
                continue
            if needle.encode() in cmdline and state != "Z":
                found.append(int(entry.name))
    return found


def test_a_profile_time_out_ends_what_the_model_started(stores, tmp_path: Path) -> None:
    spawner = (
        "import subprocess, time\nsubprocess.Popen(['sleep', '331'], start_new_session=True)\ntime.sleep(120)\n"
        "from torch import nn\nModelClass = lambda: nn.Linear(2, 1)\n"
    )
    model = upload_model(stores, "spawner", make_zip(tmp_path / "s.zip", {"model.py": spawner, "sskai.json": SPEC}))
    with pytest.raises(ProfileFailed, match="timed out after 5 s"):
        profile_stored_model(stores, model, timeout_seconds=5)
    time.sleep(0.5)
    assert processes_named("331") == []


def scratch_of(pid: int) -> list[Path]:
    """The scratch folders that process ``pid`` made and that still exist."""
    from sskai.scratch import OWNER_FILE, scratch_root

    return [
        owner.parent
        for owner in scratch_root().glob(f"sskai-*/{OWNER_FILE}")
        if json.loads(owner.read_text()).get("owner_pid") == pid
    ]


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
    from sskai.claims import reap_abandoned

    sleeper = "import time\ntime.sleep(337)\nfrom torch import nn\nModelClass = lambda: nn.Linear(2, 1)\n"
    model = upload_model(stores, "sleeper", make_zip(tmp_path / "s.zip", {"model.py": sleeper, "sskai.json": SPEC}))
    driver = subprocess.Popen([sys.executable, "-c", DRIVER, model.id], cwd=REPO)
    deadline = time.monotonic() + 60
    while not processes_named("sskai.profiling.worker") and time.monotonic() < deadline:  # the sandbox is up
        time.sleep(0.2)
    profile = stores.metadata.latest(Profile)
    assert profile is not None and profile.status == Status.RUNNING
    time.sleep(1.0)
    driver.send_signal(how)
    driver.wait(timeout=30)
    time.sleep(1.0)
    assert processes_named("sskai.profiling.worker") == []
    reap_abandoned(stores)
    failed = stores.metadata.get(Profile, profile.id)
    assert failed.status == Status.FAILED and reason in failed.status_reason
    assert scratch_of(driver.pid) == []  # its unpacked bundle and sandbox folder are gone too


# ---- endpoints ----


@confined
def test_a_served_model_finds_neither_secrets_nor_the_database(
    stores, secrets_around, tmp_path, endpoints_cleanup
) -> None:
    model = upload_tampering_model(stores, tmp_path)
    victim = victim_endpoint(stores, model)
    record, key = deploy_endpoint(stores, "tamper", model, None, SPOT)
    answer = httpx.post(f"{record.url}/v1/predict", json={"inputs": [[1.0, 2.0]]}, headers={"x-api-key": key})
    assert answer.status_code == 200, answer.text
    assert_untouched(stores, victim)


SLEEPY = (
    "import time\nfrom torch import nn\n\nclass ModelClass(nn.Linear):\n    def __init__(self):\n"
    "        super().__init__(2, 1)\n\n    def forward(self, x):\n"
    "        if float(x.sum()) > 100:\n            time.sleep(60)\n        return super().forward(x)\n"
)


def test_a_sleeping_model_times_one_request_out_while_health_answers(stores, tmp_path, endpoints_cleanup) -> None:
    model = upload_model(stores, "sleepy", make_zip(tmp_path / "s.zip", {"model.py": SLEEPY, "sskai.json": SPEC}))
    record, key = deploy_endpoint(stores, "sleepy", model, None, SPOT, limits=EndpointLimits(timeout_seconds=3))
    headers = {"x-api-key": key}
    slow: dict[str, httpx.Response] = {}
    request = threading.Thread(
        target=lambda: slow.setdefault(
            "answer",
            httpx.post(f"{record.url}/v1/predict", json={"inputs": [[99.0, 99.0]]}, headers=headers, timeout=30),
        )
    )
    request.start()
    time.sleep(0.5)
    started = time.monotonic()
    health = httpx.get(f"{record.url}/health", timeout=2)
    assert health.status_code == 200 and time.monotonic() - started < 1.0
    request.join(timeout=30)
    assert slow["answer"].status_code == 504 and "did not answer within 3 s" in slow["answer"].json()["error"]
    deadline = time.monotonic() + 60
    while True:  # the worker is replaced; the next request is served
        answer = httpx.post(f"{record.url}/v1/predict", json={"inputs": [[1.0, 2.0]]}, headers=headers, timeout=30)
        if answer.status_code == 200 or time.monotonic() > deadline:
            break
        assert answer.status_code == 503
    assert answer.status_code == 200
    assert httpx.get(f"{record.url}/metrics").json()["timeouts"] == 1
    assert len(worker_processes(record, stores)) == 1  # the replacement; nothing of the sleeping worker is left


def worker_processes(record: Endpoint, stores) -> list[int]:
    return processes_named(str(stores.settings.endpoints_dir / record.id / "workers"))


def test_a_killed_endpoint_takes_its_workers_with_it(stores, example_zips, endpoints_cleanup) -> None:
    model = upload_model(stores, "mlp", example_zips["mlp"][0])
    record, _ = deploy_endpoint(stores, "mlp", model, None, SPOT)
    assert worker_processes(record, stores)
    os.kill(record.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while worker_processes(record, stores) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert worker_processes(record, stores) == []


@pytest.mark.usefixtures("prefect_server")
def test_the_cli_stops_an_endpoint_marked_failed_that_ignores_sigterm(stores, example_zips, endpoints_cleanup) -> None:
    from typer.testing import CliRunner

    from ui.cli import app

    model = upload_model(stores, "mlp", example_zips["mlp"][0])
    record, _ = deploy_endpoint(stores, "mlp", model, None, SPOT)
    os.kill(record.pid, signal.SIGSTOP)  # a stopped process cannot act on SIGTERM
    stores.metadata.set_status(Endpoint, record.id, Status.FAILED, "the monitor saw no /health")
    stopped = CliRunner().invoke(app, ["endpoints", "stop", "mlp"])
    assert stopped.exit_code == 0 and "stopped 1 endpoint(s) named mlp" in stopped.output, stopped.output
    assert stores.metadata.get(Endpoint, record.id).status == Status.STOPPED
    assert not is_alive(record.pid) or Path(f"/proc/{record.pid}/stat").read_text().split(") ")[1].startswith("Z")
    assert worker_processes(record, stores) == []


# ---- training ----


@confined
@pytest.mark.usefixtures("local_clusters")
def test_a_trained_model_finds_neither_secrets_nor_the_database(stores, secrets_around, tmp_path: Path) -> None:
    """Trained on a cluster of its own, as sskai starts one: the nodes run sandboxed."""
    from sskai.store.metadata import Training
    from sskai.training.config import TrainingConfig
    from sskai.training.service import create_training

    model = upload_tampering_model(stores, tmp_path)
    victim = victim_endpoint(stores, model)
    x = np.random.default_rng(0).normal(size=(64, 2)).astype(np.float32)
    buffers = {}
    for name, array in (("x.npy", x), ("y.npy", x.sum(axis=1, keepdims=True))):
        buffer = io.BytesIO()
        np.save(buffer, array)
        buffers[name] = buffer.getvalue()
    dataset = upload_dataset(stores, "pairs", make_zip(tmp_path / "d.zip", buffers))
    config = TrainingConfig(epochs=2, batch_size=16, num_workers=1)
    training = create_training(stores, model, dataset, config, plan=None)
    run = subprocess.run(
        [sys.executable, "-m", "tests.spot_run", training.id], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    finished = stores.metadata.get(Training, training.id)
    assert finished.status == Status.SUCCEEDED, (finished.status_reason, run.stdout[-2000:], run.stderr[-2000:])
    assert_untouched(stores, victim)


# ---- uploads ----


def test_twenty_concurrent_uploads_of_one_name_keep_every_hash_true(home: Path, tmp_path: Path) -> None:
    archives = [
        make_zip(tmp_path / f"m{i}.zip", {"model.py": f"# variant {i}\nModelClass = None\n", "sskai.json": SPEC})
        for i in range(20)
    ]
    open_stores()  # the schema exists before the race
    with ThreadPoolExecutor(max_workers=20) as pool:
        records = list(pool.map(lambda archive: upload_model(open_stores(), "race", archive), archives))
    stores = open_stores()
    stored = stores.metadata.list(Model, name="race")
    assert sorted(r.version for r in stored) == list(range(1, 21))
    assert {r.id for r in records} == {r.id for r in stored}
    for record in stored:
        archive = tmp_path / f"check-{record.version}.zip"
        archive.write_bytes(stores.artifacts.get_bytes(record.artifact_key))
        assert safe_extract(archive, tmp_path / f"check-{record.version}").content_sha256 == record.content_sha256


def test_old_content_uploaded_again_says_which_version_it_is_and_how_to_roll_back(stores, tmp_path: Path) -> None:
    def archive(variant: int) -> Path:
        return make_zip(
            tmp_path / f"v{variant}-{time.monotonic_ns()}.zip",
            {"model.py": f"# {variant}\nModelClass = None\n", "sskai.json": SPEC},
        )

    first = upload_model(stores, "clf", archive(1))
    second = upload_model(stores, "clf", archive(2))
    again = upload_model(stores, "clf", archive(1))
    assert again.id == first.id
    note = upload_note(stores, again)
    assert re.search(r"already stored as model clf v1 \(sha256 \w+\), but clf resolves to v2", note)
    assert "`sskai models use clf 1`" in note
    stores.metadata.use_version(Model, stores.settings.owner, "clf", 1)
    assert stores.metadata.find_version(Model, stores.settings.owner, "clf").id == first.id
    assert "resolves to it" in upload_note(stores, first)
    third = upload_model(stores, "clf", archive(3))  # a new upload: the name follows the newest again
    assert stores.metadata.find_version(Model, stores.settings.owner, "clf").id == third.id != second.id


def _npy_claiming(shape: tuple[int, ...]) -> bytes:
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f4", "fortran_order": False, "shape": shape})
    return header.getvalue() + b"\0" * 8


@pytest.mark.parametrize(
    ("kind", "files", "reason"),
    [
        (
            "dataset",
            {"x.npy": _npy_claiming((1 << 34,)), "y.npy": _npy_claiming((1 << 34,))},
            "claims 68,719,476,736 bytes",
        ),
        ("model", {"model.py": MODEL_PY, "sskai.json": SPEC, "a" * 300 + ".txt": "x"}, "name too long"),
        (
            "model",
            {"model.py": MODEL_PY, "sskai.json": SPEC, "data": "x", "data/inner.txt": "y"},
            "both a file and a folder",
        ),
        ("model", {"model.py": MODEL_PY, "sskai.json": "[" * 100_000 + "]" * 100_000}, "sskai.json is over 64 KiB"),
        ("model", {"model.py": MODEL_PY, "sskai.json": "[" * 30_000 + "]" * 30_000}, "nested too deeply"),
        (
            "dataset",
            {
                "sskai.json": '{"layout": "csv", "file": "d.csv", "target": "y"}',
                "d.csv": "a,b,y\n1,nan,2\n" + "1,2,3\n" * 20,
            },
            "column 'b' has an empty, NaN or infinite value \\(first on data row 1\\)",
        ),
        (
            "dataset",
            {
                "x.npy": _npy_claiming((2,))[:-8] + np.array([1.0, np.inf], "<f4").tobytes(),
                "y.npy": _npy_claiming((2,)),
            },
            "x has 1 NaN or infinite",
        ),
    ],
)
def test_hostile_bundles_are_clear_rejections_that_are_not_retried(
    stores, tmp_path: Path, kind: str, files: dict, reason: str
) -> None:
    upload = upload_model if kind == "model" else upload_dataset
    with pytest.raises(UploadRejected, match=reason) as caught:
        upload(stores, "hostile", make_zip(tmp_path / "h.zip", files))
    assert isinstance(caught.value, SskaiError) and not caught.value.retryable


# ---- on Kubernetes ----


def test_the_sandbox_rules_become_a_valid_pod_security_context(tmp_path: Path) -> None:
    from sskai.sandbox.kubernetes import SERVICE_ACCOUNT, user_code_pod, user_code_service_account

    policy = SandboxPolicy(workdir=tmp_path, memory_bytes=2048 * 2**20, max_file_bytes=64 * 2**20)
    pod = user_code_pod(
        "profile-mlp", "sskai", "sskai/runtime:0.1", ["python", "-m", "sskai.profiling.worker"], policy, "bundles"
    )
    account = user_code_service_account("sskai")
    checked = validate_manifests([pod, account])
    assert checked.returncode == 0, checked.stdout + checked.stderr
    spec = pod["spec"]
    container = spec["containers"][0]
    assert spec["securityContext"]["runAsNonRoot"] and spec["securityContext"]["runAsUser"] != 0
    assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert not container["securityContext"]["allowPrivilegeEscalation"]
    assert container["securityContext"]["readOnlyRootFilesystem"]
    assert spec["serviceAccountName"] == SERVICE_ACCOUNT and not spec["automountServiceAccountToken"]
    assert not account["automountServiceAccountToken"]
    assert container["resources"]["limits"]["memory"] == "2048Mi"
    assert {"name": "bundle", "mountPath": "/bundle", "readOnly": True} in container["volumeMounts"]
    assert not {e["name"] for e in container["env"]} & set(SECRETS)
    broken = {**pod, "spec": {**spec, "securityContext": {**spec["securityContext"], "runAsUser": "nobody"}}}
    assert validate_manifests([broken]).returncode == 1  # the schema check can fail
