"""What the security tests plant and probe for: secrets around the sandbox, a tampering model, a probe script."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sskai.bundles.upload import upload_model
from sskai.kinds import Status
from sskai.sandbox.landlock import abi_version
from sskai.store.metadata import Endpoint, Model
from tests.helpers import make_zip

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


def victim_endpoint(stores, model: Model) -> Endpoint:
    """Another model's endpoint record: what the tampering model tried to rewrite."""
    return stores.metadata.add(
        Endpoint(
            owner=stores.settings.owner,
            name="victim",
            model_id=model.id,
            kind="spot",
            runtime="local",
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


def _live_command_lines() -> Iterator[tuple[int, bytes]]:
    """(pid, command line as /proc holds it: NUL after each argument) of every process that is not a zombie."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
                state = (entry / "stat").read_text().rsplit(") ", 1)[1][0]
            except OSError:
                continue
            if state != "Z":
                yield int(entry.name), cmdline


def processes_running(*argv: str) -> list[int]:
    """Live processes whose whole command line is ``argv`` (not one that merely mentions it)."""
    wanted = "\0".join(argv).encode() + b"\0"
    return [pid for pid, cmdline in _live_command_lines() if cmdline == wanted]


def processes_named(needle: str) -> list[int]:
    """Live processes whose command line mentions ``needle`` (a folder only they are started in)."""
    return [pid for pid, cmdline in _live_command_lines() if needle.encode() in cmdline]
