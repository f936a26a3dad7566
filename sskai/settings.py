"""Where sskai keeps its state and which services it talks to: the only reader of the environment.

The embedded default keeps everything under one folder (``SSKAI_HOME``): a SQLite metadata store
and a ``file://`` artifact store. The scale configuration points ``SSKAI_DATABASE_URL`` at
PostgreSQL and ``SSKAI_ARTIFACT_URL`` at ``s3://bucket/prefix``. Every other module receives a
``Settings`` (or the part of it it needs) instead of reading variables itself.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from sskai.kinds import ServingKind
from sskai.units import MiB

DEFAULT_AWS_REGION = "us-east-1"


def _current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry in some containers
        return "local"


def environment_with(extra: Mapping[str, str]) -> dict[str, str]:
    """This process's environment and ``extra``: for a child of ours (never user code) that must see both."""
    return {**os.environ, **extra}


class ArtifactLocation(BaseModel):
    """What any process (a Ray worker on another node, say) needs to open the artifact store."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str
    aws_endpoint_url: str | None = None
    aws_region: str = DEFAULT_AWS_REGION


class SandboxLimits(BaseModel):
    """What a sandboxed process running user code may use (profiling, inference workers, measuring a model).

    The one home of these limits: the settings build it, every sandbox is handed it, none restates it.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    memory_mib: int = Field(8192, gt=0, description="memory cap of each sandboxed process")
    max_processes: int = Field(64, gt=0, description="process and thread cap of each sandboxed process")

    @property
    def memory_bytes(self) -> int:
        return self.memory_mib * MiB


DEFAULT_SANDBOX_LIMITS = SandboxLimits()


AWS_VARIABLES = frozenset(
    {
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_ENDPOINT_URL",
    }
)


def passed_environment(names: tuple[str, ...]) -> dict[str, str]:
    """The variables named, as this process has them: what a sandboxed child is allowed to inherit."""
    return {name: os.environ[name] for name in names if name in os.environ}


class Settings(BaseSettings):
    """Every setting of the product, from ``SSKAI_*`` variables (and the AWS and Ray variables they honour)."""

    model_config = SettingsConfigDict(env_prefix="SSKAI_", frozen=True, extra="ignore")

    home: Path = Field(default_factory=lambda: Path.cwd() / ".sskai", description="embedded state folder")
    database_url: str = Field("", description="SQLAlchemy URL; default: SQLite in home")
    artifact_url: str = Field("", description="file:///path or s3://bucket/prefix; default: home/artifacts")
    owner: str = Field(default_factory=_current_user, description="recorded on every record")
    nodepools_path: Path | None = Field(None, description="where the pricing refresh writes Karpenter NodePools")
    cluster: str = Field("local", description="the Cluster implementation training runs on")
    kube_namespace: str = Field("sskai", description="kuberay: the namespace of the trainings' RayClusters")
    kube_api_url: str | None = Field(None, description="kuberay: the Kubernetes API; default: kubeconfig, else in-pod")
    kuberay_ready_seconds: float = Field(900.0, gt=0, description="kuberay: how long a RayCluster may take to be ready")
    ray_address: str | None = Field(
        None, validation_alias=AliasChoices("SSKAI_RAY_ADDRESS", "RAY_ADDRESS"), description="join this Ray cluster"
    )
    serverless_target: str = Field("local", description="ServingTarget for serverless plans")
    spot_target: str = Field("local", description="ServingTarget for spot plans")
    aws_endpoint_url: str | None = Field(
        None,
        validation_alias=AliasChoices("SSKAI_AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL"),
        description="an S3-compatible endpoint (moto, MinIO); default: AWS",
    )
    aws_region: str = Field(
        DEFAULT_AWS_REGION, validation_alias=AliasChoices("SSKAI_AWS_REGION", "AWS_DEFAULT_REGION", "AWS_REGION")
    )
    settings_block: str | None = Field(
        None, description="a Prefect SskaiSettings block whose store URLs override these (workers elsewhere)"
    )
    user_code_memory_mib: int = Field(
        DEFAULT_SANDBOX_LIMITS.memory_mib,
        gt=0,
        description="memory cap of each sandboxed process running user code (profiling, inference)",
    )
    user_code_max_processes: int = Field(
        DEFAULT_SANDBOX_LIMITS.max_processes,
        gt=0,
        description="process and thread cap of each sandboxed process running user code",
    )
    alert_notification_block: str = Field(
        "", description="a Prefect notification block (Slack, e-mail, ...) that budget alerts are also sent to"
    )
    lambda_role_arn: str = Field("", description="lambda: the execution role every endpoint function runs as")
    lambda_repository: str = Field("sskai-endpoints", description="lambda: the ECR repository of endpoint images")
    lambda_timeout_seconds: int = Field(60, gt=0, le=900, description="lambda: how long one invocation may run")
    endpoint_replicas: int = Field(2, gt=0, description="replicas: how many replicas a replicated endpoint runs")
    endpoint_workers: int = Field(1, gt=0, description="inference worker processes per local endpoint")
    endpoint_max_batch_rows: int = Field(32, gt=0, description="samples the endpoint batches at most")
    endpoint_max_batch_wait_ms: float = Field(
        0.0, ge=0, description="how long a batch waits to fill (0: only what queued while the workers were busy)"
    )
    endpoint_request_timeout_seconds: float = Field(
        30.0, gt=0, description="a request the model takes longer on gets 504 and its worker is restarted"
    )

    @model_validator(mode="before")
    @classmethod
    def _defaults_under_home(cls, values: Any) -> Any:
        if not isinstance(values, dict):
            return values
        home = Path(values.get("home") or Path.cwd() / ".sskai").expanduser().resolve()
        return {
            **values,
            "home": home,
            "database_url": values.get("database_url") or f"sqlite:///{home / 'sskai.db'}",
            "artifact_url": values.get("artifact_url") or (home / "artifacts").as_uri(),
        }

    @property
    def sandbox_limits(self) -> SandboxLimits:
        return SandboxLimits(memory_mib=self.user_code_memory_mib, max_processes=self.user_code_max_processes)

    @property
    def endpoints_dir(self) -> Path:
        """Local scratch for endpoint processes (pid files, logs, unpacked bundles)."""
        return self.home / "endpoints"

    @property
    def nodepools_file(self) -> Path:
        return self.nodepools_path or self.home / "karpenter" / "nodepools.yaml"

    @property
    def artifacts(self) -> ArtifactLocation:
        return ArtifactLocation(
            url=self.artifact_url, aws_endpoint_url=self.aws_endpoint_url, aws_region=self.aws_region
        )

    def serving_target_for(self, kind: ServingKind) -> str:
        return self.serverless_target if kind is ServingKind.SERVERLESS else self.spot_target

    def ray_node_environment(self) -> dict[str, str]:
        """What a Ray node this machine starts gets of this environment (user code runs in its workers).

        An allow-list: Ray's own variables, and the AWS credentials only where the artifact store is
        S3 (workers read bundles and write checkpoints there). Never the database URL, the settings
        block or Prefect's key; the sandbox adds PATH, HOME and TMPDIR.
        """
        passed = {name: value for name, value in os.environ.items() if name.startswith("RAY_")}
        if self.artifact_url.startswith("s3://"):
            passed |= {name: value for name, value in os.environ.items() if name in AWS_VARIABLES}
        return passed


class LambdaSettings(BaseSettings):
    """What the Lambda container is configured with: the baked bundle and the API key's hash."""

    model_config = SettingsConfigDict(env_prefix="SSKAI_", frozen=True, extra="ignore")

    bundle_dir: Path = Path("/opt/bundle")
    api_key_sha256: str = ""
