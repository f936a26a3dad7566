"""A block holding where sskai keeps its state, so workers on other machines agree with the UI.

Registered once (``register_settings``); a worker that sets ``SSKAI_SETTINGS_BLOCK=<name>`` takes
its store URLs and region from the block (``tasks.common.settings``) instead of its own environment.
"""

from __future__ import annotations

from prefect.blocks.core import Block
from pydantic import Field

from sskai.settings import Settings

BLOCK_NAME = "default"


class SskaiSettings(Block):
    """Metadata store URL, artifact store URL and the AWS region for spot capacity."""

    _block_type_name = "sskai-settings"
    database_url: str = Field(description="SQLAlchemy URL: sqlite:///... (default) or postgresql+psycopg2://...")
    artifact_url: str = Field(description="file:///path (default) or s3://bucket/prefix")
    aws_region: str = Field(default="us-east-1", description="Region for S3, spot capacity and Lambda")

    def applied_to(self, settings: Settings) -> Settings:
        """``settings`` with this block's store URLs and region."""
        return settings.model_copy(
            update={"database_url": self.database_url, "artifact_url": self.artifact_url, "aws_region": self.aws_region}
        )


def register_settings(
    database_url: str, artifact_url: str, aws_region: str = "us-east-1", name: str = BLOCK_NAME
) -> SskaiSettings:
    block = SskaiSettings(database_url=database_url, artifact_url=artifact_url, aws_region=aws_region)
    block.save(name, overwrite=True)
    return block
