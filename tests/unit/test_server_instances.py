"""Component instances: Init, one store per Component name, and what is logged."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import grpc
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

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
from workerskv.auth import public_key_pem
from workerskv.errors import RateLimitedError


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
