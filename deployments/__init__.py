"""What sskai registers with Prefect: one deployment per flow, with the schedules the product needs."""
