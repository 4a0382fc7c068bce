"""Two components on one socket, and pieces stopped and restarted under daprd."""

from __future__ import annotations

import asyncio
import time

import grpc
import httpx
import pytest
from dapr.aio.clients import DaprClient
from dapr.clients.exceptions import DaprGrpcError

from tests.e2e.harness import Stack, dapr_key
from workerskv.store import StateStore

pytestmark = pytest.mark.e2e

RECOVERY_TIMEOUT = 30.0


async def eventually_ok(http: httpx.AsyncClient, url: str) -> httpx.Response:
    """GET `url` until it answers 200; fail after RECOVERY_TIMEOUT."""
    deadline = time.monotonic() + RECOVERY_TIMEOUT
    while True:
        answer = await http.get(url)
        if answer.status_code == 200:
            return answer
        assert time.monotonic() < deadline, f"still {answer.status_code}: {answer.text}"
        await asyncio.sleep(0.5)


async def test_two_components_on_one_socket_keep_their_namespaces(
    dapr: DaprClient, kv_a: StateStore, kv_b: StateStore
) -> None:
    await dapr.save_state("kv-a", "shared", b"a")
    await dapr.save_state("kv-b", "shared", b"b")

    from_a = await dapr.get_state("kv-a", "shared")
    from_b = await dapr.get_state("kv-b", "shared")
    stored_a = await kv_a.get(dapr_key("shared"))
    stored_b = await kv_b.get(dapr_key("shared"))

    assert (from_a.data, from_b.data) == (b"a", b"b")
    assert stored_a is not None
    assert stored_a.data == b"a"
    assert stored_b is not None
    assert stored_b.data == b"b"


async def test_only_the_written_namespace_holds_a_key(
    dapr: DaprClient, kv_a: StateStore, kv_b: StateStore
) -> None:
    await dapr.save_state("kv-b", "only-b", b"b")

    assert await kv_a.get(dapr_key("only-b")) is None
    assert await kv_b.get(dapr_key("only-b")) is not None


async def test_worker_down_fails_clearly_then_recovers_by_itself(
    stack: Stack, dapr: DaprClient, http: httpx.AsyncClient
) -> None:
    await http.post("/state/kv-a", json=[{"key": "survivor", "value": "kept"}])

    await stack.worker.stop()
    try:
        down = await http.get("/state/kv-a/survivor")
        with pytest.raises(DaprGrpcError) as down_grpc:
            await dapr.get_state("kv-a", "survivor")
    finally:
        await stack.worker.start()
    up = await eventually_ok(http, "/state/kv-a/survivor")

    assert down_grpc.value.code() is grpc.StatusCode.UNAVAILABLE
    assert "cannot reach the Worker" in (down_grpc.value.details() or "")
    assert down.status_code == 503, down.text
    # daprd keeps the HTTP code we chose but names the error with its own code.
    assert down.json()["errorCode"] == "ERR_STATE_GET"
    assert "cannot reach the Worker" in down.json()["message"]
    assert up.json() == "kept"


async def test_component_process_restart_resumes_serving(
    stack: Stack, http: httpx.AsyncClient
) -> None:
    await http.post("/state/kv-a", json=[{"key": "restart", "value": "kept"}])

    status = await asyncio.to_thread(stack.component.stop)
    down = await http.get("/state/kv-a/restart")
    await asyncio.to_thread(stack.component.start)
    up = await eventually_ok(http, "/state/kv-a/restart")

    assert status == 0
    assert down.status_code >= 500
    assert up.json() == "kept"
