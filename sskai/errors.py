"""Typed errors. Each carries a reason a person can act on, and says whether a retry can help."""

from typing import ClassVar


class SskaiError(Exception):
    """Base class of every error sskai raises on purpose. Deterministic unless a subclass says otherwise."""

    retryable: ClassVar[bool] = False


class InvalidName(SskaiError):
    """A dataset, model or endpoint name breaks the naming rule."""


class UploadRejected(SskaiError):
    """An uploaded archive or bundle is unsafe or does not follow the bundle contract."""


class UploadConflict(SskaiError):
    """Concurrent uploads of one name kept taking the version this one claimed; uploading again will work."""

    retryable = True


class BundleError(SskaiError):
    """User code or data in a stored bundle could not be loaded or has the wrong shape."""


class ProfileFailed(SskaiError):
    """Profiling crashed, timed out or produced unusable numbers."""


class TrainingFailed(SskaiError):
    """A training run failed (user code, NaN loss, a bad request) and a retry would fail the same way."""


class NotFound(SskaiError):
    """A stored record or artifact does not exist."""


class EndpointError(SskaiError):
    """An endpoint could not start, died, or answered with an error."""


class ConfigError(SskaiError):
    """Settings are missing or inconsistent (database URL, artifact URL, credentials, an unknown name)."""


class StoredRecordInvalid(SskaiError):
    """A stored record (profile, plan, checkpoint manifest) is from another schema version or malformed."""


class ClusterLost(TrainingFailed):
    """The cluster under a training run died beyond Ray's own restarts; a new cluster can resume it."""

    retryable = True


class InUse(SskaiError):
    """A stored version cannot be deleted while something uses it; the message names what."""
