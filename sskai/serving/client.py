"""Call an endpoint: send an array, get an array back (.npy on the wire, JSON errors)."""

from __future__ import annotations

import io
import re

import httpx
import numpy as np

from sskai.errors import EndpointError
from sskai.serving.codec import NPY

LAMBDA_URL = re.compile(r"^https://[a-z0-9]+\.lambda-url\.([a-z0-9-]+)\.on\.aws/?$")


def lambda_url_region(url: str) -> str | None:
    """The region of a Lambda function URL (``https://ID.lambda-url.REGION.on.aws``); None for others."""
    match = LAMBDA_URL.match(url.rstrip("/"))
    return match.group(1) if match else None


def signed_headers(url: str, body: bytes, headers: dict[str, str], region: str) -> dict[str, str]:
    """``headers`` with a SigV4 signature for Lambda, from the caller's own AWS credentials."""
    import boto3
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest

    credentials = boto3.Session().get_credentials()
    if credentials is None:
        raise EndpointError(f"endpoint {url} is a Lambda function URL with IAM auth: it needs AWS credentials")
    request = AWSRequest(method="POST", url=url, data=body, headers=headers)
    SigV4Auth(credentials, "lambda", region).add_auth(request)
    return dict(request.headers.items())


def predict(url: str, api_key: str, inputs: np.ndarray, timeout_seconds: float = 30.0) -> np.ndarray:
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(inputs), allow_pickle=False)
    body = buffer.getvalue()
    headers = {"content-type": NPY, "accept": NPY}
    region = lambda_url_region(url)
    if region is None:
        headers["authorization"] = f"Bearer {api_key}"
    else:  # the function URL's AWS_IAM auth takes the Authorization header; the endpoint's key goes beside it
        headers = signed_headers(f"{url}/v1/predict", body, {**headers, "x-api-key": api_key}, region)
    try:
        response = httpx.post(f"{url}/v1/predict", content=body, timeout=timeout_seconds, headers=headers)
    except httpx.HTTPError as exc:
        raise EndpointError(f"endpoint {url} is not answering: {type(exc).__name__}: {exc}") from exc
    if response.status_code != 200:
        try:
            reason = response.json().get("error", response.text)
        except ValueError:
            reason = response.text
        raise EndpointError(f"endpoint {url} answered {response.status_code}: {reason}")
    return np.load(io.BytesIO(response.content), allow_pickle=False)
