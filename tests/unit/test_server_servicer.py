"""The StateStore calls over a real unix socket, against a fake store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest

from tests.unit.fake_state_store import FakeBackend
from tests.unit.server_harness import (
    SOCKET_NAME,
    failure,
    init,
    on,
    serving,
    set_request,
    socket_folder,
)
from workerskv._proto import common_pb2, state_pb2, state_pb2_grpc
from workerskv.errors import WorkerUnreachableError
from workerskv.models import StateItem
from workerskv.server.servicer import DAPRD_MAX_VALUE

ODD_KEYS = ["app||a/b c", "app||user/123/settings", "app||ключ ü 鍵", "app||x||y"]


@pytest.fixture
def backend() -> FakeBackend:
    return FakeBackend()


@pytest.fixture
async def channel(backend: FakeBackend) -> AsyncIterator[grpc.aio.Channel]:
    with socket_folder() as folder:
        async with serving(folder / SOCKET_NAME, backend) as channel:
            yield channel


@pytest.fixture
async def ready(
    channel: grpc.aio.Channel, metadata: dict[str, str]
) -> state_pb2_grpc.StateStoreStub:
    """A stub whose default instance has been initialised."""
    stub = state_pb2_grpc.StateStoreStub(channel)
    await init(stub, metadata)
    return stub


async def test_features_are_the_stores(ready: state_pb2_grpc.StateStoreStub) -> None:
    response = await ready.Features(common_pb2.FeaturesRequest(), metadata=on())

    assert list(response.features) == ["TTL"]


async def test_get_missing_key_returns_empty(
    ready: state_pb2_grpc.StateStoreStub,
) -> None:
    response = await ready.Get(state_pb2.GetRequest(key="never-set"), metadata=on())

    assert response == state_pb2.GetResponse()


async def test_set_then_get_passes_data_content_type_and_expiry(
    ready: state_pb2_grpc.StateStoreStub,
) -> None:
    request = set_request(
        "app||k",
        b"\x00\xff binary",
        content_type="application/octet-stream",
        metadata={"ttlInSeconds": "120"},
    )
    await ready.Set(request, metadata=on())

    response = await ready.Get(state_pb2.GetRequest(key="app||k"), metadata=on())

    assert response.data == b"\x00\xff binary"
    assert response.content_type == "application/octet-stream"
    assert response.metadata["ttlExpireTime"].endswith("Z")
    assert not response.HasField("etag")


async def test_set_without_ttl_answers_no_expiry(
    ready: state_pb2_grpc.StateStoreStub, backend: FakeBackend
) -> None:
    await ready.Set(
        set_request("app||k", metadata={"ttlInSeconds": "-1"}), metadata=on()
    )

    response = await ready.Get(state_pb2.GetRequest(key="app||k"), metadata=on())

    assert dict(response.metadata) == {}
    assert backend.namespaces["ns-test"]["app||k"].content_type is None


async def test_value_as_large_as_daprd_reads_back_is_stored(
    ready: state_pb2_grpc.StateStoreStub, backend: FakeBackend
) -> None:
    value = b"x" * DAPRD_MAX_VALUE

    await ready.Set(set_request("app||big", value), metadata=on())

    assert backend.namespaces["ns-test"]["app||big"].data == value


async def test_value_larger_than_daprd_reads_back_is_refused(
    ready: state_pb2_grpc.StateStoreStub, backend: FakeBackend
) -> None:
    value = b"x" * (DAPRD_MAX_VALUE + 1)

    failed = await failure(ready.Set(set_request("app||big", value), metadata=on()))

    assert failed.code is grpc.StatusCode.INVALID_ARGUMENT
    assert failed.info.metadata["http_code"] == "400"
    assert "'app||big'" in failed.message
    assert f"{DAPRD_MAX_VALUE + 1} bytes" in failed.message
    assert f"{DAPRD_MAX_VALUE} daprd could read back" in failed.message
    assert "app||big" not in backend.namespaces.get("ns-test", {})


async def test_bulk_set_with_one_value_daprd_cannot_read_back_writes_nothing(
    ready: state_pb2_grpc.StateStoreStub, backend: FakeBackend
) -> None:
    items = [set_request("a"), set_request("b", b"x" * (DAPRD_MAX_VALUE + 1))]

    failed = await failure(
        ready.BulkSet(state_pb2.BulkSetRequest(items=items), metadata=on())
    )

    assert failed.code is grpc.StatusCode.INVALID_ARGUMENT
    assert "'b'" in failed.message
    assert backend.namespaces.get("ns-test", {}) == {}


async def test_empty_value_is_stored(
    ready: state_pb2_grpc.StateStoreStub, backend: FakeBackend
) -> None:
    await ready.Set(set_request("app||e", b""), metadata=on())

    assert backend.namespaces["ns-test"]["app||e"].data == b""


@pytest.mark.parametrize("ttl", ["59", "abc", "-2", "1.5", "2147483648"])
async def test_set_with_bad_ttl_is_invalid_argument_naming_the_field(
    ready: state_pb2_grpc.StateStoreStub, backend: FakeBackend, ttl: str
) -> None:
    call = ready.Set(
        set_request("app||k", metadata={"ttlInSeconds": ttl}), metadata=on()
    )

    failed = await failure(call)

    assert failed.code is grpc.StatusCode.INVALID_ARGUMENT
    assert "ttlInSeconds" in failed.message
    assert ttl in failed.message
    assert failed.info.metadata["http_code"] == "400"
    assert "app||k" not in backend.namespaces.get("ns-test", {})


@pytest.mark.parametrize("key", ODD_KEYS)
async def test_keys_are_passed_and_echoed_exactly(
    ready: state_pb2_grpc.StateStoreStub, backend: FakeBackend, key: str
) -> None:
    await ready.Set(set_request(key, b"1"), metadata=on())
    got = await ready.Get(state_pb2.GetRequest(key=key), metadata=on())
    bulk = await ready.BulkGet(
        state_pb2.BulkGetRequest(items=[state_pb2.GetRequest(key=key)]), metadata=on()
    )
    await ready.Delete(state_pb2.DeleteRequest(key=key), metadata=on())

    assert got.data == b"1"
    assert [(item.key, item.data) for item in bulk.items] == [(key, b"1")]
    assert backend.namespaces["ns-test"] == {}


async def test_bulk_get_answers_in_request_order_with_errors_per_key(
    ready: state_pb2_grpc.StateStoreStub, backend: FakeBackend
) -> None:
    await ready.BulkSet(
        state_pb2.BulkSetRequest(
            items=[set_request("b", b"2"), set_request("a", b"1", content_type="t/a")]
        ),
        metadata=on(),
    )
    keys = ["a", "missing", "refused", "b", "a"]

    response = await ready.BulkGet(
        state_pb2.BulkGetRequest(items=[state_pb2.GetRequest(key=k) for k in keys]),
        metadata=on(),
    )

    answers = [(i.key, i.data, i.content_type, i.error) for i in response.items]
    assert answers == [
        ("a", b"1", "t/a", ""),
        ("missing", b"", "", ""),
        ("refused", b"", "", "key 'refused' is refused by the fake"),
        ("b", b"2", "", ""),
        ("a", b"1", "t/a", ""),
    ]


async def test_bulk_get_past_daprds_limit_answers_later_values_as_errors(
    ready: state_pb2_grpc.StateStoreStub,
) -> None:
    half = DAPRD_MAX_VALUE // 2
    items = [set_request(k, b"x" * half) for k in ("one", "two", "three")]
    await ready.BulkSet(state_pb2.BulkSetRequest(items=items), metadata=on())
    keys = ["one", "two", "three", "missing"]

    response = await ready.BulkGet(
        state_pb2.BulkGetRequest(items=[state_pb2.GetRequest(key=k) for k in keys]),
        metadata=on(),
    )

    assert [len(i.data) for i in response.items] == [half, 0, 0, 0]
    assert "read it alone" in response.items[1].error
    assert "read it alone" in response.items[2].error
    assert response.items[3].error == ""
    assert response.ByteSize() < 4 * 1024 * 1024


async def test_bulk_get_passes_expiry_metadata(
    ready: state_pb2_grpc.StateStoreStub, backend: FakeBackend
) -> None:
    backend.namespaces["ns-test"] = {"k": StateItem("k", b"v", None, 2_000_000_000)}

    response = await ready.BulkGet(
        state_pb2.BulkGetRequest(items=[state_pb2.GetRequest(key="k")]), metadata=on()
    )

    assert dict(response.items[0].metadata) == {"ttlExpireTime": "2033-05-18T03:33:20Z"}


async def test_bulk_set_checks_every_item_before_writing(
    ready: state_pb2_grpc.StateStoreStub, backend: FakeBackend
) -> None:
    items = [set_request("a"), set_request("b", metadata={"ttlInSeconds": "30"})]

    failed = await failure(
        ready.BulkSet(state_pb2.BulkSetRequest(items=items), metadata=on())
    )

    assert failed.code is grpc.StatusCode.INVALID_ARGUMENT
    assert "60" in failed.message
    assert backend.namespaces.get("ns-test", {}) == {}


async def test_bulk_delete_removes_every_key(
    ready: state_pb2_grpc.StateStoreStub, backend: FakeBackend
) -> None:
    items = [set_request("a"), set_request("b"), set_request("c")]
    await ready.BulkSet(state_pb2.BulkSetRequest(items=items), metadata=on())

    await ready.BulkDelete(
        state_pb2.BulkDeleteRequest(
            items=[state_pb2.DeleteRequest(key="a"), state_pb2.DeleteRequest(key="c")]
        ),
        metadata=on(),
    )

    assert list(backend.namespaces["ns-test"]) == ["b"]


ETAG = state_pb2.Etag(value="1")


FIRST_WRITE = state_pb2.StateOptions(
    concurrency=state_pb2.StateOptions.CONCURRENCY_FIRST_WRITE
)


CONCURRENCY_CALLS = {
    "set with etag": lambda s: s.Set(set_request("app||k", etag=ETAG), metadata=on()),
    "set first-write": lambda s: s.Set(
        set_request("app||k", options=FIRST_WRITE), metadata=on()
    ),
    "delete with etag": lambda s: s.Delete(
        state_pb2.DeleteRequest(key="app||k", etag=ETAG), metadata=on()
    ),
    "delete first-write": lambda s: s.Delete(
        state_pb2.DeleteRequest(key="app||k", options=FIRST_WRITE), metadata=on()
    ),
    "bulk set with etag": lambda s: s.BulkSet(
        state_pb2.BulkSetRequest(items=[set_request("app||k", etag=ETAG)]),
        metadata=on(),
    ),
    "bulk delete with etag": lambda s: s.BulkDelete(
        state_pb2.BulkDeleteRequest(
            items=[state_pb2.DeleteRequest(key="app||k", etag=ETAG)]
        ),
        metadata=on(),
    ),
}


@pytest.mark.parametrize("call", CONCURRENCY_CALLS.values(), ids=CONCURRENCY_CALLS)
async def test_etags_and_first_write_are_refused_clearly(
    ready: state_pb2_grpc.StateStoreStub, backend: FakeBackend, call: Any
) -> None:
    backend.namespaces["ns-test"] = {"app||k": StateItem("app||k", b"old")}

    failed = await failure(call(ready))

    assert failed.code is grpc.StatusCode.INVALID_ARGUMENT
    assert "ETag" in failed.message
    assert "'app||k'" in failed.message
    assert backend.namespaces["ns-test"]["app||k"].data == b"old"


async def test_empty_etag_and_last_write_are_accepted(
    ready: state_pb2_grpc.StateStoreStub, backend: FakeBackend
) -> None:
    options = state_pb2.StateOptions(
        concurrency=state_pb2.StateOptions.CONCURRENCY_LAST_WRITE
    )
    request = set_request("k", etag=state_pb2.Etag(value=""), options=options)

    await ready.Set(request, metadata=on())

    assert backend.namespaces["ns-test"]["k"].data == b"v"


async def test_ping_reaches_the_store(
    ready: state_pb2_grpc.StateStoreStub, backend: FakeBackend
) -> None:
    await ready.Ping(common_pb2.PingRequest(), metadata=on())

    assert backend.stores[-1].pings == 1


async def test_store_errors_carry_their_status_and_http_code(
    ready: state_pb2_grpc.StateStoreStub, backend: FakeBackend
) -> None:
    backend.fail_with = WorkerUnreachableError("cannot reach http://w/: refused")

    failed = await failure(ready.Ping(common_pb2.PingRequest(), metadata=on()))

    assert failed.code is grpc.StatusCode.UNAVAILABLE
    assert failed.message == "cannot reach http://w/: refused"
    assert dict(failed.info.metadata) == {
        "kit_error": "true",
        "http_code": "503",
        "tag": "WORKERSKV_WORKER_UNREACHABLE",
    }


async def test_a_bug_is_internal_and_leaks_nothing(
    ready: state_pb2_grpc.StateStoreStub,
    backend: FakeBackend,
    caplog: pytest.LogCaptureFixture,
) -> None:
    backend.fail_with = KeyError("secret-internal-detail")

    failed = await failure(ready.Get(state_pb2.GetRequest(key="k"), metadata=on()))

    assert failed.code is grpc.StatusCode.INTERNAL
    assert "secret-internal-detail" not in failed.message
    assert failed.info.metadata["http_code"] == "500"
    assert "Traceback" in caplog.text


@pytest.mark.parametrize(
    "method",
    [
        "/dapr.proto.components.v1.TransactionalStateStore/Transact",
        "/dapr.proto.components.v1.QueriableStateStore/Query",
        "/dapr.proto.components.v1.TransactionalStoreMultiMaxSize/MultiMaxSize",
    ],
)
async def test_services_we_do_not_offer_are_unimplemented(
    ready: state_pb2_grpc.StateStoreStub, channel: grpc.aio.Channel, method: str
) -> None:
    call = channel.unary_unary(method)(b"", metadata=on())
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call

    assert caught.value.code() is grpc.StatusCode.UNIMPLEMENTED
