"""A blocking facade over `StateStore`, for scripts and the command line."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, Self

from workerskv.config import Config
from workerskv.models import BulkGetResult, SetItem, StateItem
from workerskv.store import StateStore


class SyncStateStore:
    """The same operations as `StateStore`, each run to completion on a private loop."""

    def __init__(self, config: Config | Mapping[str, str], **options: Any) -> None:
        self._runner = asyncio.Runner()
        self._store = StateStore(config, **options)

    def __enter__(self) -> Self:
        try:
            self.init()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def store(self) -> StateStore:
        """The asynchronous store underneath."""
        return self._store

    def init(self) -> None:
        """See `StateStore.init`."""
        self._runner.run(self._store.init())

    def features(self) -> list[str]:
        """See `StateStore.features`."""
        return self._store.features()

    def get(self, key: str) -> StateItem | None:
        """See `StateStore.get`."""
        return self._runner.run(self._store.get(key))

    def set(
        self,
        key: str,
        value: bytes | str,
        *,
        ttl: int | None = None,
        content_type: str | None = None,
    ) -> None:
        """See `StateStore.set`."""
        self._runner.run(
            self._store.set(key, value, ttl=ttl, content_type=content_type)
        )

    def delete(self, key: str) -> None:
        """See `StateStore.delete`."""
        self._runner.run(self._store.delete(key))

    def bulk_get(self, keys: Sequence[str]) -> list[BulkGetResult]:
        """See `StateStore.bulk_get`."""
        return self._runner.run(self._store.bulk_get(keys))

    def bulk_set(self, items: Sequence[SetItem]) -> None:
        """See `StateStore.bulk_set`."""
        self._runner.run(self._store.bulk_set(items))

    def bulk_delete(self, keys: Sequence[str]) -> None:
        """See `StateStore.bulk_delete`."""
        self._runner.run(self._store.bulk_delete(keys))

    def ping(self) -> None:
        """See `StateStore.ping`."""
        self._runner.run(self._store.ping())

    def close(self) -> None:
        """Close the store and its event loop."""
        try:
            self._runner.run(self._store.close())
        finally:
            self._runner.close()
