"""The component process: a gRPC server on a unix socket, until told to stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import stat
from collections.abc import Sequence
from pathlib import Path

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from workerskv._proto import state_pb2, state_pb2_grpc
from workerskv.component import Component
from workerskv.errors import ConfigError
from workerskv.server.instances import Instances, StoreFactory
from workerskv.server.servicer import StateStoreServicer
from workerskv.store import StateStore

log = logging.getLogger("workerskv.server")

DEFAULT_SOCKET_FOLDER = "/tmp/dapr-components-sockets"  # noqa: S108 - daprd's default
DEFAULT_SOCKET_NAME = "cloudflare.workerskv.sock"
# Time in-flight calls get to finish after SIGTERM or SIGINT.
GRACE_PERIOD = 10.0
# A bulk write carries several values of up to about 4 MiB each, far above gRPC's
# 4 MiB default for a whole message.
MAX_MESSAGE_BYTES = 128 * 1024 * 1024
# sun_path holds 108 bytes on Linux, including the terminating NUL.
_MAX_SOCKET_PATH = 107

SERVICE_NAME = state_pb2.DESCRIPTOR.services_by_name["StateStore"].full_name


def create_server(
    socket_path: Path,
    instances: Instances,
    health_servicer: health.aio.HealthServicer | None = None,
) -> grpc.aio.Server:
    """A server for `instances` bound to `socket_path`, not yet started."""
    _claim_socket(socket_path)

    server = grpc.aio.server(
        options=[("grpc.max_receive_message_length", MAX_MESSAGE_BYTES)]
    )
    # The generated registration function carries no annotations.
    state_pb2_grpc.add_StateStoreServicer_to_server(  # type: ignore[no-untyped-call]
        StateStoreServicer(instances), server
    )
    health_pb2_grpc.add_HealthServicer_to_server(
        health_servicer or health.aio.HealthServicer(), server
    )
    reflection.enable_server_reflection(
        (
            SERVICE_NAME,
            health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
            reflection.SERVICE_NAME,
        ),
        server,
    )
    try:
        server.add_insecure_port(f"unix://{socket_path}")
    except RuntimeError as exc:
        raise _socket_error(f"cannot listen on {socket_path}: {exc}") from None
    return server


async def serve(
    socket_path: Path,
    components: Sequence[Component] = (),
    *,
    factory: StoreFactory = StateStore,
    grace: float = GRACE_PERIOD,
    stop: asyncio.Event | None = None,
    ready: asyncio.Event | None = None,
) -> None:
    """Serve until SIGTERM, SIGINT or `stop`, setting `ready` once listening.

    The metadata of `components` is checked before listening; their stores are
    set up in the background, except those with secret references, which only
    daprd can resolve.
    """
    stop = stop or asyncio.Event()
    instances = Instances(factory)
    try:
        # daprd looks for sockets only at its own start: a hung Worker must not
        # keep ours from appearing.
        _check_components(components, socket_path)
        for component in components:
            _preload(instances, component)
        await _run(socket_path, instances, grace, stop, ready)
    finally:
        await instances.close()


async def _run(
    socket_path: Path,
    instances: Instances,
    grace: float,
    stop: asyncio.Event,
    ready: asyncio.Event | None,
) -> None:
    health_servicer = health.aio.HealthServicer()
    server = create_server(socket_path, instances, health_servicer)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        await server.start()
        log.info("serving: socket=%s type=%s", socket_path, _type_for(socket_path))
        if ready is not None:
            ready.set()
        await stop.wait()
        await _drain(server, health_servicer, grace)
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
        _release_socket(socket_path)


async def _drain(
    server: grpc.aio.Server, health_servicer: health.aio.HealthServicer, grace: float
) -> None:
    """Refuse new calls and give those in flight `grace` seconds to finish."""
    log.info("stopping: grace=%ss", grace)
    # Health watchers learn of the stop while in-flight calls finish.
    await health_servicer.enter_graceful_shutdown()
    await server.stop(grace)


def _socket_error(message: str) -> ConfigError:
    return ConfigError("socket", message, metadata=False)


def _claim_socket(path: Path) -> None:
    """Make `path` free for our socket, refusing to take over a live one."""
    if len(os.fsencode(path)) > _MAX_SOCKET_PATH:
        raise _socket_error(
            f"{path} is longer than the {_MAX_SOCKET_PATH} bytes a unix socket path "
            "may have; choose a shorter folder",
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _socket_error(
            f"cannot create the folder {path.parent}: {exc.strerror}"
        ) from None
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return

    if not stat.S_ISSOCK(mode):
        raise _socket_error(f"{path} exists and is not a socket; remove it")
    if _listening(path):
        raise _socket_error(
            f"another process is serving on {path}; stop it or choose another "
            "socket folder or name",
        )
    log.info("replacing stale socket: socket=%s", path)
    path.unlink()


def _release_socket(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def _listening(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        try:
            probe.connect(os.fspath(path))
        except OSError:
            return False
    return True


def _type_for(socket_path: Path) -> str:
    """The Component type daprd registers for a socket: `state.` and its stem."""
    return "state." + socket_path.name.rsplit(".", 1)[0]


def _preload(instances: Instances, component: Component) -> None:
    if component.secret_refs:
        log.warning(
            "component not set up at start: name=%s: its metadata %s comes from a "
            "secret store, which only daprd reads; it is set up when daprd calls Init",
            component.name,
            ", ".join(repr(name) for name in component.secret_refs),
        )
        return

    try:
        instances.preload(component.name, component.metadata)
    except ConfigError as exc:
        where = f"{component.source}, component {component.name!r}"
        raise ConfigError(where, str(exc), metadata=False) from None


def _check_components(components: Sequence[Component], socket_path: Path) -> None:
    """Refuse start-up components this socket would not serve, or serve twice."""
    expected = _type_for(socket_path)
    seen: dict[str, Component] = {}
    for component in components:
        if component.type != expected:
            raise ConfigError(
                "spec.type",
                f"{component.source}: component {component.name!r} is of type "
                f"{component.type!r}; this socket serves {expected!r}",
                metadata=False,
            )
        if component.name in seen:
            raise ConfigError(
                "metadata.name",
                f"{seen[component.name].source} and {component.source} both name a "
                f"component {component.name!r}; give each component its own name",
                metadata=False,
            )
        seen[component.name] = component
