"""Where to serve and where to train a profiled model: a pure function of (profile, catalog, workload).

Every plan carries the numbers that decided it and the reasons in words, so the CLI, the flows and
the dashboard render the same explanation. Serving goes serverless when the model fits Lambda's
memory and meets the latency target more cheaply than an always-on spot GPU (``serving``); training
takes the sskai election's pick (lowest expected cost to finish, interruptions priced in) among the
spot offers whose accelerator memory holds one training step, or a CPU instance for a tiny model
when that is cheaper (``training``).
"""

from __future__ import annotations

from sskai.catalog.catalog import Catalog
from sskai.plans import Recommendation, Workload
from sskai.profiling.metrics import ProfileMetrics
from sskai.recommend.serving import plan_serving
from sskai.recommend.training import plan_training


def recommend(profile: ProfileMetrics, catalog: Catalog, workload: Workload = Workload()) -> Recommendation:
    return Recommendation(
        serving=plan_serving(profile, catalog, workload),
        training=plan_training(profile, catalog, workload),
        workload=workload,
    )
