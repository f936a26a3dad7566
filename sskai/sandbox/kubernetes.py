"""The sandbox's rules as Kubernetes sees them: a pod's security context and service account.

Where user code runs in a pod (a training worker, an endpoint's inference worker), the same rules
hold as on this machine: not root and no capabilities, no privilege escalation, a read-only root
file system with one scratch volume of its own, the bundle mounted read-only, no service account
token (so no Kubernetes API), an allow-listed environment, and the memory and process caps as limits.
"""

from __future__ import annotations

from typing import Any

from sskai.sandbox.policy import SandboxPolicy
from sskai.units import MiB

SERVICE_ACCOUNT = "sskai-user-code"
NOBODY = 65534


def user_code_service_account(namespace: str) -> dict[str, Any]:
    """A service account bound to no role, whose token is never mounted: user code gets no API access."""
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {"name": SERVICE_ACCOUNT, "namespace": namespace, "labels": {"app.kubernetes.io/part-of": "sskai"}},
        "automountServiceAccountToken": False,
    }


def user_code_pod(
    name: str,
    namespace: str,
    image: str,
    command: list[str],
    policy: SandboxPolicy,
    bundle_claim: str,
    environment: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A pod running ``command`` under ``policy``: the bundle read-only at /bundle, scratch at /scratch."""
    limits: dict[str, str] = {}
    if policy.memory_bytes:
        limits["memory"] = f"{policy.memory_bytes // MiB}Mi"
    scratch_volume: dict[str, Any] = {"name": "scratch", "emptyDir": {}}
    if policy.max_file_bytes:
        scratch_volume["emptyDir"]["sizeLimit"] = f"{policy.max_file_bytes // MiB}Mi"
    env = {"HOME": "/scratch", "TMPDIR": "/scratch/tmp", "PYTHONNOUSERSITE": "1", **(environment or {})}
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": {"app.kubernetes.io/part-of": "sskai"}},
        "spec": {
            "serviceAccountName": SERVICE_ACCOUNT,
            "automountServiceAccountToken": False,
            "enableServiceLinks": False,  # no other services' addresses in the environment
            "restartPolicy": "Never",
            "securityContext": {
                "runAsNonRoot": True,
                "runAsUser": NOBODY,
                "runAsGroup": NOBODY,
                "fsGroup": NOBODY,
                "seccompProfile": {"type": "RuntimeDefault"},
            },
            "containers": [
                {
                    "name": "user-code",
                    "image": image,
                    "command": command,
                    "workingDir": "/scratch",
                    "env": [{"name": key, "value": value} for key, value in sorted(env.items())],
                    "resources": {"limits": limits, "requests": dict(limits)},
                    "securityContext": {
                        "allowPrivilegeEscalation": False,
                        "privileged": False,
                        "readOnlyRootFilesystem": True,
                        "capabilities": {"drop": ["ALL"]},
                    },
                    "volumeMounts": [
                        {"name": "bundle", "mountPath": "/bundle", "readOnly": True},
                        {"name": "scratch", "mountPath": "/scratch"},
                    ],
                }
            ],
            "volumes": [
                {"name": "bundle", "persistentVolumeClaim": {"claimName": bundle_claim, "readOnly": True}},
                scratch_volume,
            ],
        },
    }
