"""Start-up components: set up in the background, joined or replaced by Init."""

from __future__ import annotations

import asyncio
import logging

import pytest

from tests.unit.fake_state_store import FakeBackend
from tests.unit.server_harness import NAME, eventually
from workerskv.errors import ConfigError, WorkerUnreachableError
from workerskv.server import Instances, UnknownInstanceError


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
    # The failed Init leaves nothing for a later call to set up again.
    with pytest.raises(UnknownInstanceError):
        await instances.resolve(NAME)
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
