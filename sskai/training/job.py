"""The job handed to Ray: everything a worker on any node needs, versioned, and nothing secret."""

from __future__ import annotations

from typing import ClassVar

from sskai.bundles.spec import DatasetSpec, ModelSpec
from sskai.settings import ArtifactLocation
from sskai.training.config import TrainingConfig
from sskai.versioned import Versioned


class TrainingJob(Versioned):
    SCHEMA_VERSION: ClassVar[int] = 1
    REMEDY: ClassVar[str] = "start the training again with this version of sskai on every node"

    training_id: str
    config: TrainingConfig
    artifacts: ArtifactLocation
    model_key: str
    dataset_key: str
    model_spec: ModelSpec
    dataset_spec: DatasetSpec
