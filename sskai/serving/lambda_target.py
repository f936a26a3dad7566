"""The ``lambda`` serving target: an image function per endpoint, served at its function URL.

Each endpoint is a function ``sskai-<endpoint id>`` (``PackageType=Image``) with a ``live`` alias;
the URL (``AWS_IAM`` auth, and the endpoint's own API key inside) points at the alias. New weights
are a new image and a new published version, and the alias moves to it in one call: invocations
already running finish on the old version, so a weight swap fails no request. What cannot fit a
function is refused before any AWS call (:mod:`sskai.serving.lambda_fit`).
"""

from __future__ import annotations

import contextlib
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3

from sskai.catalog.catalog import load_catalog
from sskai.errors import EndpointError
from sskai.kinds import ServingKind
from sskai.serving.lambda_fit import check_lambda_fit
from sskai.serving.lambda_image import image_bytes, published_image, write_image_context
from sskai.serving.requests import RequestCounters
from sskai.serving.targets import EndpointLaunch, RunningEndpoint, ServingTarget, launch_config
from sskai.store.metadata import Endpoint

ALIAS = "live"


def function_name(endpoint_id: str) -> str:
    return f"sskai-{endpoint_id}"


def _release(functions: Any, name: str) -> None:
    """Once the update has settled, publish it as a version and move the ``live`` alias to it in one call."""
    functions.get_waiter("function_updated_v2").wait(FunctionName=name)
    version = functions.publish_version(FunctionName=name)["Version"]
    functions.update_alias(FunctionName=name, Name=ALIAS, FunctionVersion=version)


class LambdaTarget(ServingTarget, name="lambda"):
    """Serverless plans on AWS Lambda, through boto3 (any endpoint ``SSKAI_AWS_ENDPOINT_URL`` names)."""

    def image_context(self, endpoint_id: str) -> Path:
        """Where the endpoint's image context is written: beside its other local files."""
        return self.settings.endpoints_dir / endpoint_id / "image"

    def _client(self, service: str) -> Any:
        return boto3.client(service, region_name=self.settings.aws_region, endpoint_url=self.settings.aws_endpoint_url)

    def start(self, launch: EndpointLaunch) -> RunningEndpoint:
        if launch.kind is not ServingKind.SERVERLESS:
            raise EndpointError("the lambda target serves serverless plans only (set SSKAI_SPOT_TARGET elsewhere)")
        if not launch.endpoint_id:
            raise EndpointError("a Lambda endpoint needs its record's id (deploy it with `sskai deploy`)")
        if not self.settings.lambda_role_arn:
            raise EndpointError("set SSKAI_LAMBDA_ROLE_ARN to the execution role Lambda endpoints run as")
        folder = self.image_context(launch.endpoint_id)
        context = write_image_context(launch.bundle_dir, launch.weights, folder, launch.spec)
        limits = load_catalog().aws_lambda
        fit = check_lambda_fit(
            launch.memory_mb, launch.spec, launch.profile, image_bytes(context), limits, launch.latency_slo_ms
        )
        image_uri = published_image(context, self._client("ecr"), self.settings.lambda_repository)
        functions = self._client("lambda")
        name = function_name(launch.endpoint_id)
        functions.create_function(
            FunctionName=name,
            PackageType="Image",
            Code={"ImageUri": image_uri},
            Role=self.settings.lambda_role_arn,
            MemorySize=fit.memory_mb,
            Timeout=min(self.settings.lambda_timeout_seconds, limits.timeout_seconds_max),
            Environment={"Variables": {"SSKAI_API_KEY_SHA256": launch.api_key_sha256}},
            Description=f"sskai endpoint {launch.name}",
            Tags={"sskai:endpoint": launch.name},
        )
        functions.get_waiter("function_active_v2").wait(FunctionName=name)
        version = functions.publish_version(FunctionName=name)["Version"]
        functions.create_alias(FunctionName=name, Name=ALIAS, FunctionVersion=version)
        url = functions.create_function_url_config(FunctionName=name, Qualifier=ALIAS, AuthType="AWS_IAM")
        return RunningEndpoint(url=url["FunctionUrl"].rstrip("/"))

    def stop(self, endpoint: Endpoint) -> None:
        functions = self._client("lambda")
        name = function_name(endpoint.id)
        for call, arguments in (
            (functions.delete_function_url_config, {"FunctionName": name, "Qualifier": ALIAS}),
            (functions.delete_function, {"FunctionName": name}),
        ):
            with contextlib.suppress(functions.exceptions.ResourceNotFoundException):
                call(**arguments)

    def is_alive(self, endpoint: Endpoint) -> bool:
        functions = self._client("lambda")
        try:
            configuration = functions.get_function(FunctionName=function_name(endpoint.id), Qualifier=ALIAS)
        except functions.exceptions.ResourceNotFoundException:
            return False
        return configuration["Configuration"].get("State", "Active") == "Active"

    def swap_weights(self, endpoint: Endpoint, weights: Path) -> None:
        bundle_dir = launch_config(endpoint).bundle_dir
        if not bundle_dir:
            raise EndpointError(f"endpoint {endpoint.name} has no stored bundle to build new weights into")
        context = write_image_context(Path(bundle_dir), weights, self.image_context(endpoint.id), spec=None)
        image_uri = published_image(context, self._client("ecr"), self.settings.lambda_repository)
        functions = self._client("lambda")
        name = function_name(endpoint.id)
        functions.update_function_code(FunctionName=name, ImageUri=image_uri)
        _release(functions, name)

    def change_key(self, endpoint: Endpoint, launch: EndpointLaunch) -> RunningEndpoint:
        """The new hash in the function's environment, as a new version the alias moves to in one call."""
        functions = self._client("lambda")
        name = function_name(endpoint.id)
        environment = functions.get_function_configuration(FunctionName=name).get("Environment", {})
        variables = {**environment.get("Variables", {}), "SSKAI_API_KEY_SHA256": launch.api_key_sha256}
        functions.update_function_configuration(FunctionName=name, Environment={"Variables": variables})
        _release(functions, name)
        return RunningEndpoint(url=endpoint.url or "")

    def request_counters(self, endpoint: Endpoint) -> RequestCounters:
        """Lambda's own CloudWatch counts for the ``live`` alias since the endpoint was deployed.

        Invocations, Errors and Throttles (summed) and Duration (summed: the busy time the ledger
        bills in GB-seconds); CloudWatch takes a minute or two to count, so recent requests come later.
        """
        now = datetime.now(UTC)
        since = endpoint.created_at.replace(tzinfo=UTC) if endpoint.created_at.tzinfo is None else endpoint.created_at
        period = max(60, math.ceil((now - since).total_seconds() / 60) * 60)  # CloudWatch counts in minutes
        watch = self._client("cloudwatch")
        sums = {}
        for metric in ("Invocations", "Errors", "Throttles", "Duration"):
            points = watch.get_metric_statistics(
                Namespace="AWS/Lambda",
                MetricName=metric,
                Dimensions=[
                    {"Name": "FunctionName", "Value": function_name(endpoint.id)},
                    {"Name": "Resource", "Value": f"{function_name(endpoint.id)}:{ALIAS}"},
                ],
                StartTime=since,
                EndTime=since + timedelta(seconds=period),  # one whole period, ending at or after now
                Period=period,
                Statistics=["Sum"],
            )["Datapoints"]
            sums[metric] = sum(point["Sum"] for point in points)
        return RequestCounters(
            requests=int(sums["Invocations"]),
            errors=int(sums["Errors"] + sums["Throttles"]),
            busy_seconds=sums["Duration"] / 1000.0,
            uptime_seconds=(now - since).total_seconds(),
        )
