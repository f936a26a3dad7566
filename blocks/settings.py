"""A block holding where sskai keeps its state, so workers on other machines agree with the UI.

Registered once (``register_settings``); a worker that sets ``SSKAI_SETTINGS_BLOCK=<name>`` takes
its store URLs and region from the block (``tasks.common.settings``) instead of its own environment.
At scale the artifact store is a prefect-aws ``S3Bucket`` block and the AWS credentials (S3, spot
capacity, Lambda) an ``AwsCredentials`` block: one place to rotate them, none in a worker's image.
"""

from __future__ import annotations

from prefect.blocks.core import Block
from prefect_aws import AwsCredentials, S3Bucket
from pydantic import Field

from sskai.settings import Settings

BLOCK_NAME = "default"


class SskaiSettings(Block):
    """Metadata store URL, the artifact store (a URL or an S3 bucket block), the AWS region and credentials."""

    _block_type_name = "sskai-settings"
    database_url: str = Field(description="SQLAlchemy URL: sqlite:///... (default) or postgresql+psycopg2://...")
    artifact_url: str = Field("", description="file:///path or s3://bucket/prefix; empty with an artifact bucket")
    aws_region: str = Field(default="us-east-1", description="Region for S3, spot capacity and Lambda")
    artifact_bucket: S3Bucket | None = Field(
        None, description="prefect-aws S3Bucket: the artifact store (its folder is the prefix) and its credentials"
    )
    aws_credentials: AwsCredentials | None = Field(
        None, description="prefect-aws AwsCredentials for S3, spot capacity and Lambda (default: the bucket's)"
    )

    @property
    def credentials(self) -> AwsCredentials | None:
        if self.aws_credentials is not None:
            return self.aws_credentials
        return self.artifact_bucket.credentials if self.artifact_bucket is not None else None

    def applied_to(self, settings: Settings) -> Settings:
        """``settings`` with this block's store URLs, region and AWS endpoint."""
        update = {"database_url": self.database_url, "artifact_url": self.artifact_url, "aws_region": self.aws_region}
        if self.artifact_bucket is not None:
            prefix = self.artifact_bucket.bucket_folder.strip("/")
            update["artifact_url"] = f"s3://{self.artifact_bucket.bucket_name}" + (f"/{prefix}" if prefix else "")
        if not update["artifact_url"]:
            raise ValueError(f"settings block {self._block_document_name!r} names no artifact URL and no bucket")
        credentials = self.credentials
        if credentials is not None:
            update["aws_region"] = credentials.region_name or self.aws_region
            if credentials.aws_client_parameters.endpoint_url:
                update["aws_endpoint_url"] = credentials.aws_client_parameters.endpoint_url
        return settings.model_copy(update=update)

    def aws_environment(self) -> dict[str, str]:
        """The credentials as the variables every AWS client reads: boto3, pyarrow and the Ray nodes started here."""
        credentials = self.credentials
        if credentials is None:
            return {}
        found = {
            "AWS_ACCESS_KEY_ID": credentials.aws_access_key_id,
            "AWS_SECRET_ACCESS_KEY": (
                credentials.aws_secret_access_key.get_secret_value() if credentials.aws_secret_access_key else None
            ),
            "AWS_SESSION_TOKEN": credentials.aws_session_token,
            "AWS_PROFILE": credentials.profile_name,
            "AWS_DEFAULT_REGION": credentials.region_name,
            "AWS_ENDPOINT_URL": credentials.aws_client_parameters.endpoint_url,
        }
        return {name: value for name, value in found.items() if value}


def register_settings(
    database_url: str,
    artifact_url: str = "",
    aws_region: str = "us-east-1",
    name: str = BLOCK_NAME,
    artifact_bucket: S3Bucket | None = None,
    aws_credentials: AwsCredentials | None = None,
) -> SskaiSettings:
    block = SskaiSettings(
        database_url=database_url,
        artifact_url=artifact_url,
        aws_region=aws_region,
        artifact_bucket=artifact_bucket,
        aws_credentials=aws_credentials,
    )
    block.save(name, overwrite=True)
    return block
