"""The component process: socket, discovery, health, start-up and stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from tests.unit.fake_state_store import FakeBackend, FakeStore
from tests.unit.server_harness import (
    SOCKET_NAME,
    failure,
    init,
    on,
    serving,
    socket_folder,
)
from workerskv._proto import state_pb2, state_pb2_grpc
from workerskv.component import Component
from workerskv.config import Config
from workerskv.errors import ConfigError, WorkerUnreachableError
from workerskv.models import StateItem
from workerskv.server import Instances, create_server, serve

STATE_STORE = "dapr.proto.components.v1.StateStore"
SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


@dataclass
class SlowBackend(FakeBackend):
    """Fake stores whose Get waits for `get_gate`, as a slow Worker would."""

    get_started: asyncio.Event = field(default_factory=asyncio.Event)
    get_gate: asyncio.Event = field(default_factory=asyncio.Event)

    def factory(self, config: Config) -> FakeStore:
        store = SlowStore(self, config)
        self.stores.append(store)
        return store


class SlowStore(FakeStore):
    """A fake store whose Get answers once its backend's gate opens."""

    backend: SlowBackend

    async def get(self, key: str) -> StateItem | None:
        self.backend.get_started.set()
        await self.backend.get_gate.wait()
        return await super().get(key)


@pytest.fixture
def socket_path() -> Iterator[Path]:
    """A socket path in a folder that does not exist yet."""
    with socket_folder() as folder:
        yield folder / "sockets" / SOCKET_NAME


@pytest.fixture
async def channel(socket_path: Path) -> AsyncIterator[grpc.aio.Channel]:
    async with serving(socket_path, FakeBackend()) as channel:
        yield channel


async def list_services(channel: grpc.aio.Channel) -> list[str]:
    """Ask like daprd does: v1alpha reflection, `list_services`."""
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    call = stub.ServerReflectionInfo()
    await call.write(reflection_pb2.ServerReflectionRequest(list_services=""))
    await call.done_writing()
    [response] = [response async for response in call]
    return [service.name for service in response.list_services_response.service]


@contextlib.asynccontextmanager
async def served(
    socket_path: Path, components: list[Component], backend: FakeBackend
) -> AsyncIterator[grpc.aio.Channel]:
    """`serve` in a task, once it says it is listening; stopped on exit."""
    stop, ready = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(
        serve(socket_path, components, factory=backend.factory, stop=stop, ready=ready)
    )
    try:
        await asyncio.wait_for(ready.wait(), timeout=5)
        async with grpc.aio.insecure_channel(f"unix://{socket_path}") as channel:
            yield channel
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=5)


async def test_reflection_lists_the_state_store(channel: grpc.aio.Channel) -> None:
    services = await list_services(channel)

    assert STATE_STORE in services
    assert "grpc.health.v1.Health" in services


async def test_health_check_is_serving(channel: grpc.aio.Channel) -> None:
    stub = health_pb2_grpc.HealthStub(channel)

    response = await stub.Check(health_pb2.HealthCheckRequest())

    assert response.status == health_pb2.HealthCheckResponse.SERVING


async def test_stale_socket_is_replaced(socket_path: Path) -> None:
    socket_path.parent.mkdir()
    with socket.socket(socket.AF_UNIX) as stale:
        stale.bind(str(socket_path))

    server = create_server(socket_path, Instances(FakeBackend().factory))
    await server.start()
    async with grpc.aio.insecure_channel(f"unix://{socket_path}") as channel:
        services = await list_services(channel)
    await server.stop(None)

    assert STATE_STORE in services


def test_live_socket_is_not_taken_over(socket_path: Path) -> None:
    socket_path.parent.mkdir()
    with socket.socket(socket.AF_UNIX) as live:
        live.bind(str(socket_path))
        live.listen()

        with pytest.raises(ConfigError, match="another process is serving"):
            create_server(socket_path, Instances(FakeBackend().factory))

    assert socket_path.exists()


def test_other_file_at_socket_path_is_not_removed(socket_path: Path) -> None:
    socket_path.parent.mkdir()
    socket_path.write_text("keep me")

    with pytest.raises(ConfigError, match="not a socket"):
        create_server(socket_path, Instances(FakeBackend().factory))

    assert socket_path.read_text() == "keep me"


def test_socket_folder_that_cannot_be_made_is_a_config_error(
    socket_path: Path,
) -> None:
    socket_path.parent.parent.joinpath("file").write_text("")
    path = socket_path.parent.parent / "file" / "x.sock"

    with pytest.raises(ConfigError, match="cannot create the folder"):
        create_server(path, Instances(FakeBackend().factory))


def test_too_long_socket_path_is_refused() -> None:
    path = Path("/tmp") / ("d" * 100) / "cloudflare.workerskv.sock"

    with pytest.raises(ConfigError, match="107 bytes"):
        create_server(path, Instances(FakeBackend().factory))

    assert not path.parent.exists()


async def test_serve_initialises_components_and_removes_socket_on_stop(
    socket_path: Path, metadata: dict[str, str]
) -> None:
    backend = FakeBackend(namespaces={"ns-test": {"k": StateItem("k", b"kept")}})
    component = Component("statestore", "state.cloudflare.workerskv", metadata)

    async with served(socket_path, [component], backend) as channel:
        stub = state_pb2_grpc.StateStoreStub(channel)
        response = await stub.Get(state_pb2.GetRequest(key="k"), metadata=on())

    assert response.data == b"kept"
    assert not await asyncio.to_thread(socket_path.exists)
    assert backend.stores[0].closed


async def test_serve_sets_ready_once_it_answers_on_the_socket(
    socket_path: Path,
) -> None:
    async with served(socket_path, [], FakeBackend()) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        response = await health.Check(health_pb2.HealthCheckRequest())

    assert response.status == health_pb2.HealthCheckResponse.SERVING


async def test_serve_listens_at_once_while_a_components_worker_hangs(
    socket_path: Path, metadata: dict[str, str]
) -> None:
    backend = FakeBackend(init_gate=asyncio.Event())
    component = Component("statestore", "state.cloudflare.workerskv", metadata)

    async with served(socket_path, [component], backend) as channel:
        stub = state_pb2_grpc.StateStoreStub(channel)
        call = stub.Get(state_pb2.GetRequest(key="k"), metadata=on())
        await asyncio.sleep(0.05)
        waited = not call.done()
        backend.init_gate.set()
        response = await call

    assert waited
    assert response == state_pb2.GetResponse()
    assert len(backend.stores) == 1


async def test_serve_stops_while_a_components_worker_hangs(
    socket_path: Path, metadata: dict[str, str]
) -> None:
    backend = FakeBackend(init_gate=asyncio.Event())
    component = Component("statestore", "state.cloudflare.workerskv", metadata)

    async with served(socket_path, [component], backend):
        pass

    assert backend.stores[0].closed


async def test_serve_fails_before_listening_when_a_component_is_misconfigured(
    socket_path: Path, metadata: dict[str, str]
) -> None:
    component = Component(
        "statestore", "state.cloudflare.workerskv", {**metadata, "kvNamespaceID": "a b"}
    )

    with pytest.raises(ConfigError, match="kvNamespaceID"):
        await serve(socket_path, [component], factory=FakeBackend().factory)

    assert not await asyncio.to_thread(socket_path.exists)


async def test_serve_listens_when_a_components_worker_is_down(
    socket_path: Path, metadata: dict[str, str]
) -> None:
    backend = FakeBackend(fail_init_with=WorkerUnreachableError("no Worker"))
    component = Component("statestore", "state.cloudflare.workerskv", metadata)

    async with served(socket_path, [component], backend) as channel:
        stub = state_pb2_grpc.StateStoreStub(channel)
        failed = await failure(stub.Get(state_pb2.GetRequest(key="k"), metadata=on()))

    assert failed.code is grpc.StatusCode.UNAVAILABLE
    assert backend.stores
    assert all(store.closed for store in backend.stores)


async def test_serve_refuses_a_component_of_another_type(
    socket_path: Path, metadata: dict[str, str]
) -> None:
    component = Component("cache", "state.redis", metadata, source=Path("redis.yaml"))

    with pytest.raises(ConfigError, match=r"redis\.yaml: component 'cache' is of type"):
        await serve(socket_path, [component], factory=FakeBackend().factory)

    assert not await asyncio.to_thread(socket_path.exists)


async def test_serve_refuses_two_components_of_one_name(
    socket_path: Path, metadata: dict[str, str]
) -> None:
    first = Component(
        "kv", "state.cloudflare.workerskv", metadata, source=Path("a.yaml")
    )
    second = Component(
        "kv", "state.cloudflare.workerskv", metadata, source=Path("b.yaml")
    )

    with pytest.raises(
        ConfigError, match=r"a\.yaml and b\.yaml both name a component 'kv'"
    ):
        await serve(socket_path, [first, second], factory=FakeBackend().factory)


async def test_sigterm_lets_a_call_in_flight_finish_and_refuses_new_ones(
    socket_path: Path, metadata: dict[str, str]
) -> None:
    backend = SlowBackend(namespaces={"ns-test": {"k": StateItem("k", b"kept")}})
    component = Component("statestore", "state.cloudflare.workerskv", metadata)
    ready = asyncio.Event()
    task = asyncio.create_task(
        serve(socket_path, [component], factory=backend.factory, grace=5, ready=ready)
    )
    await asyncio.wait_for(ready.wait(), timeout=5)

    async with grpc.aio.insecure_channel(f"unix://{socket_path}") as channel:
        stub = state_pb2_grpc.StateStoreStub(channel)
        watch = health_pb2_grpc.HealthStub(channel).Watch(
            health_pb2.HealthCheckRequest()
        )
        before = await watch.read()
        in_flight = stub.Get(state_pb2.GetRequest(key="k"), metadata=on())
        await asyncio.wait_for(backend.get_started.wait(), timeout=5)
        os.kill(os.getpid(), signal.SIGTERM)
        during = await asyncio.wait_for(watch.read(), timeout=5)
        watch.cancel()
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await stub.Get(state_pb2.GetRequest(key="k"), metadata=on(), timeout=5)
        backend.get_gate.set()
        response = await in_flight
    await asyncio.wait_for(task, timeout=5)

    assert (before.status, during.status) == (SERVING, NOT_SERVING)
    assert refused.value.code() is grpc.StatusCode.UNAVAILABLE
    assert response.data == b"kept"
    assert not await asyncio.to_thread(socket_path.exists)


async def test_stop_cuts_off_a_call_still_running_after_the_grace_period(
    socket_path: Path, metadata: dict[str, str]
) -> None:
    backend = SlowBackend()
    component = Component("statestore", "state.cloudflare.workerskv", metadata)
    stop, ready = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(
        serve(
            socket_path,
            [component],
            factory=backend.factory,
            grace=0.2,
            stop=stop,
            ready=ready,
        )
    )
    await asyncio.wait_for(ready.wait(), timeout=5)

    async with grpc.aio.insecure_channel(f"unix://{socket_path}") as channel:
        stub = state_pb2_grpc.StateStoreStub(channel)
        in_flight = stub.Get(state_pb2.GetRequest(key="k"), metadata=on())
        await asyncio.wait_for(backend.get_started.wait(), timeout=5)
        started = time.monotonic()
        stop.set()
        await asyncio.wait_for(task, timeout=5)
        stopped_after = time.monotonic() - started
        with pytest.raises(grpc.aio.AioRpcError):
            await in_flight

    assert 0.2 <= stopped_after < 2
    assert backend.stores[0].closed


async def test_component_with_secret_references_waits_for_daprds_init(
    socket_path: Path,
    metadata: dict[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="workerskv.server")
    backend = FakeBackend()
    without_key = {k: v for k, v in metadata.items() if k != "key"}
    secret = Component(
        "secret", "state.cloudflare.workerskv", without_key, secret_refs=("key",)
    )
    plain = Component("statestore", "state.cloudflare.workerskv", metadata)

    async with served(socket_path, [secret, plain], backend) as channel:
        stub = state_pb2_grpc.StateStoreStub(channel)
        await stub.Get(state_pb2.GetRequest(key="k"), metadata=on())
        before = await failure(
            stub.Get(state_pb2.GetRequest(key="k"), metadata=on("secret"))
        )
        await init(stub, metadata, name="secret")
        after = await stub.Get(state_pb2.GetRequest(key="k"), metadata=on("secret"))

    assert before.code is grpc.StatusCode.FAILED_PRECONDITION
    assert after == state_pb2.GetResponse()
    assert len(backend.stores) == 2
    [warning] = [r for r in caplog.records if "at start" in r.getMessage()]
    assert warning.levelno == logging.WARNING
    assert warning.getMessage() == (
        "component not set up at start: name=secret: its metadata 'key' comes "
        "from a secret store, which only daprd reads; it is set up when daprd "
        "calls Init"
    )


def test_server_package_exports_a_sorted_all() -> None:
    import workerskv.server

    names = workerskv.server.__all__

    assert names == sorted(names)
    assert all(hasattr(workerskv.server, name) for name in names)
