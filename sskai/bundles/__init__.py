"""Bundles: the model and dataset zips users bring, from the unsafe archive to a stored, versioned record.

``spec`` the contract as types; ``validation`` checks a bundle without running it; ``loading`` runs
it (sandboxed processes only); ``zipsafe`` and ``npyfile`` read what strangers wrote; ``upload``,
``deletion`` and ``files`` move bundles into, out of and back from the stores.
"""
