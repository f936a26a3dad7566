"""Call an endpoint: send an array, get an array back (.npy on the wire, JSON errors)."""

from __future__ import annotations

import io

import httpx
import numpy as np

from sskai.errors import EndpointError
from sskai.serving.codec import NPY


def predict(url: str, api_key: str, inputs: np.ndarray, timeout_seconds: float = 30.0) -> np.ndarray:
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(inputs), allow_pickle=False)
    try:
        response = httpx.post(
            f"{url}/v1/predict",
            content=buffer.getvalue(),
            timeout=timeout_seconds,
            headers={"content-type": NPY, "accept": NPY, "authorization": f"Bearer {api_key}"},
        )
    except httpx.HTTPError as exc:
        raise EndpointError(f"endpoint {url} is not answering: {type(exc).__name__}: {exc}") from exc
    if response.status_code != 200:
        try:
            reason = response.json().get("error", response.text)
        except ValueError:
            reason = response.text
        raise EndpointError(f"endpoint {url} answered {response.status_code}: {reason}")
    return np.load(io.BytesIO(response.content), allow_pickle=False)
