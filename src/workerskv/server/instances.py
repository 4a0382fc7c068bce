"""The state stores one process serves, one per Dapr Component name."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from workerskv.config import Config
from workerskv.errors import WorkersKVError
from workerskv.models import BulkGetResult, SetItem, StateItem
from workerskv.server.status import UnknownInstanceError, message_for
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
        # The metadata each store in `_stores` was set up from.
        self._metadata: dict[str, dict[str, str]] = {}
        # Start-up components not set up yet, by name: their metadata.
        self._pending: dict[str, dict[str, str]] = {}
        # Background set-ups of start-up components still running, by name.
        self._set_ups: dict[str, asyncio.Task[None]] = {}
        # One lock per name: a hung Worker must not hold up other components.
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def init(self, name: str, metadata: Mapping[str, str]) -> None:
        """Set up `name` from component metadata, unless it is set up from the same."""
        metadata = dict(metadata)
        if await self._joined_set_up(name, metadata):
            return

        async with self._locks[name]:
            # A failed Init leaves nothing behind: daprd now holds the new metadata.
            self._pending.pop(name, None)
            if self._metadata.get(name) == metadata:
                log.debug("Init repeats the metadata, store kept: name=%s", name)
                return
            await self._init_locked(name, metadata)

    def preload(self, name: str, metadata: Mapping[str, str]) -> None:
        """Check `name`'s metadata now and set it up in the background."""
        Config.from_metadata(metadata)
        self._pending[name] = dict(metadata)

        task = asyncio.create_task(self._set_up_in_background(name))
        self._set_ups[name] = task
        task.add_done_callback(functools.partial(self._set_up_done, name))

    async def resolve(self, name: str) -> Store:
        """The store of instance `name`, waiting for or retrying a deferred set-up."""
        if name not in self._stores and name in self._pending:
            async with self._locks[name]:
                await self._set_up_pending(name)

        store = self._stores.get(name)
        if store is None:
            raise UnknownInstanceError(
                f"component instance {name!r} is not initialised here: check that the "
                "Component's metadata.name is right and that Init succeeded (a "
                "restarted component process needs --component for each YAML)"
            )
        return store

    async def close(self) -> None:
        """Stop start-up set-ups still running and close every store."""
        set_ups = list(self._set_ups.values())
        for task in set_ups:
            task.cancel()
        await asyncio.gather(*set_ups, return_exceptions=True)

        for name in list(self._stores):
            async with self._locks[name]:
                await self._remove(name)

    async def _joined_set_up(self, name: str, metadata: dict[str, str]) -> bool:
        """Wait for a start-up set-up of `metadata`; cancel one of other metadata.

        daprd's Init of a start-up component repeats its metadata, and daprd gives
        Init 5 seconds by default: joining the set-up under way beats starting over.
        """
        task = self._set_ups.get(name)
        if task is None or task.done():
            return False

        if self._pending.get(name) != metadata:
            # Forgotten first, so no call waiting for the lock revives the old set-up.
            self._pending.pop(name, None)
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            return False
        log.debug("Init joins the start-up set-up: name=%s", name)
        try:
            # Shielded: should daprd give up on Init, the set-up still serves later.
            await asyncio.shield(task)
        except Exception:
            # A failed Init leaves nothing behind, as in `init`.
            self._pending.pop(name, None)
            raise
        return True

    async def _set_up_in_background(self, name: str) -> None:
        async with self._locks[name]:
            await self._set_up_pending(name)

    def _set_up_done(self, name: str, task: asyncio.Task[None]) -> None:
        """Forget a finished start-up set-up; a failure is retried at the next call."""
        if self._set_ups.get(name) is task:
            del self._set_ups[name]
        exc = None if task.cancelled() else task.exception()
        if not isinstance(exc, Exception):
            return

        log.warning(
            "component not ready, retrying at its next call: name=%s: %s",
            name,
            message_for(exc),
            # A traceback only for bugs: our own errors explain themselves.
            exc_info=None if isinstance(exc, WorkersKVError) else exc,
        )

    async def _set_up_pending(self, name: str) -> None:
        """Set up `name` from its start-up metadata, unless done or replaced."""
        metadata = self._pending.get(name)
        if metadata is not None:
            await self._init_locked(name, metadata)

    async def _init_locked(self, name: str, metadata: dict[str, str]) -> None:
        await self._remove(name)
        config = Config.from_metadata(metadata)
        log.debug("setting up component: name=%s mode=%s", name, config.mode.value)
        store = self._factory(config)
        try:
            await store.init()
        except BaseException:
            await store.close()
            raise
        self._stores[name] = store
        self._metadata[name] = metadata
        self._pending.pop(name, None)

        log.info(
            "component initialised: name=%s mode=%s worker=%s namespace=%s",
            name,
            config.mode.value,
            store.worker_url,
            config.namespace_id,
        )

    async def _remove(self, name: str) -> None:
        self._metadata.pop(name, None)
        store = self._stores.pop(name, None)
        if store is not None:
            await store.close()
