"""Serve every sskai deployment from this process: the embedded default's scheduler and runner.

Run ``python -m deployments.serve`` and trigger runs from the Prefect UI, the CLI or the schedules.
"""

from prefect import serve

from deployments.catalog import all_deployments

if __name__ == "__main__":
    serve(*all_deployments())
