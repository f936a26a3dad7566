"""Delete a stored model or dataset version, unless something still uses it.

Deleting removes the version's bytes and marks its record deleted (status ``stopped``), so the
trainings, endpoints and costs that once used it keep their history. A version is in use while a
training on it is pending or running, or an endpoint serves it (a model), or serves weights trained
on it (a dataset). The refusal names each user, so the person knows what to stop first.
"""

from __future__ import annotations

from sskai.errors import InUse
from sskai.kinds import ResourceKind, Status
from sskai.store.metadata import BundleRecord, Dataset, Endpoint, Model, Training
from sskai.store.stores import Stores

TRAINING_ACTIVE = (Status.PENDING, Status.RUNNING)
DELETED = "deleted by its owner"


def users_of(stores: Stores, record: BundleRecord) -> list[str]:
    """What uses ``record`` now, one phrase each (empty: free to delete)."""
    trainings = stores.metadata.list(Training, owner=record.owner)
    endpoints = [
        e for e in stores.metadata.list(Endpoint, owner=record.owner) if not Status(e.status).is_terminal
    ]  # being deployed or serving
    column = "model_id" if isinstance(record, Model) else "dataset_id"
    users = [
        f"training {t.id[:8]} ({t.status})"
        for t in trainings
        if getattr(t, column) == record.id and t.status in TRAINING_ACTIVE
    ]
    if isinstance(record, Model):
        users += [f"endpoint {e.name} ({e.status})" for e in endpoints if e.model_id == record.id]
    else:
        trained_on = {t.id for t in trainings if t.dataset_id == record.id}
        users += [f"endpoint {e.name} (serves weights trained on it)" for e in endpoints if e.training_id in trained_on]
    return users


def delete_version(stores: Stores, kind: type[BundleRecord], name: str, version: int) -> BundleRecord:
    """Delete ``name`` at ``version`` (given explicitly: deleting is never a guess); InUse if anything uses it."""
    owner = stores.settings.owner
    record = stores.metadata.find_version(kind, owner, name, version)
    what = f"{kind.__tablename__[:-1]} {name} v{version}"
    users = users_of(stores, record)
    if users:
        raise InUse(f"{what} is in use by {', '.join(users)}; stop or finish those first")
    deleted = stores.metadata.update(kind, record.id, status=Status.STOPPED, status_reason=DELETED)
    if stores.metadata.current_version(kind, owner, name) == version:
        stores.metadata.use_version(kind, owner, name, None)  # the name resolves to its newest left
    shared = [
        other
        for table in (Model, Dataset)
        for other in stores.metadata.list(table, artifact_key=record.artifact_key, status=Status.READY)
    ]
    if not shared:  # content-addressed: another version may hold the same bytes
        stores.artifacts.delete_prefix(record.artifact_key)
    resource = ResourceKind.MODEL if kind is Model else ResourceKind.DATASET
    stores.metadata.log(owner, resource, record.id, f"{what} deleted")
    return deleted
