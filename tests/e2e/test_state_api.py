"""Dapr's state API, over HTTP and gRPC, through daprd to our component and Worker."""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import AsyncIterator

import grpc
import httpx
import pytest
from dapr.aio.clients import DaprClient
from dapr.clients.exceptions import DaprInternalError
from dapr.clients.grpc._state import StateItem
from dapr.proto import api_service_v1, api_v1, common_v1

from tests.e2e.harness import Stack, dapr_key
from workerskv.server.servicer import DAPRD_MAX_VALUE
from workerskv.store import StateStore

pytestmark = pytest.mark.e2e

STORE = "kv-a"
# daprd itself refuses "||" in an application's key; its own prefix brings one.
ODD_KEYS = ["user/123/settings", "a/b c", "ключ ü 鍵", "100%", "q?x=1#f", "sp ace"]


def path(key: str) -> str:
    return f"/state/{STORE}/{urllib.parse.quote(key, safe='')}"


@pytest.fixture
async def daprd_stub(stack: Stack) -> AsyncIterator[api_service_v1.DaprStub]:
    """The SDK's generated stub, for calls its client does not wrap."""
    async with grpc.aio.insecure_channel(stack.daprd.grpc_address) as channel:
        yield api_service_v1.DaprStub(channel)


async def test_grpc_save_get_delete(dapr: DaprClient, kv_a: StateStore) -> None:
    await dapr.save_state(STORE, "plain", b"value")
    got = await dapr.get_state(STORE, "plain")
    stored = await kv_a.get(dapr_key("plain"))
    await dapr.delete_state(STORE, "plain")
    gone = await dapr.get_state(STORE, "plain")

    assert got.data == b"value"
    assert stored is not None
    assert stored.data == b"value"
    assert gone.data == b""
    assert await kv_a.get(dapr_key("plain")) is None


async def test_http_save_get_delete(http: httpx.AsyncClient) -> None:
    saved = await http.post(f"/state/{STORE}", json=[{"key": "h", "value": {"a": 1}}])
    got = await http.get(path("h"))
    deleted = await http.delete(path("h"))
    gone = await http.get(path("h"))

    assert saved.status_code == 204, saved.text
    assert (got.status_code, got.json()) == (200, {"a": 1})
    assert deleted.status_code == 204
    assert (gone.status_code, gone.content) == (204, b"")


async def test_bulk_grpc_in_request_order_with_missing_keys(
    dapr: DaprClient, daprd_stub: api_service_v1.DaprStub, kv_a: StateStore
) -> None:
    await dapr.save_bulk_state(
        STORE, [StateItem("b1", b"1"), StateItem("b2", b"2"), StateItem("b3", b"3")]
    )

    bulk = await dapr.get_bulk_state(STORE, ["b2", "missing", "b1"])
    await daprd_stub.DeleteBulkState(
        api_v1.DeleteBulkStateRequest(
            store_name=STORE,
            states=[common_v1.StateItem(key="b1"), common_v1.StateItem(key="b2")],
        )
    )

    answers = [(item.key, item.data, item.error) for item in bulk.items]
    assert answers == [("b2", b"2", ""), ("missing", b"", ""), ("b1", b"1", "")]
    assert await kv_a.get(dapr_key("b1")) is None
    assert await kv_a.get(dapr_key("b2")) is None
    assert await kv_a.get(dapr_key("b3")) is not None


async def test_bulk_http(http: httpx.AsyncClient) -> None:
    values = [{"key": f"hb{i}", "value": i} for i in range(3)]
    await http.post(f"/state/{STORE}", json=values)

    answer = await http.post(
        f"/state/{STORE}/bulk", json={"keys": ["hb2", "hb-missing", "hb0"]}
    )

    assert answer.status_code == 200, answer.text
    assert [(item["key"], item.get("data")) for item in answer.json()] == [
        ("hb2", 2),
        ("hb-missing", None),
        ("hb0", 0),
    ]


@pytest.mark.parametrize("key", ODD_KEYS)
async def test_odd_keys_are_one_entry_through_http_and_grpc(
    dapr: DaprClient, http: httpx.AsyncClient, kv_a: StateStore, key: str
) -> None:
    await dapr.save_state(STORE, key, b"from grpc")
    over_http = await http.get(path(key))
    await http.post(f"/state/{STORE}", json=[{"key": key, "value": "from http"}])
    over_grpc = await dapr.get_state(STORE, key)
    bulk = await dapr.get_bulk_state(STORE, [key])
    stored = await kv_a.get(dapr_key(key))
    deleted = await http.delete(path(key))

    assert over_http.content == b"from grpc"
    assert over_grpc.data == b'"from http"'
    assert [(item.key, item.data) for item in bulk.items] == [(key, b'"from http"')]
    assert stored is not None
    assert stored.data == b'"from http"'
    assert deleted.status_code == 204
    assert await kv_a.get(dapr_key(key)) is None


async def test_slash_key_must_be_escaped_in_an_http_path(
    dapr: DaprClient, http: httpx.AsyncClient
) -> None:
    await dapr.save_state(STORE, "user/123/settings", b"v")

    escaped = await http.get(f"/state/{STORE}/user%2F123%2Fsettings")
    raw = await http.get(f"/state/{STORE}/user/123/settings")

    assert (escaped.status_code, escaped.content) == (200, b"v")
    # daprd's router matches no state route for the unescaped path.
    assert raw.status_code == 404


async def test_binary_and_empty_values_round_trip(
    dapr: DaprClient, http: httpx.AsyncClient, kv_a: StateStore
) -> None:
    binary = bytes(range(256))
    await dapr.save_state(STORE, "bin", binary)
    await dapr.save_state(STORE, "empty", b"")

    assert (await dapr.get_state(STORE, "bin")).data == binary
    assert (await http.get(path("bin"))).content == binary
    assert (await dapr.get_state(STORE, "empty")).data == b""
    empty = await kv_a.get(dapr_key("empty"))
    assert empty is not None
    assert empty.data == b""
    assert await kv_a.get(dapr_key("never-set")) is None
    assert (await http.get(path("never-set"))).status_code == 204


async def test_string_over_http_and_bytes_over_grpc_are_stored_as_handed(
    dapr: DaprClient, http: httpx.AsyncClient, kv_a: StateStore
) -> None:
    await http.post(f"/state/{STORE}", json=[{"key": "s-http", "value": "hello"}])
    await dapr.save_state(STORE, "s-grpc", b"hello")

    from_http = await kv_a.get(dapr_key("s-http"))
    from_grpc = await kv_a.get(dapr_key("s-grpc"))

    # daprd JSON-encodes an HTTP value and passes gRPC bytes through untouched.
    assert from_http is not None
    assert from_http.data == b'"hello"'
    assert from_grpc is not None
    assert from_grpc.data == b"hello"
    assert (await dapr.get_state(STORE, "s-http")).data == b'"hello"'
    assert (await http.get(path("s-http"))).content == b'"hello"'
    assert (await dapr.get_state(STORE, "s-grpc")).data == b"hello"
    assert (await http.get(path("s-grpc"))).content == b"hello"


async def test_ttl_is_stored_and_reported(
    http: httpx.AsyncClient, kv_a: StateStore
) -> None:
    item = {"key": "ttl", "value": "v", "metadata": {"ttlInSeconds": "120"}}
    await http.post(f"/state/{STORE}", json=[item])

    answer = await http.get(path("ttl"))
    stored = await kv_a.get(dapr_key("ttl"))

    assert stored is not None
    assert stored.expires_at is not None
    assert abs(stored.expires_at - (time.time() + 120)) < 30
    assert answer.headers.get("metadata.ttlExpireTime") == stored.metadata.get(
        "ttlExpireTime"
    )


async def test_ttl_minus_one_removes_a_previous_ttl(
    http: httpx.AsyncClient, kv_a: StateStore
) -> None:
    for ttl in ("120", "-1"):
        item = {"key": "ttl-reset", "value": "v", "metadata": {"ttlInSeconds": ttl}}
        await http.post(f"/state/{STORE}", json=[item])

    stored = await kv_a.get(dapr_key("ttl-reset"))

    assert stored is not None
    assert stored.expires_at is None


async def test_ttl_under_a_minute_is_a_400_naming_the_field(
    dapr: DaprClient,
    daprd_stub: api_service_v1.DaprStub,
    http: httpx.AsyncClient,
    kv_a: StateStore,
) -> None:
    metadata = {"ttlInSeconds": "59"}
    item = {"key": "ttl-short", "value": "v", "metadata": metadata}
    request = api_v1.SaveStateRequest(
        store_name=STORE,
        states=[common_v1.StateItem(key="ttl-short", value=b"v", metadata=metadata)],
    )

    answer = await http.post(f"/state/{STORE}", json=[item])
    with pytest.raises(grpc.aio.AioRpcError) as over_grpc:
        await daprd_stub.SaveState(request)
    with pytest.raises(DaprInternalError, match="ttlInSeconds"):
        await dapr.save_state(STORE, "ttl-short", b"v", state_metadata=metadata)

    # daprd keeps our HTTP and gRPC codes but names the error with its own code.
    assert answer.status_code == 400, answer.text
    assert answer.json()["errorCode"] == "ERR_STATE_SAVE"
    assert "ttlInSeconds=59" in answer.json()["message"]
    assert over_grpc.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "Workers KV minimum of 60 seconds" in (over_grpc.value.details() or "")
    assert await kv_a.get(dapr_key("ttl-short")) is None


async def test_etag_is_refused_saying_etags_are_unsupported(
    http: httpx.AsyncClient, kv_a: StateStore
) -> None:
    item = {"key": "etag", "value": "v", "etag": "1"}

    answer = await http.post(f"/state/{STORE}", json=[item])

    assert answer.status_code == 400, answer.text
    assert "ETag" in answer.json()["message"]
    assert await kv_a.get(dapr_key("etag")) is None


async def test_largest_value_daprd_reads_back_round_trips(
    daprd_stub: api_service_v1.DaprStub, http: httpx.AsyncClient
) -> None:
    value = b"x" * DAPRD_MAX_VALUE
    await daprd_stub.SaveState(
        api_v1.SaveStateRequest(
            store_name=STORE, states=[common_v1.StateItem(key="big", value=value)]
        )
    )

    answer = await http.get(path("big"))

    assert answer.status_code == 200
    assert answer.content == value


async def test_value_over_4_mib_stored_around_daprd_cannot_be_read_through_it(
    http: httpx.AsyncClient, kv_a: StateStore
) -> None:
    await kv_a.set(dapr_key("huge"), b"x" * (4 * 1024 * 1024 + 1))

    answer = await http.get(path("huge"))

    # Why the component refuses such values: daprd's client stops at 4 MiB.
    assert answer.status_code == 500, answer.text
    assert "received message larger than max" in answer.json()["message"]


async def test_value_daprd_could_not_read_back_is_a_400_naming_the_key(
    daprd_stub: api_service_v1.DaprStub, http: httpx.AsyncClient, kv_a: StateStore
) -> None:
    value = b"x" * (DAPRD_MAX_VALUE + 1)
    request = api_v1.SaveStateRequest(
        store_name=STORE, states=[common_v1.StateItem(key="too-big", value=value)]
    )

    with pytest.raises(grpc.aio.AioRpcError) as over_grpc:
        await daprd_stub.SaveState(request)
    # JSON quotes make the stored value two bytes longer than the string.
    item = {"key": "too-big", "value": "x" * DAPRD_MAX_VALUE}
    answer = await http.post(f"/state/{STORE}", json=[item])

    assert over_grpc.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "daprd could read back" in (over_grpc.value.details() or "")
    assert answer.status_code == 400, answer.text
    assert f"{dapr_key('too-big')!r}" in answer.json()["message"]
    assert await kv_a.get(dapr_key("too-big")) is None
