"""Endpoints are real HTTP servers in their own process: JSON, .npy and safetensors, API keys, clear errors."""

from __future__ import annotations

import base64
import io
import json

import numpy as np

from tests.builders import _npy


def test_the_lambda_handler_serves_the_same_contract(tmp_path, example_zips, monkeypatch) -> None:
    from sskai.bundles.validation import validate_model_bundle
    from sskai.bundles.zipsafe import safe_extract
    from sskai.serving import lambda_handler
    from sskai.serving.auth import hash_key

    bundle = safe_extract(example_zips["mlp"][0], tmp_path / "bundle").root
    (bundle / "sskai_spec.json").write_text(validate_model_bundle(bundle).model_dump_json())
    monkeypatch.setenv("SSKAI_BUNDLE_DIR", str(bundle))
    monkeypatch.setenv("SSKAI_API_KEY_SHA256", hash_key("k"))
    monkeypatch.setattr(lambda_handler, "_predictor", None)
    monkeypatch.setattr(lambda_handler, "_settings", None)
    x = np.zeros((2, 8), np.float32)
    ok = lambda_handler.handler(
        {
            "headers": {"x-api-key": "k", "accept": "application/x-npy", "content-type": "application/x-npy"},
            "body": base64.b64encode(_npy(x)).decode(),
            "isBase64Encoded": True,
        }
    )
    assert ok["statusCode"] == 200
    assert np.load(io.BytesIO(base64.b64decode(ok["body"])), allow_pickle=False).shape == (2, 1)
    denied = lambda_handler.handler({"headers": {"x-api-key": "nope"}, "body": "{}"})
    assert denied["statusCode"] == 401
    bad = lambda_handler.handler({"headers": {"x-api-key": "k"}, "body": json.dumps({"inputs": [[1.0]]})})
    assert bad["statusCode"] == 422 and "expected [batch, 8]" in json.loads(bad["body"])["error"]


def test_the_lambda_handler_routes_as_the_local_endpoint_does(monkeypatch) -> None:
    from sskai.serving import lambda_handler

    monkeypatch.setattr(lambda_handler, "_settings", None)
    health = lambda_handler.handler({"rawPath": "/health"})
    assert health["statusCode"] == 200 and json.loads(health["body"]) == {"status": "ok"}
    missing = lambda_handler.handler({"rawPath": "/admin"})
    assert missing["statusCode"] == 404 and "no route /admin" in json.loads(missing["body"])["error"]
