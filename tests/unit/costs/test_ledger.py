"""The ledger says what was saved, or plainly how much dearer and why; one set of sections feeds every front end."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sskai.costs.ledger import cost_frame, cumulative_costs, describe_saving, ledger_rows
from sskai.kinds import LedgerGrouping, ResourceKind, ServingKind
from sskai.store.metadata import Dataset, Endpoint, Model, Training, utcnow
from tests.builders import g4dn_cost


@pytest.mark.parametrize(
    ("paid", "instead", "fee", "said"),
    [
        (0.2, 1.0, 0.0, "80.0% saved vs on-demand g4dn.xlarge"),
        (3.1, 1.0, 2.0, "3.1× what on-demand g4dn.xlarge would cost: Lambda's per-request fee dominates at this load"),
        (3.1, 1.0, 0.1, "3.1× what on-demand g4dn.xlarge would cost"),
        (
            10.127,
            1.0,
            9.0,
            "10× what on-demand g4dn.xlarge would cost: Lambda's per-request fee dominates at this load",
        ),
        (0.0, 0.0, 0.0, "nothing to compare"),
    ],
)
def test_a_saving_is_said_plainly(paid: float, instead: float, fee: float, said: str) -> None:
    assert describe_saving(paid, instead, "on-demand g4dn.xlarge", fee) == said


def test_costs_roll_up_per_resource(stores) -> None:
    now = utcnow()
    for resource_id, seconds in (("aaaaaaaa-1", 600), ("aaaaaaaa-1", 300), ("bbbbbbbb-2", 60)):
        g4dn_cost(stores, resource_id, seconds, now)
    rows = {row.group: row for row in ledger_rows(cost_frame(stores), LedgerGrouping.RESOURCE)}
    assert set(rows) == {"training aaaaaaaa", "training bbbbbbbb"}
    assert rows["training aaaaaaaa"].paid_usd == pytest.approx(15 * rows["training bbbbbbbb"].paid_usd)


def test_ledger_rows_name_what_was_metered(stores) -> None:
    """A person reads "endpoint mlp", not "endpoint 3f2a9c1e"."""
    owner, now = stores.settings.owner, utcnow()
    bundle = {"owner": owner, "version": 1, "content_sha256": "0" * 64, "artifact_key": "k", "size_bytes": 1}
    model = stores.metadata.add(Model(name="mlp", **bundle))
    dataset = stores.metadata.add(Dataset(name="toy", **bundle))
    training = stores.metadata.add(Training(owner=owner, model_id=model.id, dataset_id=dataset.id))
    served = {"kind": ServingKind.SPOT, "runtime": "local", "api_key_sha256": "0"}
    endpoint = stores.metadata.add(Endpoint(owner=owner, name="mlp-live", model_id=model.id, **served))
    g4dn_cost(stores, training.id, 60, now)
    g4dn_cost(stores, endpoint.id, 60, now, ResourceKind.ENDPOINT)
    g4dn_cost(stores, "cccccccc-gone", 60, now, ResourceKind.ENDPOINT)  # no record left: its short id
    groups = {row.group for row in ledger_rows(cost_frame(stores), LedgerGrouping.RESOURCE)}
    assert groups == {f"training of mlp {training.id[:8]}", "endpoint mlp-live", "endpoint cccccccc"}


def test_the_cumulative_chart_reads_for_one_run_and_for_a_month(stores) -> None:
    """Within a day every record is a step (time of day on the axis); over a month, one step a day."""
    now = utcnow()

    def cost(at) -> None:
        g4dn_cost(stores, "e1", 60, at, ResourceKind.ENDPOINT)

    for minute in range(3):
        cost(now + timedelta(minutes=minute))
    one_run, time_format = cumulative_costs(cost_frame(stores))
    assert time_format == "%H:%M:%S" and len(one_run) == 3 * 3  # three records, three series
    paid = one_run[one_run["series"] == "paid"]["usd"].tolist()
    assert paid == sorted(paid) and paid[-1] == pytest.approx(3 * paid[0])

    for day in range(1, 30):
        cost(now - timedelta(days=day))
    month, time_format = cumulative_costs(cost_frame(stores))
    assert time_format == "%b %d" and len(month[month["series"] == "paid"]) in (30, 31)
    total = cost_frame(stores)["paid_usd"].sum()
    assert month[month["series"] == "paid"]["usd"].max() == pytest.approx(total)
    assert month[month["series"] == "SageMaker"]["usd"].max() > total  # the managed line stands above
