"""The node agent for AWS spot nodes: turn EC2's two-minute interruption notice into a Ray drain.

Runs beside each Ray worker node (a sidecar in the KubeRay worker pod). Every 5 seconds, as AWS
advises, it asks the instance metadata service (IMDSv2: a session token first) for
``spot/instance-action``; a 404 means no notice. When a notice arrives it drains the node with
reason PREEMPTION and the notice's deadline, once, so Ray Train's ``get_preemption_info()`` reports
it to the training loop, which checkpoints at once.

``python -m sskai.spot.agent --gcs-address HOST:PORT --node-id HEX``, or on Kubernetes (the
DaemonSet of ``sskai.kuberay.manifests.render_spot_agent``) ``--k8s-node NAME --namespace NS``: the
Ray nodes to drain are those of the Ray pods on that Kubernetes node, found by their pod IPs.
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

IMDS_URL = "http://169.254.169.254"
TOKEN_PATH = "/latest/api/token"  # noqa: S105 - the IMDSv2 token endpoint, not a secret
INSTANCE_ACTION_PATH = "/latest/meta-data/spot/instance-action"
# AWS: "we recommend that you check for these warnings every 5 seconds".
POLL_SECONDS = 5.0
TOKEN_TTL_SECONDS = 21600


@dataclass(frozen=True)
class InterruptionNotice:
    action: str  # terminate, stop or hibernate
    deadline: datetime

    def seconds_left(self, now: datetime | None = None) -> float:
        return (self.deadline - (now or datetime.now(UTC))).total_seconds()


class SpotNoticeAgent:
    """Polls for a spot interruption notice and hands the first one to ``on_notice``."""

    def __init__(
        self,
        on_notice: Callable[[InterruptionNotice], None],
        metadata_url: str = IMDS_URL,
        poll_seconds: float = POLL_SECONDS,
        timeout_seconds: float = 2.0,
    ) -> None:
        self.on_notice = on_notice
        self.poll_seconds = poll_seconds
        self._client = httpx.Client(base_url=metadata_url, timeout=timeout_seconds)
        self._token: str | None = None

    def _session_token(self) -> str:
        if self._token is None:
            response = self._client.put(
                TOKEN_PATH, headers={"X-aws-ec2-metadata-token-ttl-seconds": str(TOKEN_TTL_SECONDS)}
            )
            response.raise_for_status()
            self._token = response.text
        return self._token

    def check_once(self) -> InterruptionNotice | None:
        """The current notice, or None (404). An expired token is renewed once."""
        for _ in range(2):
            response = self._client.get(
                INSTANCE_ACTION_PATH, headers={"X-aws-ec2-metadata-token": self._session_token()}
            )
            if response.status_code == 401:
                self._token = None
                continue
            if response.status_code == 404:
                return None
            response.raise_for_status()
            body = response.json()
            deadline = datetime.fromisoformat(body["time"].replace("Z", "+00:00"))
            return InterruptionNotice(action=body["action"], deadline=deadline)
        raise httpx.HTTPStatusError("the metadata service refused two fresh tokens", request=None, response=response)

    def run(self, stop: threading.Event) -> InterruptionNotice | None:
        """Poll until a notice arrives (then act on it and return it) or ``stop`` is set."""
        while not stop.is_set():
            try:
                notice = self.check_once()
            except httpx.HTTPError:
                notice = None  # a metadata hiccup is not a notice; ask again next round
            if notice is not None:
                self.on_notice(notice)
                return notice
            stop.wait(self.poll_seconds)
        return None

    def close(self) -> None:
        self._client.close()


def ray_node_drainer(gcs_address: str, node_id: str) -> Callable[[InterruptionNotice], None]:
    """Drain ``node_id`` through the GCS with reason PREEMPTION and the notice's deadline (Ray's drain API)."""

    def drain(notice: InterruptionNotice) -> None:
        import ray._raylet
        from ray.core.generated import autoscaler_pb2

        accepted, why = ray._raylet.GcsClient(address=gcs_address).drain_node(
            node_id,
            autoscaler_pb2.DrainNodeReason.Value("DRAIN_NODE_REASON_PREEMPTION"),
            f"EC2 spot interruption notice: {notice.action} at {notice.deadline.isoformat()}",
            int(notice.deadline.timestamp() * 1000),
        )
        if not accepted:
            raise RuntimeError(f"the GCS refused to drain node {node_id}: {why}")

    return drain


def ray_pod_ips(core: Any, namespace: str, k8s_node: str) -> set[str]:
    """The IPs of the running Ray pods (KubeRay labels them ``ray.io/node-type``) on Kubernetes node ``k8s_node``."""
    pods = core.list_namespaced_pod(
        namespace, field_selector=f"spec.nodeName={k8s_node}", label_selector="ray.io/node-type=worker"
    )
    return {pod.status.pod_ip for pod in pods.items if pod.status and pod.status.pod_ip}


def ray_nodes_at(gcs_address: str, addresses: set[str]) -> list[str]:
    """The alive Ray nodes (hex ids) whose raylet listens on one of ``addresses``."""
    import ray._raylet

    nodes = ray._raylet.GcsClient(address=gcs_address).get_all_node_info()
    return [
        node_id.hex()
        for node_id, info in nodes.items()
        if info.node_manager_address in addresses and info.state == info.ALIVE
    ]


def k8s_node_drainer(gcs_address: str, namespace: str, k8s_node: str) -> Callable[[InterruptionNotice], None]:
    """Drain every Ray node running on ``k8s_node``, found when the notice comes (pods move between notices)."""

    def drain(notice: InterruptionNotice) -> None:
        from kubernetes import client, config

        config.load_incluster_config()
        addresses = ray_pod_ips(client.CoreV1Api(), namespace, k8s_node)
        for node_id in ray_nodes_at(gcs_address, addresses):
            ray_node_drainer(gcs_address, node_id)(notice)

    return drain


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gcs-address", required=True)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--node-id", help="this node's Ray node id (hex)")
    where.add_argument("--k8s-node", help="this Kubernetes node's name: drain the Ray pods on it")
    parser.add_argument("--namespace", default="sskai", help="with --k8s-node: the Ray pods' namespace")
    parser.add_argument("--metadata-url", default=IMDS_URL)
    args = parser.parse_args(argv)
    if args.node_id:
        drainer = ray_node_drainer(args.gcs_address, args.node_id)
    else:
        drainer = k8s_node_drainer(args.gcs_address, args.namespace, args.k8s_node)
    agent = SpotNoticeAgent(drainer, metadata_url=args.metadata_url)
    notice = agent.run(threading.Event())
    print(f"drained {args.node_id or 'the Ray nodes on ' + args.k8s_node}: {notice}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
