"""Helpers of the component server's unit tests: a served store and call helpers."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from tests.unit.fake_state_store import FakeBackend
from workerskv._proto import common_pb2, state_pb2, state_pb2_grpc
from workerskv.server import Instances, create_server

NAME = "statestore"
SOCKET_NAME = "cloudflare.workerskv.sock"


@contextlib.contextmanager
def socket_folder() -> Iterator[Path]:
    """A fresh short folder: tmp_path can exceed a socket path's 107 bytes."""
    folder = Path(tempfile.mkdtemp(prefix="wkv-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder)


@contextlib.asynccontextmanager
async def serving(
    socket_path: Path, backend: FakeBackend
) -> AsyncIterator[grpc.aio.Channel]:
    """A server of `backend`'s fake stores, and a channel to it."""
    instances = Instances(backend.factory)
    server = create_server(socket_path, instances)
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"unix://{socket_path}") as channel:
            yield channel
    finally:
        await server.stop(None)
        await instances.close()


def on(name: str = NAME) -> tuple[tuple[str, str], ...]:
    """gRPC metadata naming the component instance, as daprd sends it."""
    return (("x-component-instance", name),)


async def init(
    stub: state_pb2_grpc.StateStoreStub, metadata: dict[str, str], name: str = NAME
) -> None:
    """Call Init for instance `name` with component metadata."""
    request = state_pb2.InitRequest(
        metadata=common_pb2.MetadataRequest(properties=metadata)
    )
    await stub.Init(request, metadata=on(name))


def set_request(key: str, value: bytes = b"v", **fields: Any) -> state_pb2.SetRequest:
    return state_pb2.SetRequest(key=key, value=value, **fields)


class Failure:
    """What a failed call told its caller, read the way daprd reads it."""

    def __init__(self, error: grpc.aio.AioRpcError) -> None:
        self.code = error.code()
        self.message = error.details() or ""
        status = rpc_status.from_call(error)
        assert status is not None, "no rich status in the trailers"
        assert len(status.details) == 1
        self.info = error_details_pb2.ErrorInfo()
        assert status.details[0].Unpack(self.info)


async def failure(call: Awaitable[Any]) -> Failure:
    """Await a call that must fail."""
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    return Failure(caught.value)


async def eventually(condition: Callable[[], bool]) -> None:
    """Wait up to five seconds for `condition`, as background work runs."""
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met within 5s")
