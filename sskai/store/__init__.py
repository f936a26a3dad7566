"""Persistent state: the metadata store (records) and the artifact store (bytes)."""
