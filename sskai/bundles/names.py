"""The naming rule for datasets, models and endpoints (kept from SSKAI: 1-20 of [A-Za-z0-9_-])."""

import re

from sskai.errors import InvalidName

NAME_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,20}")


def check_name(name: str, what: str = "name") -> str:
    """Return ``name`` unchanged if it follows the rule, else raise :class:`InvalidName`."""
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        raise InvalidName(f"{what} {name!r} is not allowed: use 1-20 characters of letters, digits, '_' or '-'")
    return name
