"""The Dapr state store over Workers KV."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from types import TracebackType
from typing import Self, TypeVar

import httpx

from workerskv.client import (
    BATCH_LIMIT,
    MIN_VERSION,
    Entry,
    WorkerClient,
    WorkerInfo,
    Write,
    version_number,
)
from workerskv.config import Config, Mode
from workerskv.errors import (
    InvalidRequestError,
    NamespaceNotBoundError,
    WorkerOutdatedError,
    WorkersKVError,
)
from workerskv.keys import stored_key
from workerskv.models import BulkGetResult, SetItem, StateItem
from workerskv.retry import RetryPolicy
from workerskv.ttl import check_ttl

log = logging.getLogger("workerskv.store")

FEATURE_BATCH = "batch"
FEATURE_METADATA = "metadata"
DEFAULT_INIT_TIMEOUT = 60.0
MAX_VALUE_BYTES = 25 * 1024 * 1024
# Concurrent requests of one bulk call when the Worker has no batch route.
_FAN_OUT = 16
# Concurrent batch requests of one bulk call.
_BATCH_FAN_OUT = 4

A = TypeVar("A")
T = TypeVar("T")


class StateStore:
    """Dapr state-store operations on one Workers KV namespace, through its Worker."""

    def __init__(
        self,
        config: Config | Mapping[str, str],
        *,
        init_timeout: float = DEFAULT_INIT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._metadata = None if isinstance(config, Config) else config
        self._init_timeout = init_timeout
        self._transport = transport
        self._retry = retry
        self._client: WorkerClient | None = None
        self._info: WorkerInfo | None = None
        self._config: Config | None = config if isinstance(config, Config) else None

    async def __aenter__(self) -> Self:
        await self.init()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def config(self) -> Config:
        """The validated configuration; available once `init` has run."""
        if self._config is None:
            raise RuntimeError("the store is not initialised; call init() first")
        return self._config

    @property
    def worker_info(self) -> WorkerInfo:
        """What the Worker reported at `init`."""
        if self._info is None:
            raise RuntimeError("the store is not initialised; call init() first")
        return self._info

    @property
    def worker_url(self) -> str:
        """The Worker's base URL, known once `init` has run."""
        return self._connected().base_url

    async def init(self) -> None:
        """Validate the metadata, find or deploy the Worker and check it answers."""
        config = self._config or Config.from_metadata(self._metadata or {})
        self._config = config

        url = await self._worker_url(config)
        client = WorkerClient(url, config, transport=self._transport, retry=self._retry)
        try:
            info = await client.info()
            check_worker(info, config)
        except BaseException:
            await client.close()
            raise

        await self.close()
        self._client, self._info = client, info
        if config.mode is Mode.PRE_PROVISIONED:
            _advise_upgrade(info, url)

    async def _worker_url(self, config: Config) -> str:
        if config.mode is Mode.PRE_PROVISIONED:
            assert config.worker_url is not None
            return config.worker_url

        from workerskv.provision import ensure_worker

        return await ensure_worker(config, deadline=self._init_timeout)

    def features(self) -> list[str]:
        """The Dapr features this store really has."""
        return ["TTL"]

    async def get(self, key: str) -> StateItem | None:
        """Return the value stored under `key`, or None when there is none."""
        stored = stored_key(key)
        entry = await self._connected().get(stored)
        return None if entry is None else self._item(key, entry)

    async def set(
        self,
        key: str,
        value: bytes | str,
        *,
        ttl: int | None = None,
        content_type: str | None = None,
    ) -> None:
        """Store `value` under `key`, replacing any previous value and expiry."""
        write = self._write(SetItem(key, _as_bytes(value), ttl, content_type))
        await self._connected().put(write)

    async def delete(self, key: str) -> None:
        """Delete `key`; deleting an absent key succeeds."""
        await self._connected().delete(stored_key(key))

    async def bulk_get(self, keys: Sequence[str]) -> list[BulkGetResult]:
        """Read many keys; results follow the order of `keys`, errors per key."""
        results: list[BulkGetResult | None] = [None] * len(keys)
        wanted: list[tuple[int, str]] = []
        for index, key in enumerate(keys):
            try:
                wanted.append((index, stored_key(key)))
            except InvalidRequestError as exc:
                results[index] = BulkGetResult(key, error=str(exc))

        entries = await self._read_many([stored for _, stored in wanted])
        for (index, _), entry in zip(wanted, entries, strict=True):
            key = keys[index]
            item = None if entry is None else self._item(key, entry)
            results[index] = BulkGetResult(key, item=item)
        return [result for result in results if result is not None]

    async def bulk_set(self, items: Sequence[SetItem]) -> None:
        """Store many values; all are checked before the first is sent."""
        writes = [self._write(item) for item in items]
        client = self._connected()
        if self._batched():
            await _limited(client.put_batch, _chunks(writes, BATCH_LIMIT))
        else:
            await _limited(client.put, writes, _FAN_OUT)

    async def bulk_delete(self, keys: Sequence[str]) -> None:
        """Delete many keys; all are checked before the first is sent."""
        stored = [stored_key(key) for key in keys]
        client = self._connected()
        if self._batched():
            await _limited(client.delete_batch, _chunks(stored, BATCH_LIMIT))
        else:
            await _limited(client.delete, stored, _FAN_OUT)

    async def ping(self) -> None:
        """Check that the Worker answers and still accepts our token."""
        await self._connected().info()

    async def close(self) -> None:
        """Release the connections; the store can be initialised again."""
        client, self._client = self._client, None
        if client is not None:
            await client.close()

    async def _read_many(self, stored: Sequence[str]) -> list[Entry | None]:
        client = self._connected()
        if not stored:
            return []
        if not self._batched():
            return await _limited(client.get, stored, _FAN_OUT)

        answers = await _limited(self._read_chunk, _chunks(stored, BATCH_LIMIT))
        return [entry for answer in answers for entry in answer]

    async def _read_chunk(self, stored: list[str]) -> list[Entry | None]:
        client = self._connected()
        try:
            return await client.get_batch(stored)
        except InvalidRequestError as exc:
            if exc.status != 413:
                raise
        # Together the values pass what one multi-key read may return: read singly.
        return await _limited(client.get, stored, _FAN_OUT)

    def _write(self, item: SetItem) -> Write:
        value = _as_bytes(item.value)
        if len(value) > MAX_VALUE_BYTES:
            raise InvalidRequestError(
                f"the value for key {item.key!r} is {len(value)} bytes; Workers KV "
                f"stores at most {MAX_VALUE_BYTES} bytes (25 MiB) per value"
            )
        return Write(
            key=stored_key(item.key),
            value=value,
            ttl=check_ttl(item.ttl),
            content_type=item.content_type if self._has(FEATURE_METADATA) else None,
        )

    def _item(self, key: str, entry: Entry) -> StateItem:
        if not self._has(FEATURE_METADATA):
            return StateItem(key, entry.data)
        return StateItem(key, entry.data, entry.content_type, entry.expires_at)

    def _batched(self) -> bool:
        return self._has(FEATURE_BATCH)

    def _has(self, feature: str) -> bool:
        return self._info is not None and feature in self._info.features

    def _connected(self) -> WorkerClient:
        if self._client is None:
            raise RuntimeError("the store is not initialised; call init() first")
        return self._client


def check_worker(info: WorkerInfo, config: Config) -> None:
    """Refuse a Worker that is too old or lacks the configured namespace."""
    if version_number(info.version) < MIN_VERSION:
        found = repr(info.version) if info.version else "no version"
        raise WorkerOutdatedError(
            f"the Worker reports {found}; version {MIN_VERSION} or later is "
            "required: redeploy it (`workerskv worker render` writes the current one)"
        )
    if config.namespace_id not in info.namespaces:
        bound = ", ".join(info.namespaces) or "none"
        raise NamespaceNotBoundError(
            f"the Worker has no binding for namespace {config.namespace_id!r} "
            f"(bound: {bound}); redeploy it with a kv_namespace binding named after "
            "the namespace ID (`workerskv worker render` writes one)"
        )


def _advise_upgrade(info: WorkerInfo, url: str) -> None:
    # Imported here: rendering is only needed once a Worker turns out outdated.
    from workerskv.render import outdated_warning

    advice = outdated_warning(info, url)
    if advice:
        log.warning("worker outdated: %s", advice)


def _as_bytes(value: bytes | str) -> bytes:
    return value.encode() if isinstance(value, str) else bytes(value)


def _chunks(items: Sequence[T], size: int) -> list[list[T]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


async def _limited(
    call: Callable[[A], Awaitable[T]], args: Sequence[A], limit: int = _BATCH_FAN_OUT
) -> list[T]:
    """Await `call(arg)` for each arg, `limit` at a time; a failure cancels the rest."""
    gate = asyncio.Semaphore(limit)

    async def run(arg: A) -> T:
        async with gate:
            return await call(arg)

    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(run(arg)) for arg in args]
    except BaseExceptionGroup as group_error:
        raise _first_error(group_error) from None
    return [task.result() for task in tasks]


def _first_error(group: BaseExceptionGroup[BaseException]) -> BaseException:
    for error in group.exceptions:
        if isinstance(error, BaseExceptionGroup):
            return _first_error(error)
        if isinstance(error, WorkersKVError):
            return error
    return group.exceptions[0]
