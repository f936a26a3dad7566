"""Units, defined once: every conversion between bytes, seconds and hours goes through these names."""

KiB = 1024
MiB = 1024**2
GiB = 1024**3
GB = 1000**3  # AWS quotes image and storage limits in decimal gigabytes
SECONDS_PER_HOUR = 3600.0
HOURS_PER_MONTH = 730.0  # AWS's billing month: 365 days x 24 h / 12
