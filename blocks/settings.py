"""A block holding where sskai keeps its state, so workers on other machines agree with the UI.

Registered once (``register_settings``), loaded by name on a worker (``apply_settings``), which
exports it as the environment the domain package reads (``sskai.config``).
"""

from __future__ import annotations

import os

from prefect.blocks.core import Block
from pydantic import Field

BLOCK_NAME = "default"


class SskaiSettings(Block):
    """Metadata store URL, artifact store URL and the AWS region for spot capacity."""

    _block_type_name = "sskai-settings"
    database_url: str = Field(description="SQLAlchemy URL: sqlite:///... (default) or postgresql+psycopg2://...")
    artifact_url: str = Field(description="file:///path (default) or s3://bucket/prefix")
    aws_region: str = Field(default="us-east-1", description="Region for S3, spot capacity and Lambda")

    def export(self) -> None:
        os.environ["SSKAI_DATABASE_URL"] = self.database_url
        os.environ["SSKAI_ARTIFACT_URL"] = self.artifact_url
        os.environ["AWS_DEFAULT_REGION"] = self.aws_region


def register_settings(
    database_url: str, artifact_url: str, aws_region: str = "us-east-1", name: str = BLOCK_NAME
) -> SskaiSettings:
    block = SskaiSettings(database_url=database_url, artifact_url=artifact_url, aws_region=aws_region)
    block.save(name, overwrite=True)
    return block


def apply_settings(name: str = BLOCK_NAME) -> SskaiSettings:
    block = SskaiSettings.load(name)
    block.export()
    return block
