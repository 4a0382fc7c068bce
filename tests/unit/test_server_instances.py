"""Component instances: Init, one store per Component name, and what is logged."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable

import grpc
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.unit.fake_state_store import FakeBackend
from tests.unit.server_harness import (
    NAME,
    SOCKET_NAME,
    failure,
    init,
    on,
    serving,
    set_request,
    socket_folder,
)
from workerskv._proto import state_pb2, state_pb2_grpc
from workerskv.auth import public_key_pem
from workerskv.errors import ConfigError, RateLimitedError, WorkerUnreachableError
from workerskv.server import Instances, UnknownInstanceError


@pytest.fixture
def backend() -> FakeBackend:
    return FakeBackend()


@pytest.fixture
async def instances(backend: FakeBackend) -> AsyncIterator[Instances]:
    """Instances of `backend`'s stores, closed after the test."""
    instances = Instances(backend.factory)
    yield instances
    await instances.close()


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


async def eventually(condition: Callable[[], bool]) -> None:
    """Wait up to five seconds for `condition`, as background work runs."""
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met within 5s")


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


WRONG_KEYS = {
    "P-256 EC key": (
        ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        ),
        "EC private key on curve secp256r1",
    ),
    "RSA key": (
        rsa.generate_private_key(65537, 2048).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        "RSA private key",
    ),
    "public key": (
        public_key_pem(Ed25519PrivateKey.generate()).encode(),
        "public key",
    ),
    "garbage": (b"garbage", "not a readable PEM key"),
}


@pytest.mark.parametrize(("pem", "says"), WRONG_KEYS.values(), ids=WRONG_KEYS)
async def test_init_with_a_key_of_the_wrong_kind_says_what_it_got(
    stub: state_pb2_grpc.StateStoreStub,
    backend: FakeBackend,
    metadata: dict[str, str],
    pem: bytes,
    says: str,
) -> None:
    failed = await failure(init(stub, {**metadata, "key": pem.decode()}))

    assert failed.code is grpc.StatusCode.INVALID_ARGUMENT
    assert failed.info.metadata["http_code"] == "400"
    assert says in failed.message
    assert "'key'" in failed.message
    assert "Ed25519 private key in PKCS#8 PEM" in failed.message
    # The key itself is a secret: no line of it may be echoed back.
    assert not any(line in failed.message for line in pem.decode().splitlines()[1:-1])
    assert backend.stores == []


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
    instances: Instances, backend: FakeBackend, metadata: dict[str, str]
) -> None:
    backend.fail_init_with = WorkerUnreachableError("cannot reach the Worker")

    instances.preload(NAME, metadata)
    with pytest.raises(WorkerUnreachableError):
        await instances.resolve(NAME)
    backend.fail_init_with = None
    store = await instances.resolve(NAME)

    assert await instances.resolve(NAME) is store


async def test_start_up_component_with_bad_metadata_is_refused_at_once(
    instances: Instances, backend: FakeBackend, metadata: dict[str, str]
) -> None:
    with pytest.raises(ConfigError, match="kvNamespaceID"):
        instances.preload(NAME, {**metadata, "kvNamespaceID": "a b"})

    with pytest.raises(UnknownInstanceError):
        await instances.resolve(NAME)
    assert backend.stores == []


async def test_start_up_component_is_set_up_in_the_background(
    instances: Instances,
    backend: FakeBackend,
    metadata: dict[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="workerskv.server")

    instances.preload(NAME, metadata)
    await eventually(lambda: bool(caplog.records))

    assert backend.stores[0].initialised
    assert [r.getMessage() for r in caplog.records] == [
        "component initialised: name=statestore mode=pre-provisioned "
        "worker=http://127.0.0.1:9/ namespace=ns-test"
    ]


async def test_start_up_component_whose_worker_is_down_logs_one_warning(
    instances: Instances,
    backend: FakeBackend,
    metadata: dict[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="workerskv.server")
    backend.fail_init_with = WorkerUnreachableError("cannot reach the Worker")

    instances.preload(NAME, metadata)
    await eventually(lambda: bool(caplog.records))

    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert record.getMessage() == (
        "component not ready, retrying at its next call: name=statestore: "
        "cannot reach the Worker"
    )
    assert not record.exc_info


async def test_start_up_set_up_failing_on_a_bug_logs_its_traceback(
    instances: Instances,
    backend: FakeBackend,
    metadata: dict[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    backend.fail_init_with = KeyError("secret-internal-detail")

    instances.preload(NAME, metadata)
    await eventually(lambda: bool(caplog.records))

    [record] = caplog.records
    assert "internal error in the workerskv component" in record.getMessage()
    assert "Traceback" in caplog.text


async def test_call_during_start_up_set_up_waits_for_it_instead_of_starting_another(
    instances: Instances, backend: FakeBackend, metadata: dict[str, str]
) -> None:
    backend.init_gate = asyncio.Event()
    instances.preload(NAME, metadata)
    await eventually(lambda: bool(backend.stores))

    call = asyncio.create_task(instances.resolve(NAME))
    await asyncio.sleep(0.05)
    waited = not call.done()
    backend.init_gate.set()
    store = await call

    assert waited
    assert backend.stores == [store]


async def test_hung_start_up_component_holds_up_no_other_component(
    metadata: dict[str, str],
) -> None:
    hung, other = FakeBackend(init_gate=asyncio.Event()), FakeBackend()
    instances = Instances(
        lambda config: (hung if config.namespace_id == "ns-hung" else other).factory(
            config
        )
    )
    instances.preload("hung", {**metadata, "kvNamespaceID": "ns-hung"})
    await eventually(lambda: bool(hung.stores))

    try:
        await asyncio.wait_for(instances.init(NAME, metadata), timeout=5)
        store = await asyncio.wait_for(instances.resolve(NAME), timeout=5)
    finally:
        await instances.close()

    assert store is other.stores[0]


async def test_close_stops_a_start_up_set_up_that_hangs(
    backend: FakeBackend, metadata: dict[str, str]
) -> None:
    backend.init_gate = asyncio.Event()
    instances = Instances(backend.factory)
    instances.preload(NAME, metadata)
    await eventually(lambda: bool(backend.stores))

    await asyncio.wait_for(instances.close(), timeout=5)

    assert backend.stores[0].closed
    assert not backend.stores[0].initialised


async def test_failed_init_drops_the_start_up_metadata_too(
    instances: Instances,
    backend: FakeBackend,
    metadata: dict[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    backend.fail_init_with = WorkerUnreachableError("cannot reach the Worker")
    instances.preload(NAME, metadata)
    await eventually(lambda: "not ready" in caplog.text)

    with pytest.raises(ConfigError):
        await instances.init(NAME, {**metadata, "kvNamespaceID": "a b"})

    with pytest.raises(UnknownInstanceError):
        await instances.resolve(NAME)


async def test_init_again_with_the_same_metadata_keeps_the_store(
    stub: state_pb2_grpc.StateStoreStub,
    backend: FakeBackend,
    metadata: dict[str, str],
) -> None:
    await init(stub, metadata)
    await init(stub, dict(metadata))

    await stub.Set(set_request("k"), metadata=on())

    [store] = backend.stores
    assert not store.closed


async def test_init_repeating_the_start_up_metadata_keeps_the_store(
    instances: Instances,
    backend: FakeBackend,
    metadata: dict[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="workerskv.server")
    instances.preload(NAME, metadata)
    await eventually(lambda: bool(caplog.records))

    await instances.init(NAME, dict(metadata))

    [store] = backend.stores
    assert await instances.resolve(NAME) is store
    assert [r.getMessage() for r in caplog.records] == [
        "component initialised: name=statestore mode=pre-provisioned "
        "worker=http://127.0.0.1:9/ namespace=ns-test"
    ]


async def test_init_with_other_metadata_replaces_the_start_up_store(
    instances: Instances, backend: FakeBackend, metadata: dict[str, str]
) -> None:
    instances.preload(NAME, metadata)
    await instances.resolve(NAME)

    await instances.init(NAME, {**metadata, "kvNamespaceID": "ns-new"})

    old, new = backend.stores
    assert old.closed
    assert await instances.resolve(NAME) is new
    assert new.config.namespace_id == "ns-new"


async def test_init_during_a_start_up_set_up_of_the_same_metadata_joins_it(
    instances: Instances,
    backend: FakeBackend,
    metadata: dict[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="workerskv.server")
    backend.init_gate = asyncio.Event()
    instances.preload(NAME, metadata)
    await eventually(lambda: bool(backend.stores))

    call = asyncio.create_task(instances.init(NAME, dict(metadata)))
    await asyncio.sleep(0.05)
    waited = not call.done()
    backend.init_gate.set()
    await asyncio.wait_for(call, timeout=1)

    assert waited
    [store] = backend.stores
    assert await instances.resolve(NAME) is store
    assert len(caplog.records) == 1


async def test_init_joining_a_failing_start_up_set_up_reports_its_error(
    instances: Instances, backend: FakeBackend, metadata: dict[str, str]
) -> None:
    backend.init_gate = asyncio.Event()
    backend.fail_init_with = WorkerUnreachableError("cannot reach the Worker")
    instances.preload(NAME, metadata)
    await eventually(lambda: bool(backend.stores))

    call = asyncio.create_task(instances.init(NAME, dict(metadata)))
    await asyncio.sleep(0.05)
    backend.init_gate.set()
    with pytest.raises(WorkerUnreachableError):
        await asyncio.wait_for(call, timeout=1)

    # One attempt, not a second one of the same metadata inside daprd's Init.
    assert len(backend.stores) == 1


async def test_init_abandoned_by_daprd_leaves_the_start_up_set_up_running(
    instances: Instances, backend: FakeBackend, metadata: dict[str, str]
) -> None:
    backend.init_gate = asyncio.Event()
    instances.preload(NAME, metadata)
    await eventually(lambda: bool(backend.stores))

    with pytest.raises(TimeoutError):
        await asyncio.wait_for(instances.init(NAME, dict(metadata)), timeout=0.05)
    backend.init_gate.set()
    store = await asyncio.wait_for(instances.resolve(NAME), timeout=1)

    assert backend.stores == [store]
    assert store.initialised


async def test_init_with_other_metadata_stops_a_hung_start_up_set_up(
    metadata: dict[str, str],
) -> None:
    hung, other = FakeBackend(init_gate=asyncio.Event()), FakeBackend()
    instances = Instances(
        lambda config: (hung if config.namespace_id == "ns-hung" else other).factory(
            config
        )
    )
    instances.preload(NAME, {**metadata, "kvNamespaceID": "ns-hung"})
    await eventually(lambda: bool(hung.stores))

    try:
        await asyncio.wait_for(instances.init(NAME, metadata), timeout=1)
        store = await instances.resolve(NAME)
    finally:
        await instances.close()

    assert store is other.stores[0]
    assert hung.stores[0].closed
    assert not hung.stores[0].initialised
