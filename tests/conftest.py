"""One embedded Prefect server, one moto S3 server and one local Ray cluster for the whole session.

Each test gets its own SSKAI_HOME (SQLite metadata store and file:// artifact store) unless it
asks for another configuration.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """A real S3 API on loopback. Started before Ray so Ray's workers inherit its address."""
    from moto.server import ThreadedMotoServer

    from sskai.serving.process import free_port

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    url = f"http://127.0.0.1:{port}"
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_ENDPOINT_URL=url,
    )
    yield url
    server.stop()


@pytest.fixture(scope="session", autouse=True)
def prefect_server() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def ray_cluster(moto_server: str) -> Iterator[None]:
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "sskai-home"
    monkeypatch.setenv("SSKAI_HOME", str(home))
    monkeypatch.delenv("SSKAI_DATABASE_URL", raising=False)
    monkeypatch.delenv("SSKAI_ARTIFACT_URL", raising=False)
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
    from sskai.serving.service import stop_stored_endpoint
    from sskai.store.metadata import Endpoint, Status

    for record in stores.metadata.list(Endpoint, status=Status.READY):
        stop_stored_endpoint(stores, record.id, reason="test finished")


def copy_tree(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target
