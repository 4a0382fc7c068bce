"""Component instances: Init, one store per Component name, and what is logged."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

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
from workerskv._proto import state_pb2, state_pb2_grpc
from workerskv.errors import ConfigError, RateLimitedError, WorkerUnreachableError
from workerskv.server import Instances, UnknownInstanceError


@pytest.fixture
def backend() -> FakeBackend:
    return FakeBackend()


@pytest.fixture
async def stub(backend: FakeBackend) -> AsyncIterator[state_pb2_grpc.StateStoreStub]:
    with socket_folder() as folder:
        async with serving(folder / SOCKET_NAME, backend) as channel:
            yield state_pb2_grpc.StateStoreStub(channel)


@pytest.fixture
async def ready(
    stub: state_pb2_grpc.StateStoreStub, metadata: dict[str, str]
) -> state_pb2_grpc.StateStoreStub:
    """A stub whose default instance has been initialised."""
    await init(stub, metadata)
    return stub


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


async def test_start_up_component_whose_worker_is_down_recovers_on_a_later_call(
    backend: FakeBackend, metadata: dict[str, str]
) -> None:
    instances = Instances(backend.factory)
    backend.fail_init_with = WorkerUnreachableError("cannot reach the Worker")

    await instances.preload("statestore", metadata)
    with pytest.raises(WorkerUnreachableError):
        await instances.resolve("statestore")
    backend.fail_init_with = None
    store = await instances.resolve("statestore")

    assert await instances.resolve("statestore") is store
    await instances.close()


async def test_start_up_component_with_bad_metadata_is_refused_at_once(
    backend: FakeBackend, metadata: dict[str, str]
) -> None:
    instances = Instances(backend.factory)

    with pytest.raises(ConfigError, match="kvNamespaceID"):
        await instances.preload("statestore", {**metadata, "kvNamespaceID": "a b"})

    with pytest.raises(UnknownInstanceError):
        await instances.resolve("statestore")
