"""An in-memory fake of `StateStore` for the component server's unit tests only."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from workerskv.config import Config
from workerskv.models import BulkGetResult, SetItem, StateItem
from workerskv.ttl import check_ttl


@dataclass
class FakeBackend:
    """Namespaces of fake stores, and failures to inject into their calls."""

    namespaces: dict[str, dict[str, StateItem]] = field(default_factory=dict)
    stores: list[FakeStore] = field(default_factory=list)
    fail_with: BaseException | None = None
    fail_init_with: BaseException | None = None
    # Every init waits until this is set, as a call to a hung Worker would.
    init_gate: asyncio.Event | None = None

    def factory(self, config: Config) -> FakeStore:
        """Make a store on the namespace `config` names, as `StateStore` would."""
        store = FakeStore(self, config)
        self.stores.append(store)
        return store


class FakeStore:
    """Keeps values in its backend's namespace; raises what the backend says to."""

    def __init__(self, backend: FakeBackend, config: Config) -> None:
        self.backend = backend
        self.config = config
        self.initialised = False
        self.closed = False
        self.pings = 0

    @property
    def data(self) -> dict[str, StateItem]:
        return self.backend.namespaces.setdefault(self.config.namespace_id, {})

    @property
    def worker_url(self) -> str:
        return self.config.worker_url or "https://managed.example.workers.dev/"

    async def init(self) -> None:
        if self.backend.init_gate is not None:
            await self.backend.init_gate.wait()
        if self.backend.fail_init_with is not None:
            raise self.backend.fail_init_with
        self.initialised = True

    def features(self) -> list[str]:
        return ["TTL"]

    async def get(self, key: str) -> StateItem | None:
        self._maybe_fail()
        return self.data.get(key)

    async def set(
        self,
        key: str,
        value: bytes,
        *,
        ttl: int | None = None,
        content_type: str | None = None,
    ) -> None:
        self._maybe_fail()
        self.data[key] = _item(SetItem(key, value, ttl, content_type))

    async def delete(self, key: str) -> None:
        self._maybe_fail()
        self.data.pop(key, None)

    async def bulk_get(self, keys: Sequence[str]) -> list[BulkGetResult]:
        self._maybe_fail()
        return [
            BulkGetResult(key, error=f"key {key!r} is refused by the fake")
            if key.startswith("refused")
            else BulkGetResult(key, item=self.data.get(key))
            for key in keys
        ]

    async def bulk_set(self, items: Sequence[SetItem]) -> None:
        self._maybe_fail()
        for item in items:
            self.data[item.key] = _item(item)

    async def bulk_delete(self, keys: Sequence[str]) -> None:
        self._maybe_fail()
        for key in keys:
            self.data.pop(key, None)

    async def ping(self) -> None:
        self._maybe_fail()
        self.pings += 1

    async def close(self) -> None:
        self.closed = True

    def _maybe_fail(self) -> None:
        assert self.initialised, "used before init"
        assert not self.closed, "used after close"
        if self.backend.fail_with is not None:
            raise self.backend.fail_with


def _item(item: SetItem) -> StateItem:
    ttl = check_ttl(item.ttl)
    expires_at = None if ttl is None else int(time.time()) + ttl
    return StateItem(item.key, item.value, item.content_type, expires_at)
