"""What the dashboard asks of Prefect: the recent flow runs with their state, and starting a deployment.

Every action the dashboard offers is a ``run_deployment`` on the Prefect server: the run happens on a
worker, so the dashboard process never imports or runs user code.
"""

from __future__ import annotations

from typing import Any

import pandas as pd


class PrefectUnavailable(RuntimeError):
    """The Prefect server (or the deployment) cannot be reached; the message says what to do."""


def recent_flow_runs(limit: int = 15) -> pd.DataFrame:
    """The newest flow runs: flow, run name, state, when, how long, and any message."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.sorting import FlowRunSort

    try:
        with get_client(sync_client=True) as client:
            runs = client.read_flow_runs(sort=FlowRunSort.START_TIME_DESC, limit=limit)
            flows = {flow.id: flow.name for flow in client.read_flows(limit=200)}
    except Exception as exc:  # any failure to reach the server is shown, never raised into the page
        raise PrefectUnavailable(
            f"the Prefect server is not reachable ({type(exc).__name__}); start it with `sskai up`"
        ) from exc
    return pd.DataFrame(
        [
            {
                "flow": flows.get(run.flow_id, "?"),
                "run": run.name,
                "state": run.state.name if run.state else "?",
                "started": run.start_time,
                "seconds": round(run.total_run_time.total_seconds(), 1),
                "message": (run.state.message or "") if run.state else "",
            }
            for run in runs
        ]
    )


def start_deployment(name: str, parameters: dict[str, Any]) -> str:
    """Start deployment ``name`` ("flow/deployment") with ``parameters``; returns the new run's name."""
    from prefect.deployments import run_deployment

    try:
        run = run_deployment(name, parameters=parameters, timeout=0)
    except Exception as exc:
        raise PrefectUnavailable(
            f"could not start {name} ({type(exc).__name__}: {exc}); is the platform up (`sskai up`)?"
        ) from exc
    return run.name


def run_to_the_end(name: str, parameters: dict[str, Any], timeout_seconds: float = 120.0) -> tuple[bool, str]:
    """Run deployment ``name`` and wait for its end: (completed, the state's message)."""
    from prefect.deployments import run_deployment

    try:
        run = run_deployment(name, parameters=parameters, timeout=timeout_seconds)
    except Exception as exc:
        raise PrefectUnavailable(
            f"could not run {name} ({type(exc).__name__}: {exc}); is the platform up (`sskai up`)?"
        ) from exc
    if run.state is None or not run.state.is_final():
        return False, f"{name} is still running after {timeout_seconds:.0f} s (flow run {run.name})"
    return run.state.is_completed(), run.state.message or run.state.name
