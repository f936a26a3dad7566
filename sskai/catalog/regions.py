"""Cloud geography: which region a zone is in. The one home of that rule, for AWS and GCP names.

AWS: ``us-east-1a`` (a region and one letter); GCP: ``us-east1-b`` (a region, a dash, one letter).
A name that is neither a zone nor a region of either cloud is said to be so, never guessed at.
"""

from __future__ import annotations

import re

AWS_ZONE = re.compile(r"^(?P<region>[a-z]{2}(?:-gov)?-[a-z]+-\d+)[a-z]$")
AWS_REGION = re.compile(r"^[a-z]{2}(?:-gov)?-[a-z]+-\d+$")
GCP_ZONE = re.compile(r"^(?P<region>[a-z]+-[a-z]+\d+)-[a-z]$")
GCP_REGION = re.compile(r"^[a-z]+-[a-z]+\d+$")


def region_of(zone: str) -> str:
    """``us-east-1a`` -> ``us-east-1``, ``us-east1-b`` -> ``us-east1``; a region (or anything else) stays as it is."""
    for pattern in (AWS_ZONE, GCP_ZONE):
        found = pattern.match(zone)
        if found:
            return found.group("region")
    return zone


def is_zone(name: str) -> bool:
    return bool(AWS_ZONE.match(name) or GCP_ZONE.match(name))


def is_region(name: str) -> bool:
    return bool(AWS_REGION.match(name) or GCP_REGION.match(name))
