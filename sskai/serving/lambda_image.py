"""The image a Lambda endpoint runs: its build context, tagged by its content, and its place in ECR.

The context is ``infra/lambda/Dockerfile``, sskai's own source and the endpoint's bundle with its
weights; the tag is the context's hash, so a deploy of the same model and weights finds the image it
pushed before, and new weights are a new tag. Where a container builder is on the PATH the image is
built and pushed here; elsewhere the refusal names the context and the command, and the next deploy
finds what was pushed.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from typing import Any

from sskai.bundles.spec import ModelSpec
from sskai.errors import EndpointError
from sskai.units import GB

SPEC_FILE = "sskai_spec.json"
SOURCE_ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = SOURCE_ROOT / "infra" / "lambda" / "Dockerfile"
# What the Dockerfile installs besides the context (it pins them from constraints.txt).
INSTALLED = ("torch", "numpy", "orjson", "pydantic", "pydantic-settings", "packaging", "safetensors")
BASE_IMAGE_BYTES = int(0.6 * GB)  # public.ecr.aws/lambda/python:3.11, uncompressed, with headroom


@dataclass(frozen=True)
class ImageContext:
    folder: Path
    tag: str  # the first 20 hex digits of the content's sha256

    @property
    def bytes_added(self) -> int:
        return sum(path.stat().st_size for path in self.folder.rglob("*") if path.is_file())


def write_image_context(bundle_dir: Path, weights: Path | None, folder: Path, spec: ModelSpec | None) -> ImageContext:
    """The build context for one endpoint image, under ``folder`` (replaced if it exists).

    ``spec`` None keeps the spec of the context already there (new weights for the same model).
    """
    if not DOCKERFILE.exists():
        raise EndpointError(f"the Lambda image needs sskai's source checkout: {DOCKERFILE} is missing")
    spec_file = folder / "bundle" / SPEC_FILE
    if spec is None:
        if not spec_file.exists():
            raise EndpointError(f"no image context at {folder} to take the model's spec from: deploy it again")
        spec = ModelSpec.model_validate_json(spec_file.read_text())
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shutil.copy2(DOCKERFILE, folder / "Dockerfile")
    shutil.copy2(SOURCE_ROOT / "constraints.txt", folder / "constraints.txt")
    shutil.copytree(SOURCE_ROOT / "sskai", folder / "sskai", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copytree(bundle_dir, folder / "bundle", ignore=shutil.ignore_patterns("trained.safetensors"))
    if weights is not None:
        shutil.copy2(weights, folder / "bundle" / "trained.safetensors")
    spec_file.write_text(spec.model_dump_json())  # what the handler reads at cold start
    return ImageContext(folder, content_tag(folder))


def content_tag(folder: Path) -> str:
    """The image tag of a build context: its files' names and bytes, hashed (bytecode left out)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(folder)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:20]


def installed_bytes(names: tuple[str, ...] = INSTALLED) -> int:
    """What the packages the image installs take here, as installed files (torch's CPU build dominates)."""
    total = 0
    for name in names:
        try:
            files = distribution(name).files or []
        except PackageNotFoundError:
            continue
        for file in files:
            path = Path(str(file.locate()))
            if path.is_file():
                total += path.stat().st_size
    return total


def image_bytes(context: ImageContext) -> int:
    """The image's expected size: the base image, the packages it installs, and the context."""
    return BASE_IMAGE_BYTES + installed_bytes() + context.bytes_added


def published_image(context: ImageContext, ecr: Any, repository: str) -> str:
    """The image URI for ``context`` in ECR, building and pushing it where a builder is here.

    Raises EndpointError naming the context and the commands where the image is not in ECR and
    nothing here can build it.
    """
    try:
        uri = ecr.create_repository(repositoryName=repository)["repository"]["repositoryUri"]
    except ecr.exceptions.RepositoryAlreadyExistsException:
        uri = ecr.describe_repositories(repositoryNames=[repository])["repositories"][0]["repositoryUri"]
    image_uri = f"{uri}:{context.tag}"
    if _pushed(ecr, repository, context.tag):
        return image_uri
    builder = shutil.which("docker")
    if builder is None:
        raise EndpointError(
            f"image {image_uri} is not in ECR and no container builder is on this machine's PATH: run "
            f"`docker build -t {image_uri} {context.folder} && docker push {image_uri}` where Docker is, "
            "then deploy again (the tag is the content's hash, so the deploy will find it)"
        )
    token = ecr.get_authorization_token()["authorizationData"][0]
    user, password = base64.b64decode(token["authorizationToken"]).decode().split(":", 1)
    registry = token["proxyEndpoint"]
    for command, stdin in (
        ([builder, "login", "--username", user, "--password-stdin", registry], password),
        ([builder, "build", "--platform", "linux/amd64", "-t", image_uri, str(context.folder)], None),
        ([builder, "push", image_uri], None),
    ):
        done = subprocess.run(command, input=stdin, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise EndpointError(f"`{' '.join(command[:2])}` failed for {image_uri}: {done.stderr.strip()[-800:]}")
    return image_uri


def _pushed(ecr: Any, repository: str, tag: str) -> bool:
    try:
        ecr.describe_images(repositoryName=repository, imageIds=[{"imageTag": tag}])
    except ecr.exceptions.ImageNotFoundException:
        return False
    return True
