"""Write the KubeRay manifests of a reference training into ``infra/kuberay/``: what a cluster admin reviews.

The reference is the one the NodePools are elected for (``sskai.clusters.nodepools.REFERENCE_JOB``,
two GPU workers, us-east-1), so the RayCluster's worker groups name the very instance types the
NodePools hold; the RayJob runs a stored training's driver; the spot agent DaemonSet drains a
node's Ray pods on EC2's notice. A training's own manifests are rendered the same way from its
plan when it runs on the ``kuberay`` cluster.

``sskai kuberay-manifests [--out infra/kuberay]`` (in the interface layer: the reference plan needs the
recommendation, which sits above the training and its clusters).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from sskai.catalog.catalog import Catalog
from sskai.clusters.nodepools import REFERENCE_JOB
from sskai.election import elect
from sskai.kuberay.manifests import render_raycluster, render_raycluster_spec, render_rayjob, render_spot_agent
from sskai.recommend.training import pool_candidates
from sskai.spot.decisions import Where

REFERENCE_REGION = "us-east-1"
REFERENCE_TRAINING = "reference"
NAMESPACE = "sskai"
ARTIFACTS = "s3://sskai-artifacts/sskai"
WORKERS = 2
HEADER = "# Written by `sskai kuberay-manifests` from the snapshot catalog's election. Do not edit.\n"


def reference_manifests(catalog: Catalog) -> dict[str, list[dict[str, Any]]]:
    """File name -> the manifests in it."""
    job = replace(REFERENCE_JOB, regions=(REFERENCE_REGION,))
    candidates = pool_candidates(elect("sskai", job, catalog), job, catalog)
    spec = render_raycluster_spec(candidates, WORKERS, Where(pool=0), ARTIFACTS)
    name = f"training-{REFERENCE_TRAINING}"
    return {
        "raycluster.yaml": [render_raycluster(name, NAMESPACE, spec, REFERENCE_TRAINING)],
        "rayjob.yaml": [render_rayjob(name, NAMESPACE, spec, REFERENCE_TRAINING)],
        "spot-agent.yaml": render_spot_agent(NAMESPACE, f"{name}-head-svc.{NAMESPACE}.svc:6379"),
    }


def write(folder: Path, catalog: Catalog) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for file, manifests in reference_manifests(catalog).items():
        path = folder / file
        path.write_text(HEADER + yaml.safe_dump_all(manifests, sort_keys=False))
        written.append(path)
    return written
