"""The StateStore service over a real unix socket, against a fake store."""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import AsyncIterator, Awaitable, Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from tests.unit.fake_state_store import FakeBackend
from workerskv._proto import common_pb2, state_pb2, state_pb2_grpc
from workerskv.errors import RateLimitedError, WorkerUnreachableError
from workerskv.models import StateItem
from workerskv.server import Instances, create_server

NAME = "statestore"
ODD_KEYS = ["app||a/b c", "app||user/123/settings", "app||ключ ü 鍵", "app||x||y"]


@pytest.fixture
def socket_path() -> Iterator[Path]:
    # tmp_path can be too long for a unix socket path (107 bytes).
    folder = Path(tempfile.mkdtemp(prefix="wkv-"))
    yield folder / "cloudflare.workerskv.sock"
    shutil.rmtree(folder)


@pytest.fixture
def backend() -> FakeBackend:
    return FakeBackend()


@pytest.fixture
async def instances(
    socket_path: Path, backend: FakeBackend
) -> AsyncIterator[Instances]:
    instances = Instances(backend.factory)
    server = create_server(socket_path, instances)
    await server.start()
    yield instances
    await server.stop(None)
    await instances.close()


@pytest.fixture
async def stub(
    instances: Instances, socket_path: Path
) -> AsyncIterator[state_pb2_grpc.StateStoreStub]:
    async with grpc.aio.insecure_channel(f"unix://{socket_path}") as channel:
        yield state_pb2_grpc.StateStoreStub(channel)


@pytest.fixture
async def ready(
    stub: state_pb2_grpc.StateStoreStub, metadata: dict[str, str]
) -> state_pb2_grpc.StateStoreStub:
    """A stub whose default instance has been initialised."""
    await init(stub, metadata)
    return stub


def on(name: str = NAME) -> tuple[tuple[str, str], ...]:
    return (("x-component-instance", name),)


async def init(
    stub: state_pb2_grpc.StateStoreStub, metadata: dict[str, str], name: str = NAME
) -> None:
    request = state_pb2.InitRequest(
        metadata=common_pb2.MetadataRequest(properties=metadata)
    )
    await stub.Init(request, metadata=on(name))


class Failure:
    """What a failed call told its caller."""

    def __init__(self, error: grpc.aio.AioRpcError) -> None:
        self.code = error.code()
        self.message = error.details() or ""
        status = rpc_status.from_call(error)
        assert status is not None, "no rich status in the trailers"
        assert len(status.details) == 1
        self.info = error_details_pb2.ErrorInfo()
        assert status.details[0].Unpack(self.info)


async def failure(call: Awaitable[Any]) -> Failure:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    return Failure(caught.value)


def set_request(key: str, value: bytes = b"v", **fields: Any) -> state_pb2.SetRequest:
    return state_pb2.SetRequest(key=key, value=value, **fields)


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


async def test_values_above_grpcs_default_4_mib_are_accepted(
    ready: state_pb2_grpc.StateStoreStub, backend: FakeBackend
) -> None:
    value = b"x" * (25 * 1024 * 1024)

    await ready.Set(set_request("app||big", value), metadata=on())

    assert backend.namespaces["ns-test"]["app||big"].data == value


async def test_empty_value_is_stored(
    ready: state_pb2_grpc.StateStoreStub, backend: FakeBackend
) -> None:
    await ready.Set(set_request("app||e", b""), metadata=on())

    assert backend.namespaces["ns-test"]["app||e"].data == b""


@pytest.mark.parametrize("ttl", ["59", "abc", "-2", "1.5"])
async def test_set_with_bad_ttl_is_invalid_argument_naming_the_field(
    ready: state_pb2_grpc.StateStoreStub, backend: FakeBackend, ttl: str
) -> None:
    call = ready.Set(
        set_request("app||k", metadata={"ttlInSeconds": ttl}), metadata=on()
    )

    failed = await failure(call)

    assert failed.code is grpc.StatusCode.INVALID_ARGUMENT
    assert "ttlInSeconds" in failed.message
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


async def test_call_for_unknown_instance_names_it(
    ready: state_pb2_grpc.StateStoreStub,
) -> None:
    call = ready.Get(state_pb2.GetRequest(key="k"), metadata=on("other"))

    failed = await failure(call)

    assert failed.code is grpc.StatusCode.FAILED_PRECONDITION
    assert "'other'" in failed.message
    assert "metadata.name" in failed.message


async def test_call_without_instance_metadata_says_so(
    ready: state_pb2_grpc.StateStoreStub,
) -> None:
    failed = await failure(ready.Get(state_pb2.GetRequest(key="k")))

    assert failed.code is grpc.StatusCode.FAILED_PRECONDITION
    assert "x-component-instance" in failed.message


async def test_two_instances_keep_to_their_own_namespace(
    stub: state_pb2_grpc.StateStoreStub,
    backend: FakeBackend,
    metadata: dict[str, str],
) -> None:
    await init(stub, {**metadata, "kvNamespaceID": "ns-one"}, name="one")
    await init(stub, {**metadata, "kvNamespaceID": "ns-two"}, name="two")

    await stub.Set(set_request("app||k", b"1"), metadata=on("one"))
    await stub.Set(set_request("app||k", b"2"), metadata=on("two"))
    one = await stub.Get(state_pb2.GetRequest(key="app||k"), metadata=on("one"))
    two = await stub.Get(state_pb2.GetRequest(key="app||k"), metadata=on("two"))

    assert (one.data, two.data) == (b"1", b"2")
    assert set(backend.namespaces) == {"ns-one", "ns-two"}


async def test_init_again_replaces_and_closes_the_old_store(
    stub: state_pb2_grpc.StateStoreStub,
    backend: FakeBackend,
    metadata: dict[str, str],
) -> None:
    await init(stub, metadata)
    await init(stub, {**metadata, "kvNamespaceID": "ns-new"})

    await stub.Set(set_request("k"), metadata=on())

    old, new = backend.stores
    assert old.closed
    assert not new.closed
    assert list(backend.namespaces) == ["ns-new"]


async def test_init_with_bad_metadata_names_the_field_and_keeps_no_instance(
    stub: state_pb2_grpc.StateStoreStub, metadata: dict[str, str]
) -> None:
    await init(stub, metadata)
    bad = {**metadata, "kvNamespaceID": "has spaces"}

    failed = await failure(init(stub, bad))
    after = await failure(stub.Get(state_pb2.GetRequest(key="k"), metadata=on()))

    assert failed.code is grpc.StatusCode.INVALID_ARGUMENT
    assert "kvNamespaceID" in failed.message
    assert after.code is grpc.StatusCode.FAILED_PRECONDITION


async def test_init_failure_of_the_store_closes_it(
    stub: state_pb2_grpc.StateStoreStub,
    backend: FakeBackend,
    metadata: dict[str, str],
) -> None:
    backend.fail_init_with = RateLimitedError("slow down")

    failed = await failure(init(stub, metadata))

    assert failed.code is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert failed.info.metadata["http_code"] == "429"
    assert backend.stores[0].closed


async def test_logs_one_info_line_per_init_and_none_per_call(
    stub: state_pb2_grpc.StateStoreStub,
    metadata: dict[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="workerskv.server")

    await init(stub, metadata)
    await stub.Set(set_request("k"), metadata=on())
    await stub.Get(state_pb2.GetRequest(key="k"), metadata=on())

    lines = [r.getMessage() for r in caplog.records if r.name == "workerskv.server"]
    assert lines == [
        "component initialised: name=statestore mode=pre-provisioned "
        "worker=http://127.0.0.1:9/ namespace=ns-test"
    ]
    assert "PRIVATE KEY" not in caplog.text


async def test_logs_one_warning_per_failed_call(
    ready: state_pb2_grpc.StateStoreStub, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="workerskv.server")
    request = set_request("app||k", metadata={"ttlInSeconds": "5"})

    await failure(ready.Set(request, metadata=on()))

    [record] = [r for r in caplog.records if r.name == "workerskv.server"]
    assert record.levelno == logging.WARNING
    assert "method=Set instance=statestore code=INVALID_ARGUMENT" in record.getMessage()


@pytest.mark.parametrize(
    "method",
    [
        "/dapr.proto.components.v1.TransactionalStateStore/Transact",
        "/dapr.proto.components.v1.QueriableStateStore/Query",
        "/dapr.proto.components.v1.TransactionalStoreMultiMaxSize/MultiMaxSize",
    ],
)
async def test_services_we_do_not_offer_are_unimplemented(
    ready: state_pb2_grpc.StateStoreStub, socket_path: Path, method: str
) -> None:
    async with grpc.aio.insecure_channel(f"unix://{socket_path}") as channel:
        call = channel.unary_unary(method)(b"", metadata=on())
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await call

    assert caught.value.code() is grpc.StatusCode.UNIMPLEMENTED
