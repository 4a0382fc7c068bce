"""The `ttlInSeconds` request metadata."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime

from workerskv.errors import InvalidRequestError

TTL_METADATA = "ttlInSeconds"
EXPIRE_METADATA = "ttlExpireTime"
MIN_TTL = 60
# Largest expiry that still fits the signed 32-bit seconds Dapr's own stores accept.
MAX_TTL = 2**31 - 1
_INTEGER = re.compile(r"[+-]?[0-9]+")


def parse_ttl(metadata: Mapping[str, str] | None) -> int | None:
    """Return the TTL in seconds from request metadata, or None for no expiry."""
    if not metadata:
        return None
    raw = _lookup(metadata)
    if raw is None:
        return None

    # No trimming: Dapr's own stores parse the value with Go's strconv.Atoi.
    if not _INTEGER.fullmatch(raw):
        raise InvalidRequestError(
            f"{TTL_METADATA}={raw!r} is not a whole number of seconds; "
            "use -1 or 0 for no expiry, or 60 and above"
        )
    return check_ttl(int(raw))


def check_ttl(seconds: int | None) -> int | None:
    """Validate a TTL in seconds; None, -1 and 0 all mean no expiry."""
    if seconds is None or seconds in (-1, 0):
        return None
    if not isinstance(seconds, int) or isinstance(seconds, bool):
        raise InvalidRequestError(
            f"{TTL_METADATA}={seconds!r} is not a whole number of seconds"
        )
    if seconds < -1:
        raise InvalidRequestError(
            f"{TTL_METADATA}={seconds} is negative; use -1 or 0 for no expiry"
        )
    if seconds < MIN_TTL:
        raise InvalidRequestError(
            f"{TTL_METADATA}={seconds} is below the Workers KV minimum of {MIN_TTL} "
            f"seconds; use {MIN_TTL} or more, or -1 for no expiry"
        )
    if seconds > MAX_TTL:
        raise InvalidRequestError(
            f"{TTL_METADATA}={seconds} is too large; the limit is {MAX_TTL} seconds"
        )
    return seconds


def _lookup(metadata: Mapping[str, str]) -> str | None:
    if TTL_METADATA in metadata:
        return metadata[TTL_METADATA]
    for name, value in metadata.items():
        if name.lower() == TTL_METADATA.lower():
            return value
    return None


def format_expire_time(epoch_seconds: int) -> str:
    """Return `epoch_seconds` as RFC 3339 UTC with whole seconds."""
    moment = datetime.fromtimestamp(epoch_seconds, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
