"""The security tests' fixtures: secrets planted around the sandbox for a probe to look for."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def secrets_around(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The platform's environment holds a database URL, cloud credentials and a canary, as in production."""
    monkeypatch.setenv("SSKAI_DATABASE_URL", f"sqlite:///{home / 'sskai.db'}")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-for-models")
    monkeypatch.setenv("PREFECT_API_KEY", "not-for-models")
    monkeypatch.setenv("SSKAI_TEST_CANARY", "not-for-models")
