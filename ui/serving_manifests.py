"""Write the manifests of a reference replicated endpoint into ``infra/serving/``: what a cluster admin reviews.

The reference serves the ``mlp`` example on the pools the NodePools are elected for (the reference
job's candidates, us-east-1): four spot replicas spread over them by price x survival, one on demand
as the floor, a Service in front. ``sskai serving-manifests [--out infra/serving]``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from sskai.bundles.spec import ModelSpec
from sskai.catalog.catalog import Catalog
from sskai.clusters.nodepools import REFERENCE_JOB
from sskai.election import elect
from sskai.recommend.training import pool_candidates
from sskai.serving.manifests import render_endpoint
from sskai.serving.process import EndpointLimits
from sskai.settings import SandboxLimits

REFERENCE_REGION = "us-east-1"
IMAGE = "sskai/endpoint:reference"  # infra/serving/Dockerfile with the reference bundle
SPOT_REPLICAS, FLOOR = 4, 1
HEADER = "# Written by `sskai serving-manifests` from the snapshot catalog's election. Do not edit.\n"


def reference_manifests(catalog: Catalog) -> list[dict[str, Any]]:
    job = replace(REFERENCE_JOB, regions=(REFERENCE_REGION,))
    candidates = pool_candidates(elect("sskai", job, catalog), job, catalog)
    limits = EndpointLimits(workers=1, timeout_seconds=30.0, sandbox=SandboxLimits())  # the settings' defaults
    spec = ModelSpec(input_shape=(8,)).model_dump_json()  # the mlp example's input
    return render_endpoint("reference", IMAGE, spec, limits, candidates, SPOT_REPLICAS, FLOOR)


def write(folder: Path, catalog: Catalog) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "endpoint.yaml"
    path.write_text(HEADER + yaml.safe_dump_all(reference_manifests(catalog), sort_keys=False))
    return path
