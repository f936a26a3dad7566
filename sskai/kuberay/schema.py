"""The KubeRay v1.7.0 CRDs (vendored in ``infra/schema/kuberay-crds-v1.7.0``): what a ray.io object must look like.

Each CRD's ``openAPIV3Schema`` for the served ``v1`` is a JSON Schema (the ``x-kubernetes-*``
extensions are annotations a validator skips), so a manifest is checked as the API server would
check it before KubeRay ever sees it.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from sskai.errors import ConfigError

CRD_FOLDER = Path(__file__).resolve().parents[2] / "infra" / "schema" / "kuberay-crds-v1.7.0"
CRD_FILES = {
    "RayCluster": "ray.io_rayclusters.yaml",
    "RayJob": "ray.io_rayjobs.yaml",
    "RayService": "ray.io_rayservices.yaml",
}
API_VERSION = "ray.io/v1"


@functools.cache
def crd_schema(kind: str) -> dict[str, Any]:
    """The ``openAPIV3Schema`` of ``kind``'s served v1 version."""
    if kind not in CRD_FILES:
        raise ConfigError(f"no KubeRay CRD for kind {kind!r} (known: {', '.join(CRD_FILES)})")
    path = CRD_FOLDER / CRD_FILES[kind]
    if not path.exists():
        raise ConfigError(f"the KubeRay CRDs are not at {CRD_FOLDER} (a source checkout of sskai carries them)")
    crd = yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - safe loader
    version = next(v for v in crd["spec"]["versions"] if v["name"] == "v1" and v.get("served"))
    return version["schema"]["openAPIV3Schema"]


@functools.cache
def _validator(kind: str) -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(crd_schema(kind))


def problems(manifest: dict[str, Any]) -> list[str]:
    """What is wrong with ``manifest`` against its CRD, one line each (none: it is valid)."""
    kind = manifest.get("kind")
    if manifest.get("apiVersion") != API_VERSION or kind not in CRD_FILES:
        return [f"not a KubeRay object: apiVersion {manifest.get('apiVersion')!r}, kind {kind!r}"]
    found = []
    for error in sorted(_validator(kind).iter_errors(manifest), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(part) for part in error.absolute_path) or "(top)"
        found.append(f"{where}: {error.message}")
    return found


def check(manifest: dict[str, Any]) -> None:
    """Raise ConfigError naming every problem of ``manifest`` against its CRD."""
    found = problems(manifest)
    if found:
        name = manifest.get("metadata", {}).get("name")
        raise ConfigError(f"{manifest.get('kind')} {name} does not match the KubeRay v1.7.0 CRD: " + "; ".join(found))
