"""A short tour of the store against a running Worker, printed as it goes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from workerskv.models import SetItem
from workerskv.store import StateStore

VISITS_KEY = "demo||visits"


async def run_demo(
    store: StateStore,
    say: Callable[[str], None],
    restart: Callable[[], Awaitable[None]],
) -> None:
    """Write, read, bulk-read, expire, delete, then show data surviving a restart."""
    visits = await _count_visit(store)
    say(f"this demo has run {visits} time(s) on this machine (kept in KV on disk)")

    await store.set("demo||greeting", "hello from Workers KV")
    say(f"set + get      demo||greeting = {await _text(store, 'demo||greeting')!r}")

    say(f"bulk get       {await _bulk_round_trip(store)}")

    await store.set("demo||session", "expires soon", ttl=120)
    session = await store.get("demo||session")
    expiry = session.metadata.get("ttlExpireTime") if session else None
    say(f"ttl write      demo||session expires at {expiry}")

    await store.set("demo||scratch", "temporary")
    await store.delete("demo||scratch")
    say(f"delete         demo||scratch is now {await _text(store, 'demo||scratch')}")

    say("restarting the Worker (workerd) ...")
    await restart()
    say(f"after restart  demo||greeting = {await _text(store, 'demo||greeting')!r}")


async def _text(store: StateStore, key: str) -> str | None:
    item = await store.get(key)
    return item.data.decode() if item else None


async def _bulk_round_trip(store: StateStore) -> dict[str, str | None]:
    users = {"demo||user/1": b'{"name":"Ada"}', "demo||user/2": b'{"name":"Linus"}'}
    await store.bulk_set(
        [
            SetItem(key, data, content_type="application/json")
            for key, data in users.items()
        ]
    )

    results = await store.bulk_get([*users, "demo||nobody"])
    return {r.key: (r.item.data.decode() if r.item else None) for r in results}


async def _count_visit(store: StateStore) -> int:
    item = await store.get(VISITS_KEY)
    visits = int(item.data) + 1 if item and item.data.isdigit() else 1
    await store.set(VISITS_KEY, str(visits))
    return visits
