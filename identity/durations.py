"""Durations as users type them: `15m`, `24h`, `30d`."""

import re
from datetime import timedelta

DURATION_PATTERN = re.compile(r"^(\d{1,5})([mhd])$")
UNITS = {"m": "minutes", "h": "hours", "d": "days"}
MAX_DURATION = timedelta(days=3650)


def parse_duration(value):
    """A timedelta for `30d`, `24h` or `15m`; ValueError with a readable message otherwise."""
    match = DURATION_PATTERN.match(value.strip()) if isinstance(value, str) else None
    if not match:
        raise ValueError("Use a number followed by m, h or d, e.g. 15m, 24h or 30d.")
    amount, unit = int(match.group(1)), match.group(2)
    duration = timedelta(**{UNITS[unit]: amount})
    if not timedelta(minutes=1) <= duration <= MAX_DURATION:
        raise ValueError("Choose a duration between 1 minute and 10 years.")
    return duration
