"""Lambda's two halves on this machine: a container builder that pushes to moto's ECR, and the image's handler run
as a local process (moto creates image functions but cannot invoke them)."""

from __future__ import annotations

import base64
import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np

from sskai.serving.lambda_image import content_tag
from sskai.serving.lambda_target import ALIAS, function_name
from tests.builders import _npy

# A `docker` for a machine without one: `login` and `build` check their arguments, `push` puts the image's
# manifest into ECR as a registry push does (the image's layers are not what these tests are about).
BUILDER = """#!{python}
import json, os, sys
import boto3
command, *rest = sys.argv[1:]
if command == "login":
    assert rest[:2] == ["--username", "AWS"] and sys.stdin.read(), "login wants the ECR token on stdin"
elif command == "build":
    assert os.path.exists(os.path.join(rest[-1], "Dockerfile")), "no Dockerfile in the build context"
elif command == "push":
    uri, tag = rest[0].rsplit(":", 1)
    manifest = {{"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                "config": {{"digest": "sha256:" + "0" * 64, "size": 1,
                           "mediaType": "application/vnd.docker.container.image.v1+json"}}, "layers": []}}
    boto3.client("ecr").put_image(repositoryName=uri.split("/", 1)[1], imageManifest=json.dumps(manifest), imageTag=tag)
else:
    sys.exit(f"unexpected docker command {{command}}")
"""


def install_builder(folder: Path) -> Path:
    """A folder holding the ``docker`` above, to put first on the PATH."""
    folder.mkdir(parents=True, exist_ok=True)
    docker = folder / "docker"
    docker.write_text(BUILDER.format(python=sys.executable))
    docker.chmod(docker.stat().st_mode | stat.S_IXUSR)
    return folder


def invoke_live(functions, endpoint_id: str, context: Path, event: dict) -> dict:
    """What the function's ``live`` alias answers ``event`` with: its image's handler, configured as the alias is.

    Refuses a context that is not the image the alias runs, so the answer is the deployed code's.
    """
    live = functions.get_function(FunctionName=function_name(endpoint_id), Qualifier=ALIAS)
    assert live["Code"]["ImageUri"].endswith(":" + content_tag(context)), "the context is not the live image"
    script = (
        "import json, sys\nfrom sskai.serving.lambda_handler import handler\n"
        "print(json.dumps(handler(json.load(sys.stdin))))"
    )
    # PYTHONPATH puts the image's copy of sskai first, as the image's LAMBDA_TASK_ROOT does.
    environment = {
        **live["Configuration"]["Environment"]["Variables"],
        "SSKAI_BUNDLE_DIR": str(context / "bundle"),
        "PYTHONPATH": str(context),
        "PATH": os.defpath,
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    done = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps(event),
        capture_output=True,
        text=True,
        env=environment,
        cwd=context,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def predict_event(inputs: np.ndarray, key: str) -> dict:
    """A function URL request (payload format 2.0) posting ``inputs`` as .npy."""
    return {
        "rawPath": "/v1/predict",
        "isBase64Encoded": True,
        "body": base64.b64encode(_npy(inputs)).decode(),
        "headers": {"x-api-key": key, "content-type": "application/x-npy", "accept": "application/x-npy"},
    }


def outputs_of(answer: dict) -> np.ndarray:
    assert answer["statusCode"] == 200, answer
    return np.load(io.BytesIO(base64.b64decode(answer["body"])), allow_pickle=False)
