"""One stack for the end-to-end run: Worker on workerd, `workerskv serve`, daprd.

Two components share one socket: `kv-a` and `kv-b`, each on its own namespace of the
same Worker. Nothing is skipped: without Node.js or daprd the tests fail and say why.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from dapr.aio.clients import DaprClient

from tests.e2e.harness import (
    APP_ID,
    ComponentServer,
    Daprd,
    Stack,
    daprd_binary,
    free_port,
    write_component,
)
from workerskv.artifact import load_worker
from workerskv.auth import public_key_pem
from workerskv.localrun import LocalWorker
from workerskv.store import StateStore

WORKER_NAME = "workerskv-e2e"
NAMESPACES = {"kv-a": "ns-e2e-a", "kv-b": "ns-e2e-b"}
# A first build of daprd takes about ten minutes on two cores.
BUILD_TIMEOUT = 1800


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Without $DAPRD the first test builds daprd: give it the time."""
    if os.environ.get("DAPRD"):
        return
    for item in items:
        if item.get_closest_marker("e2e"):
            item.add_marker(pytest.mark.timeout(BUILD_TIMEOUT))


@pytest.fixture(scope="session")
async def local_worker(
    private_key: Ed25519PrivateKey, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[LocalWorker]:
    """Our Worker bound to both namespaces, on a fixed port so it can restart."""
    if shutil.which("node") is None:
        pytest.fail("Node.js is needed to run the Worker on workerd; install Node 20+")
    root = tmp_path_factory.mktemp("worker")
    artifact = load_worker()
    with (root / "workerd.log").open("ab") as log:
        worker = LocalWorker(
            script_path=artifact.path,
            compatibility_date=artifact.compatibility_date,
            namespaces=list(NAMESPACES.values()),
            bindings={
                "PUBLIC_KEY": public_key_pem(private_key),
                "TOKEN_AUDIENCE": WORKER_NAME,
            },
            persist_dir=root / "kv",
            port=free_port(),
            log=log,
        )
        await worker.start()
        yield worker
        await worker.stop()


@pytest.fixture(scope="session")
def stack(
    local_worker: LocalWorker,
    private_pem: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Stack]:
    """daprd serving both components through one `workerskv serve`."""
    binary = daprd_binary()
    root = tmp_path_factory.mktemp("stack")
    resources = root / "resources"
    resources.mkdir()
    # Not under tmp_path: a unix socket path has at most 107 bytes.
    sockets = Path(tempfile.mkdtemp(prefix="wkv-e2e-"))
    metadata = {
        name: {
            "kvNamespaceID": namespace,
            "workerName": WORKER_NAME,
            "workerUrl": local_worker.url,
            "key": private_pem,
        }
        for name, namespace in NAMESPACES.items()
    }
    paths = [write_component(resources, name, m) for name, m in metadata.items()]

    component = ComponentServer(sockets, paths, root / "component.log")
    component.start()
    daprd = Daprd(binary, resources, sockets, root / "daprd.log", APP_ID)
    try:
        daprd.start()
        for name in NAMESPACES:
            assert daprd.loaded(name), daprd.tail()
        yield Stack(local_worker, component, daprd, metadata)
    finally:
        daprd.stop()
        component.stop()
        shutil.rmtree(sockets, ignore_errors=True)


@pytest.fixture
async def dapr(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[DaprClient]:
    """The official Dapr Python SDK, over daprd's gRPC API."""
    # The SDK waits for the sidecar's HTTP health endpoint before connecting.
    monkeypatch.setenv("DAPR_HTTP_PORT", str(stack.daprd.http_port))
    client = DaprClient(address=stack.daprd.grpc_address)
    yield client
    await client.close()


@pytest.fixture
async def http(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    """daprd's HTTP API, as plain HTTP."""
    async with httpx.AsyncClient(
        base_url=f"{stack.daprd.http_url}/v1.0", timeout=60
    ) as client:
        yield client


@pytest.fixture
async def kv_a(stack: Stack) -> AsyncIterator[StateStore]:
    """Our store straight on kv-a's namespace: what daprd handed the component."""
    async with StateStore(stack.metadata["kv-a"]) as store:
        yield store


@pytest.fixture
async def kv_b(stack: Stack) -> AsyncIterator[StateStore]:
    """Our store straight on kv-b's namespace."""
    async with StateStore(stack.metadata["kv-b"]) as store:
        yield store
