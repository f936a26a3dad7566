"""Shared servers for the whole session, and the two tiers of the suite.

The Prefect server, the moto S3 server and the local Ray cluster start once, only for the tests
that ask for them. A test that uses none of them is in the ``fast`` tier (``pytest -m fast``); the
rest are ``integration``. Each test gets its own SSKAI_HOME (SQLite metadata store and file://
artifact store) unless it asks for another configuration; environment changes are scoped to the
test that makes them (``monkeypatch``).
"""

from __future__ import annotations

import os
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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        tier = "integration" if INTEGRATION_FIXTURES & set(getattr(item, "fixturenames", ())) else "fast"
        item.add_marker(tier)


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
    from sskai.scratch import processes_under

    assert cluster.scratch is not None and processes_under(cluster.scratch) == [], "Ray processes outlived the session"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """No local Ray cluster started by sskai may outlive the suite (its processes name an sskai-ray- folder)."""
    import tempfile

    from sskai.scratch import processes_under

    leaked = processes_under(Path(tempfile.gettempdir()) / "sskai-ray-")
    if leaked and exitstatus == 0:
        session.exitstatus = 1
        print(f"\nRay processes outlived the tests: pids {leaked}")


@pytest.fixture
def local_clusters() -> Iterator[None]:
    """For tests whose processes start local Ray clusters: none of those clusters' processes may outlive the test."""
    from sskai.clusters.nodes import SCRATCH_PREFIX
    from sskai.scratch import processes_under, scratch_root

    before = set(scratch_root().glob(f"{SCRATCH_PREFIX}*"))
    yield
    leaked = [p for p in scratch_root().glob(f"{SCRATCH_PREFIX}*") if p not in before and processes_under(p)]
    assert not leaked, f"Ray processes outlived the test: {leaked}"


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
        if record.status in (Status.READY, Status.RESTARTING):
            stop_stored_endpoint(stores, record.id, reason="test finished")
