"""The store against our Worker on workerd: the Dapr state-store contract."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from tests.integration.faults import PerKeyWriteLimitTransport, RecordingTransport
from workerskv.errors import InvalidRequestError, RateLimitedError
from workerskv.models import SetItem
from workerskv.retry import RetryPolicy
from workerskv.store import StateStore


async def test_set_then_get_returns_the_bytes(store: StateStore) -> None:
    await store.set("it||plain", b"\x00\xffbinary")

    item = await store.get("it||plain")

    assert item is not None
    assert item.data == b"\x00\xffbinary"


async def test_empty_value_is_present_and_never_set_is_absent(
    store: StateStore,
) -> None:
    await store.set("it||empty", b"")

    empty = await store.get("it||empty")

    assert empty is not None
    assert empty.data == b""
    assert await store.get("it||never-set") is None


async def test_ttl_minus_one_zero_and_absent_each_clear_a_previous_ttl(
    store: StateStore,
) -> None:
    for ttl in (-1, 0, None):
        await store.set("it||ttl-reset", b"v", ttl=120)
        assert (await _expiry(store, "it||ttl-reset")) is not None

        await store.set("it||ttl-reset", b"v", ttl=ttl)

        assert (await _expiry(store, "it||ttl-reset")) is None


@pytest.mark.parametrize("ttl", [-2, 1, 59, 2**31])
async def test_bad_ttl_writes_nothing(store: StateStore, ttl: int) -> None:
    await store.set("it||ttl-bad", b"before")

    with pytest.raises(InvalidRequestError, match="ttlInSeconds"):
        await store.set("it||ttl-bad", b"after", ttl=ttl)

    item = await store.get("it||ttl-bad")
    assert item is not None
    assert item.data == b"before"


async def test_ttl_expire_time_is_reported_in_rfc3339(store: StateStore) -> None:
    before = int(time.time())

    await store.set("it||ttl-time", b"v", ttl=3600)

    item = await store.get("it||ttl-time")
    assert item is not None
    assert item.expires_at is not None
    assert before + 3600 <= item.expires_at <= int(time.time()) + 3600
    assert item.metadata["ttlExpireTime"].endswith("Z")


async def test_sixty_second_ttl_expires(store: StateStore) -> None:
    await store.set("it||ttl-60", b"v", ttl=60)
    assert await store.get("it||ttl-60") is not None

    await asyncio.sleep(62)

    assert await store.get("it||ttl-60") is None


async def test_escaped_key_round_trips_through_every_operation(
    store: StateStore,
) -> None:
    key = "app||a/b c"

    await store.set(key, b"1")
    single = await store.get(key)
    bulk = await store.bulk_get([key])
    await store.delete(key)

    assert single is not None
    assert single.data == b"1"
    assert bulk[0].item is not None
    assert bulk[0].item.data == b"1"
    assert await store.get(key) is None


async def test_the_kv_key_stored_is_the_escaped_key(
    store: StateStore, store_metadata: dict[str, str]
) -> None:
    await store.set("app||a/b c", b"raw")

    # Reading the escaped name straight from the Worker finds the entry: the stored
    # name is the escaped text, as the upstream Worker stores it.
    async with httpx.AsyncClient(base_url=store_metadata["workerUrl"]) as http:
        token = store._connected()._minter.mint()
        direct = await http.get(
            "kv/ns-integration/app%7C%7Ca%2Fb%20c",
            headers={"Authorization": f"Bearer {token}"},
        )

    assert direct.status_code == 200
    assert direct.content == b"raw"


@pytest.mark.parametrize("key", ["user/123/settings", "ключ/鍵 🙂", "a;b,c?d#e%f"])
async def test_unusual_keys_round_trip(store: StateStore, key: str) -> None:
    await store.set(key, key.encode())

    item = await store.get(key)

    assert item is not None
    assert item.data == key.encode()


async def test_key_limits_apply_to_the_stored_form(store: StateStore) -> None:
    await store.set("k" * 512, b"fits")
    with pytest.raises(InvalidRequestError, match="513 bytes"):
        await store.set("k" * 513, b"too long")
    with pytest.raises(InvalidRequestError, match="600 bytes once escaped"):
        await store.set("|" * 200, b"too long escaped")

    item = await store.get("k" * 512)
    assert item is not None


async def test_bulk_get_answers_in_request_order_with_missing_keys_empty(
    store: StateStore,
) -> None:
    await store.bulk_set([SetItem("it||a", b"A"), SetItem("it||b", b"B")])

    results = await store.bulk_get(["it||a", "it||missing", "it||b"])

    assert [r.key for r in results] == ["it||a", "it||missing", "it||b"]
    assert [r.item.data if r.item else None for r in results] == [b"A", None, b"B"]
    assert all(r.error is None for r in results)


async def test_bulk_get_of_150_keys_answers_every_key(store: StateStore) -> None:
    keys = [f"it||bulk/{i}" for i in range(150)]
    await store.bulk_set([SetItem(k, k.encode()) for k in keys[::2]])

    results = await store.bulk_get(keys)

    assert [r.key for r in results] == keys
    for index, result in enumerate(results):
        expected = keys[index].encode() if index % 2 == 0 else None
        assert (result.item.data if result.item else None) == expected


async def test_bulk_calls_travel_in_batches_of_at_most_100(
    store_metadata: dict[str, str],
) -> None:
    recorder = RecordingTransport()
    keys = [f"it||batched/{i}" for i in range(150)]
    async with StateStore(store_metadata, transport=recorder) as recorded:
        recorder.paths.clear()
        await recorded.bulk_set([SetItem(k, b"v") for k in keys])
        results = await recorded.bulk_get(keys)
        await recorded.bulk_delete(keys)

    assert recorder.paths == ["POST /batch/ns-integration"] * 6
    assert all(r.item is not None for r in results)


async def test_bulk_get_reports_a_bad_key_without_failing_the_rest(
    store: StateStore,
) -> None:
    await store.set("it||good", b"g")

    results = await store.bulk_get(["it||good", "k" * 600])

    assert results[0].item is not None
    assert results[1].error is not None
    assert "512" in results[1].error


async def test_bulk_set_with_one_bad_item_writes_nothing(store: StateStore) -> None:
    items = [SetItem("it||bs-1", b"1"), SetItem("it||bs-2", b"2", ttl=30)]

    with pytest.raises(InvalidRequestError, match="ttlInSeconds=30"):
        await store.bulk_set(items)

    assert await store.get("it||bs-1") is None


async def test_bulk_delete_removes_every_key(store: StateStore) -> None:
    keys = [f"it||bd/{i}" for i in range(120)]
    await store.bulk_set([SetItem(k, b"x") for k in keys])

    await store.bulk_delete(keys)

    results = await store.bulk_get(keys)
    assert all(r.item is None for r in results)


async def test_delete_of_an_absent_key_succeeds(store: StateStore) -> None:
    await store.delete("it||never-there")

    assert await store.get("it||never-there") is None


async def test_content_type_is_kept(store: StateStore) -> None:
    await store.set("it||json", b"{}", content_type="application/json")

    item = await store.get("it||json")

    assert item is not None
    assert item.content_type == "application/json"


async def test_get_and_bulk_get_agree_on_an_absent_content_type(
    store: StateStore,
) -> None:
    await store.set("it||untyped", b"v")

    single = await store.get("it||untyped")
    bulk = await store.bulk_get(["it||untyped"])

    assert single is not None
    assert bulk[0].item is not None
    assert single.content_type is None
    assert bulk[0].item.content_type is None


async def test_ping_succeeds_against_a_live_worker(store: StateStore) -> None:
    await store.ping()


async def test_features_claim_only_ttl(store: StateStore) -> None:
    assert store.features() == ["TTL"]


async def test_concurrent_writes_of_one_key_succeed_or_are_rate_limited(
    store_metadata: dict[str, str],
) -> None:

    transport = PerKeyWriteLimitTransport(interval=0.2)
    retry = RetryPolicy(attempts=4, wait_initial=0.05, wait_max=0.5)
    async with StateStore(store_metadata, transport=transport, retry=retry) as limited:
        outcomes = await asyncio.gather(
            *(limited.set("it||hot", str(i).encode()) for i in range(20)),
            return_exceptions=True,
        )
        final = await limited.get("it||hot")

    failures = [o for o in outcomes if o is not None]
    assert all(isinstance(o, RateLimitedError) for o in failures)
    assert len(failures) < 20
    assert transport.refused > 0
    assert final is not None
    assert final.data in {str(i).encode() for i in range(20)}


async def _expiry(store: StateStore, key: str) -> int | None:
    item = await store.get(key)
    assert item is not None
    return item.expires_at


async def test_a_value_over_25_mib_is_refused_before_sending(
    store_metadata: dict[str, str],
) -> None:
    recorder = RecordingTransport()
    async with StateStore(store_metadata, transport=recorder) as recorded:
        recorder.paths.clear()
        with pytest.raises(InvalidRequestError, match=r"25 MiB"):
            await recorded.set("it||huge", b"x" * (25 * 1024 * 1024 + 1))

    assert recorder.paths == []


REFUSED_BEFORE_SENDING = {
    "ttl under a minute": ("it||ttl", 59, r"ttlInSeconds=59 .* minimum of 60"),
    "ttl past 32 bits": ("it||ttl", 2**31, r"ttlInSeconds=2147483648 is too large"),
    "key of 513 bytes": ("k" * 513, None, r"513 bytes.*limit is 512 bytes"),
    "key of 600 escaped bytes": ("|" * 200, None, r"600 bytes once escaped.*512"),
}


@pytest.mark.parametrize(
    ("key", "ttl", "says"), REFUSED_BEFORE_SENDING.values(), ids=REFUSED_BEFORE_SENDING
)
async def test_bad_keys_and_ttls_are_refused_before_sending(
    store_metadata: dict[str, str], key: str, ttl: int | None, says: str
) -> None:
    recorder = RecordingTransport()
    async with StateStore(store_metadata, transport=recorder) as recorded:
        recorder.paths.clear()
        with pytest.raises(InvalidRequestError, match=says):
            await recorded.set(key, b"v", ttl=ttl)

    assert recorder.paths == []


async def test_bulk_get_of_values_too_large_for_one_read_falls_back_to_single_reads(
    store: StateStore,
) -> None:
    big = 13 * 1024 * 1024
    await store.bulk_set(
        [SetItem("it||big/a", b"a" * big), SetItem("it||big/b", b"b" * big)]
    )

    results = await store.bulk_get(["it||big/a", "it||big/b", "it||big/none"])

    sizes = [len(r.item.data) if r.item else None for r in results]
    assert sizes == [big, big, None]
    await store.bulk_delete(["it||big/a", "it||big/b"])


async def test_bulk_set_accepts_text_values(store: StateStore) -> None:
    await store.bulk_set([SetItem("it||text", "héllo")])  # type: ignore[arg-type]

    item = await store.get("it||text")

    assert item is not None
    assert item.data == "héllo".encode()
