"""Throughput of the store against our Worker on local workerd, as ratios to a baseline.

The baseline, measured in the same run against the same Worker, is the floor any client
pays: raw keep-alive HTTP requests with one pre-minted token, no escaping, no checks.
Run with `make bench` (or `.venv/bin/python bench/run.py`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from workerskv.auth import TokenMinter, private_key_pem
from workerskv.config import Config
from workerskv.localrun import LocalWorker
from workerskv.models import SetItem
from workerskv.store import FEATURE_BATCH, StateStore

NAMESPACE = "bench"


@dataclasses.dataclass
class Result:
    name: str
    ops: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.ops / self.seconds


async def timed(name: str, ops: int, body: Awaitable[None]) -> Result:
    start = time.perf_counter()
    await body
    return Result(name, ops, time.perf_counter() - start)


async def raw_gets(url: str, token: str, count: int, concurrency: int) -> None:
    limits = httpx.Limits(max_connections=concurrency)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, limits=limits, headers=headers) as http:
        await _spread(
            count, concurrency, lambda i: http.get(f"kv/{NAMESPACE}/key-{i % 100}")
        )


async def store_gets(store: StateStore, count: int, concurrency: int) -> None:
    await _spread(count, concurrency, lambda i: store.get(f"key-{i % 100}"))


async def _spread(
    count: int, concurrency: int, call: Callable[[int], Awaitable[object]]
) -> None:
    async def lane(offset: int) -> None:
        for i in range(offset, count, concurrency):
            await call(i)

    await asyncio.gather(*(lane(o) for o in range(concurrency)))


async def main(count: int) -> None:
    key = Ed25519PrivateKey.generate()
    metadata = {
        "kvNamespaceID": NAMESPACE,
        "workerName": "bench",
        "key": private_key_pem(key),
    }
    with tempfile.TemporaryDirectory() as root:
        config = Config.from_metadata({**metadata, "workerUrl": "http://unused/"})
        async with LocalWorker.for_config(config, persist_dir=Path(root)) as worker:
            await run_all({**metadata, "workerUrl": worker.url}, worker.url, key, count)


async def run_all(
    metadata: dict[str, str], url: str, key: Ed25519PrivateKey, count: int
) -> None:
    token = TokenMinter(key, "bench").mint()
    async with StateStore(metadata) as store:
        await store.bulk_set([SetItem(f"key-{i}", b"x" * 256) for i in range(100)])
        rows: list[tuple[Result, Result]] = []
        for lanes in (1, 32):
            raw = raw_gets(url, token, count, lanes)
            base = await timed(f"raw GET x{lanes}", count, raw)
            ours = await timed(
                f"store.get x{lanes}", count, store_gets(store, count, lanes)
            )
            rows.append((base, ours))

        keys = [f"key-{i % 100}" for i in range(1000)]
        batched = await timed("bulk_get 1000, batched", 1000, _bulk(store, keys))
        with _without_batch(store):
            per_key = await timed("bulk_get 1000, per key", 1000, _bulk(store, keys))
        rows.append((per_key, batched))

        tracemalloc.start()
        await store.bulk_get(keys)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()

    _report(rows, peak, payload=1000 * 256)


def _report(rows: list[tuple[Result, Result]], peak: int, payload: int) -> None:
    print(f"{'measurement':<26}{'ops/s':>8}   {'baseline':<26}{'ops/s':>8}  ratio")
    for base, ours in rows:
        ratio = ours.rate / base.rate
        print(
            f"{ours.name:<26}{ours.rate:>8.0f}   {base.name:<26}{base.rate:>8.0f}"
            f"  {ratio:5.2f}"
        )
    print(
        f"bulk_get 1000 x 256 B: peak Python memory {peak / 1024:.0f} KiB, "
        f"{peak / payload:.1f}x the payload"
    )


async def _bulk(store: StateStore, keys: list[str]) -> None:
    await store.bulk_get(keys)


@contextlib.contextmanager
def _without_batch(store: StateStore) -> Iterator[None]:
    """Hide the Worker's batch route, as with an upstream Worker."""
    info = store.worker_info
    store._info = dataclasses.replace(info, features=info.features - {FEATURE_BATCH})
    try:
        yield
    finally:
        store._info = info


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--count", type=int, default=2000, help="requests per measurement"
    )
    asyncio.run(main(parser.parse_args().count))
