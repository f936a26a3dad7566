"""Real spot traces: typed readers for the formats research groups publish, and the shipped ones."""

from sskai.traces.readers import (
    SHIPPED,
    AvailabilityTrace,
    ClusterEvent,
    ClusterEventTrace,
    read_availability_folder,
    read_cluster_events,
    read_count_json,
    read_gcloud_counts,
)

__all__ = [
    "SHIPPED",
    "AvailabilityTrace",
    "ClusterEvent",
    "ClusterEventTrace",
    "read_availability_folder",
    "read_cluster_events",
    "read_count_json",
    "read_gcloud_counts",
]
