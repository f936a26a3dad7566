"""The hostile-input suite: user code and uploads that try to take, break or outlive the platform.

Each case was a real failure once (see the issue "User code is untrusted"); each test reproduces it
against the real parts: the sandbox's kernel confinement, profiling and endpoint processes, a
training on a Ray cluster of its own, the metadata store and the artifact store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from sskai.bundles.upload import upload_model
from sskai.processes import is_alive
from sskai.sandbox import SandboxPolicy, start_sandboxed
from sskai.store.metadata import Endpoint
from tests.helpers import make_zip, validate_manifests
from tests.security.probes import PROBE, SECRETS, SPEC, confined, victim_endpoint


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
