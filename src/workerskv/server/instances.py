"""The state stores one process serves, one per Dapr Component name."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from workerskv.config import Config
from workerskv.errors import ConfigError, WorkersKVError
from workerskv.models import BulkGetResult, SetItem, StateItem
from workerskv.server.status import UnknownInstanceError
from workerskv.store import StateStore

log = logging.getLogger("workerskv.server")


class Store(Protocol):
    """What the server needs of a state store; `StateStore` is the real one."""

    @property
    def worker_url(self) -> str: ...

    async def init(self) -> None: ...

    def features(self) -> list[str]: ...

    async def get(self, key: str) -> StateItem | None: ...

    async def set(
        self,
        key: str,
        value: bytes,
        *,
        ttl: int | None = None,
        content_type: str | None = None,
    ) -> None: ...

    async def delete(self, key: str) -> None: ...

    async def bulk_get(self, keys: Sequence[str]) -> list[BulkGetResult]: ...

    async def bulk_set(self, items: Sequence[SetItem]) -> None: ...

    async def bulk_delete(self, keys: Sequence[str]) -> None: ...

    async def ping(self) -> None: ...

    async def close(self) -> None: ...


StoreFactory = Callable[[Config], Store]


class Instances:
    """Initialised stores by instance name, the `x-component-instance` of each call."""

    def __init__(self, factory: StoreFactory = StateStore) -> None:
        self._factory = factory
        self._stores: dict[str, Store] = {}
        # Start-up components whose Worker could not be used yet, by name.
        self._pending: dict[str, Mapping[str, str]] = {}
        self._lock = asyncio.Lock()

    async def init(self, name: str, metadata: Mapping[str, str]) -> None:
        """Set up `name` from component metadata, replacing any earlier set-up."""
        async with self._lock:
            await self._init_locked(name, metadata)

    async def preload(self, name: str, metadata: Mapping[str, str]) -> None:
        """Set up `name` at start; while its Worker cannot be used, retry per call."""
        try:
            await self.init(name, metadata)
        except ConfigError:
            raise
        except WorkersKVError as exc:
            self._pending[name] = metadata
            log.warning(
                "component not ready, retrying at its next call: name=%s: %s", name, exc
            )

    async def resolve(self, name: str) -> Store:
        """The store of instance `name`, set up now if its start-up was deferred."""
        store = self._stores.get(name)
        if store is not None:
            return store
        if name not in self._pending:
            raise UnknownInstanceError(
                f"component instance {name!r} is not initialised here: check that the "
                "Component's metadata.name is right and that Init succeeded (a "
                "restarted component process needs --component for each YAML)"
            )
        async with self._lock:
            if name not in self._stores:
                await self._init_locked(name, self._pending[name])
        return self._stores[name]

    async def _init_locked(self, name: str, metadata: Mapping[str, str]) -> None:
        # A failed Init leaves nothing behind: daprd now holds the new metadata.
        await self._remove(name)
        config = Config.from_metadata(metadata)
        store = self._factory(config)
        try:
            await store.init()
        except BaseException:
            await store.close()
            raise
        self._stores[name] = store
        self._pending.pop(name, None)

        log.info(
            "component initialised: name=%s mode=%s worker=%s namespace=%s",
            name,
            config.mode.value,
            store.worker_url,
            config.namespace_id,
        )

    def get(self, name: str) -> Store:
        """The store of instance `name`."""
        store = self._stores.get(name)
        if store is None:
            raise UnknownInstanceError(
                f"component instance {name!r} is not initialised here: check that the "
                "Component's metadata.name is right and that Init succeeded (a "
                "restarted component process needs --component for each YAML)"
            )
        return store

    async def close(self) -> None:
        """Close every store."""
        async with self._lock:
            for name in list(self._stores):
                await self._remove(name)

    async def _remove(self, name: str) -> None:
        store = self._stores.pop(name, None)
        if store is not None:
            await store.close()
