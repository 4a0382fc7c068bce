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
    item = await store.get("demo||greeting")
    say(f"set + get      demo||greeting = {item.data.decode() if item else None!r}")

    await store.bulk_set(
        [
            SetItem("demo||user/1", b'{"name":"Ada"}', content_type="application/json"),
            SetItem(
                "demo||user/2", b'{"name":"Linus"}', content_type="application/json"
            ),
        ]
    )
    keys = ["demo||user/1", "demo||user/2", "demo||nobody"]
    found = {
        r.key: (r.item.data.decode() if r.item else None)
        for r in await store.bulk_get(keys)
    }
    say(f"bulk get       {found}")

    await store.set("demo||session", "expires soon", ttl=120)
    session = await store.get("demo||session")
    expiry = session.metadata.get("ttlExpireTime") if session else None
    say(f"ttl write      demo||session expires at {expiry}")

    await store.set("demo||scratch", "temporary")
    await store.delete("demo||scratch")
    say(f"delete         demo||scratch is now {await store.get('demo||scratch')}")

    say("restarting the Worker (workerd) ...")
    await restart()
    again = await store.get("demo||greeting")
    say(f"after restart  demo||greeting = {again.data.decode() if again else None!r}")


async def _count_visit(store: StateStore) -> int:
    item = await store.get(VISITS_KEY)
    visits = int(item.data) + 1 if item and item.data.isdigit() else 1
    await store.set(VISITS_KEY, str(visits))
    return visits
