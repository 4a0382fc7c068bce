"""The values the store takes and returns."""

from __future__ import annotations

from dataclasses import dataclass

from workerskv.ttl import EXPIRE_METADATA, format_expire_time


@dataclass(frozen=True)
class StateItem:
    """A stored value with what is known about it."""

    key: str
    data: bytes
    content_type: str | None = None
    expires_at: int | None = None

    @property
    def metadata(self) -> dict[str, str]:
        """Dapr response metadata: `ttlExpireTime` when an expiry is known."""
        if self.expires_at is None:
            return {}
        return {EXPIRE_METADATA: format_expire_time(self.expires_at)}


@dataclass(frozen=True)
class SetItem:
    """One write: `ttl` in seconds (None, 0 or -1 for no expiry)."""

    key: str
    value: bytes
    ttl: int | None = None
    content_type: str | None = None


@dataclass(frozen=True)
class BulkGetResult:
    """The answer for one key of a bulk read: an item, nothing, or an error."""

    key: str
    item: StateItem | None = None
    error: str | None = None
