"""The one API-key check, for the HTTP app and the Lambda handler alike.

A key is presented as ``Authorization: Bearer KEY`` or ``X-API-Key: KEY`` and compared by its SHA-256
in constant time: an endpoint holds only the hash, never the key.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping


def hash_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


def presented_key(headers: Mapping[str, str]) -> str:
    """The key a request carries (``headers`` with lower-case names, or a case-insensitive mapping)."""
    header = headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return headers.get("x-api-key", "")


def authorized(headers: Mapping[str, str], api_key_sha256: str) -> bool:
    return hmac.compare_digest(hash_key(presented_key(headers)), api_key_sha256)
