"""Shared servers for the whole session, and the tiers of the suite.

The tree mirrors the package: ``unit/<package>/`` (the ``fast`` tier: no server, cluster or
endpoint process), ``integration/<package>/`` (the real stack), ``security/`` (hostile user code
against the sandbox), ``e2e/`` (the platform and the pipeline) and ``conformance/`` (one file per
contract, run over its registry). The Prefect server, the moto S3 server and the local Ray cluster
start once per test process, only for the tests that ask for them. Each test gets its own
SSKAI_HOME (SQLite metadata store and file:// artifact store) unless it asks for another
configuration; environment changes are scoped to the test that makes them (``monkeypatch``).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from sskai.clusters import LocalRayCluster

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")  # as the CLI sets it

# A test using any of these talks to a real server or cluster: the integration tier.
INTEGRATION_FIXTURES = {
    "prefect_server",
    "ray_cluster",
    "moto_server",
    "postgres_db",
    "endpoint",
    "served",
    "pipeline_run",
    "local_clusters",
    "local_platform",
}
# Fake credentials for moto, which accepts any; never set outside the test (or the Ray cluster) that needs them.
FAKE_AWS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}


TESTS = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """``tests/unit`` is the fast tier, and stays it: a unit test that needs a server is moved, not marked."""
    for item in items:
        part = Path(str(item.fspath)).relative_to(TESTS).parts[0]
        servers = INTEGRATION_FIXTURES & set(getattr(item, "fixturenames", ()))
        if part == "unit" and servers:
            raise pytest.UsageError(f"{item.nodeid} uses {sorted(servers)}: it belongs in tests/integration/")
        item.add_marker("fast" if part == "unit" else "integration")
        # Tests that start, kill and reap whole local clusters may run beside each other: each reaps only
        # what a dead owner left, and ``local_clusters`` judges only this process's clusters.


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """A real S3 (and EC2) API on loopback; tests reach it through the ``aws`` fixture."""
    from moto.server import ThreadedMotoServer

    from sskai.serving.process import free_port

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def aws(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """This test's boto3 and sskai settings point at the moto server, with fake credentials, until it ends."""
    for name, value in {**FAKE_AWS, "AWS_ENDPOINT_URL": moto_server}.items():
        monkeypatch.setenv(name, value)
    return moto_server


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def ray_cluster(moto_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalRayCluster]:
    """One multi-node local Ray cluster (a head, two worker nodes) for the session, as sskai starts it.

    Its processes (not the tests) carry the fake S3 credentials and may write under the session's
    base folder, where every test's home is. Trainings in this process join it.
    """
    from sskai.clusters import ClusterPlan, LocalRayCluster
    from sskai.clusters.nodes import NodeAccess
    from sskai.settings import Settings

    # Every test's home (its file artifact store) is under the session's base folder; S3 is moto.
    base = tmp_path_factory.getbasetemp()
    access = NodeAccess(readable=(base,), writable=(base,), environment=FAKE_AWS)
    cluster = LocalRayCluster(Settings(home=tmp_path_factory.mktemp("ray-home")), ClusterPlan.unpriced(2), access)
    cluster.start()
    yield cluster
    cluster.stop()
    from sskai.ownership.scratch import processes_under

    assert cluster.scratch is not None and processes_under(cluster.scratch) == [], "Ray processes outlived the session"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """No local Ray cluster started by sskai may outlive the suite (its processes name an sskai-ray- folder).

    Checked once, by the process that ran the suite (pytest-xdist's workers each end their own first).
    """
    if hasattr(session.config, "workerinput"):
        return
    import tempfile

    from sskai.ownership.scratch import processes_under

    leaked = processes_under(Path(tempfile.gettempdir()) / "sskai-ray-")
    if leaked and exitstatus == 0:
        session.exitstatus = 1
        print(f"\nRay processes outlived the tests: pids {leaked}")


@pytest.fixture
def postgres_db() -> Iterator[str]:
    """A fresh database on the machine's PostgreSQL server, dropped afterwards."""
    import psycopg2
    from psycopg2 import sql

    from tests.helpers import PG

    name = f"sskai_test_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(dbname="postgres", **PG)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield name
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    admin.close()


@pytest.fixture
def local_clusters() -> Iterator[None]:
    """For tests whose processes start local Ray clusters: none of those clusters' processes may outlive the test.

    A cluster whose owner still runs and is not this test's process belongs to another test process's
    session (pytest-xdist): not this test's to judge.
    """
    from sskai.clusters.nodes import SCRATCH_PREFIX
    from sskai.ownership.scratch import OWNER_FILE, ScratchOwner, processes_under, scratch_root

    def foreign(folder: Path) -> bool:
        try:
            owner = ScratchOwner(**json.loads((folder / OWNER_FILE).read_text()))
        except (OSError, ValueError, TypeError):
            return False
        return owner.owner_pid != os.getpid() and owner.owner_running() and owner.owner_pid not in _children()

    before = set(scratch_root().glob(f"{SCRATCH_PREFIX}*"))
    yield
    new = [p for p in scratch_root().glob(f"{SCRATCH_PREFIX}*") if p not in before and not foreign(p)]
    leaked = [p for p in new if processes_under(p)]
    assert not leaked, f"Ray processes outlived the test: {leaked}"


def _children() -> set[int]:
    """Every live descendant of this process (a training it started in a process of its own)."""
    import psutil

    return {child.pid for child in psutil.Process().children(recursive=True)}


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "sskai-home"
    monkeypatch.setenv("SSKAI_HOME", str(home))
    for variable in ("SSKAI_DATABASE_URL", "SSKAI_ARTIFACT_URL", "SSKAI_SETTINGS_BLOCK", "SSKAI_NODEPOOLS_PATH"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("SSKAI_OWNER", "tester")
    return home


@pytest.fixture
def stores(home: Path):
    from sskai.store.stores import open_stores

    return open_stores()


@pytest.fixture(scope="session")
def example_zips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    from sskai.examples import EXAMPLES, build_example

    directory = tmp_path_factory.mktemp("examples")
    return {name: build_example(name, directory) for name in EXAMPLES}


@pytest.fixture
def endpoints_cleanup(stores) -> Iterator[None]:
    """Stop every endpoint a test started, pass or fail."""
    yield
    from sskai.kinds import Status
    from sskai.serving.service import stop_stored_endpoint
    from sskai.store.metadata import Endpoint

    for record in stores.metadata.list(Endpoint):
        if Status(record.status).is_serving:
            stop_stored_endpoint(stores, record.id, reason="test finished")
