"""Prefect blocks sskai reads its configuration from when they are registered."""
