"""Managed mode end to end: the Cloudflare stand-in deploys into real workerd."""

from __future__ import annotations

import dataclasses
import logging
import time

import pytest

from tests.standin import CloudflareStandIn
from tests.standin.fixtures import (
    ACCOUNT,
    BARE_ACCOUNT,
    BARE_TOKEN,
    NAMESPACES,
    READ_ONLY_TOKEN,
    SUBDOMAIN,
    TOKEN,
    Metadata,
    cloudflare_env,
    managed_metadata,
    other_key_pem,
    standin,
    worker_name,
)
from workerskv.artifact import WorkerArtifact, load_worker
from workerskv.auth import public_key_pem
from workerskv.config import Config
from workerskv.errors import (
    APITokenError,
    ProvisionTimeoutError,
    SubdomainMissingError,
    WorkerKeyMismatchError,
)
from workerskv.provision import ensure_worker, worker_status
from workerskv.store import StateStore

pytestmark = pytest.mark.usefixtures("cloudflare_env")
__all__ = ["cloudflare_env", "managed_metadata", "standin", "worker_name"]

DEADLINE = 60.0
FAST_POLL = 0.2
OLD_VERSION = "20230517"


def _older(artifact: WorkerArtifact, version: str = OLD_VERSION) -> WorkerArtifact:
    """The shipped Worker, relabelled as an older release would have shipped it."""
    marker = f'"{artifact.version}"'.encode()
    assert artifact.script.count(marker) == 1, "the bundle names its version once"
    script = artifact.script.replace(marker, f'"{version}"'.encode())
    return dataclasses.replace(artifact, version=version, script=script)


async def _deploy(metadata: dict[str, str], **options: object) -> str:
    config = Config.from_metadata(metadata)
    return await ensure_worker(
        config, deadline=DEADLINE, poll_interval=FAST_POLL, **options
    )


async def test_first_init_deploys_the_worker_and_the_store_uses_it(
    standin: CloudflareStandIn, managed_metadata: Metadata, worker_name: str
) -> None:
    metadata = managed_metadata()

    async with StateStore(metadata, init_timeout=DEADLINE) as store:
        await store.set("app||greeting", b"hello")
        item = await store.get("app||greeting")
        url = store.worker_url

    assert item is not None
    assert item.data == b"hello"
    assert url == f"https://{worker_name}.{SUBDOMAIN}.workers.dev/"
    assert store.worker_info.version == load_worker().version
    assert store.worker_info.namespaces == (NAMESPACES[0],)
    script = standin.script(ACCOUNT, worker_name)
    assert script is not None
    assert script.uploads == 1
    assert script.workers_dev


async def test_upload_carries_the_bindings_the_worker_needs(
    standin: CloudflareStandIn, managed_metadata: Metadata, worker_name: str
) -> None:
    metadata = managed_metadata()

    await _deploy(metadata)

    script = standin.script(ACCOUNT, worker_name)
    assert script is not None
    key = Config.from_metadata(metadata).private_key
    assert script.metadata["main_module"] == "worker.js"
    assert script.metadata["compatibility_date"] == load_worker().compatibility_date
    assert script.metadata["bindings"] == [
        {"type": "kv_namespace", "name": "ns-one", "namespace_id": "ns-one"},
        {"type": "plain_text", "name": "PUBLIC_KEY", "text": public_key_pem(key)},
        {"type": "plain_text", "name": "TOKEN_AUDIENCE", "text": worker_name},
    ]
    assert script.modules["worker.js"].data == load_worker().script


async def test_second_init_finds_the_worker_current_and_does_not_redeploy(
    standin: CloudflareStandIn, managed_metadata: Metadata, worker_name: str
) -> None:
    metadata = managed_metadata()
    await _deploy(metadata)

    async with StateStore(metadata, init_timeout=DEADLINE) as store:
        await store.set("k", b"v")

    assert standin.uploads(ACCOUNT, worker_name) == 1


async def test_outdated_worker_is_upgraded_at_the_next_init(
    standin: CloudflareStandIn, managed_metadata: Metadata, worker_name: str
) -> None:
    metadata = managed_metadata()
    url = await _deploy(metadata, artifact=_older(load_worker()))
    pinned = {**metadata, "workerUrl": url}
    async with StateStore(pinned, init_timeout=DEADLINE) as old:
        assert old.worker_info.version == OLD_VERSION
        await old.set("kept", b"across the upgrade")

    async with StateStore(metadata, init_timeout=DEADLINE) as store:
        item = await store.get("kept")
        version = store.worker_info.version

    assert standin.uploads(ACCOUNT, worker_name) == 2
    assert version == load_worker().version
    assert item is not None
    assert item.data == b"across the upgrade"


async def test_newer_worker_is_left_alone(
    standin: CloudflareStandIn, managed_metadata: Metadata, worker_name: str
) -> None:
    metadata = managed_metadata()
    await _deploy(metadata, artifact=_older(load_worker(), "20991231"))

    await _deploy(metadata)

    assert standin.uploads(ACCOUNT, worker_name) == 1


async def test_a_second_namespace_is_bound_beside_the_first(
    standin: CloudflareStandIn, managed_metadata: Metadata, worker_name: str
) -> None:
    first, second = NAMESPACES
    async with StateStore(managed_metadata(), init_timeout=DEADLINE) as one:
        await one.set("where", first.encode())

        other = managed_metadata(kvNamespaceID=second)
        async with StateStore(other, init_timeout=DEADLINE) as two:
            assert set(two.worker_info.namespaces) == {first, second}
            assert await two.get("where") is None
            await two.set("where", second.encode())
            # The component set up first keeps working on the redeployed Worker.
            item = await one.get("where")

    async with StateStore(managed_metadata(), init_timeout=DEADLINE) as again:
        assert set(again.worker_info.namespaces) == {first, second}

    assert standin.uploads(ACCOUNT, worker_name) == 2
    assert item is not None
    assert item.data == first.encode()


async def test_forced_deploy_binds_only_the_components_namespace(
    standin: CloudflareStandIn, managed_metadata: Metadata, worker_name: str
) -> None:
    first, second = NAMESPACES
    await _deploy(managed_metadata())
    await _deploy(managed_metadata(kvNamespaceID=second))

    await _deploy(managed_metadata(), force=True)
    status = await worker_status(Config.from_metadata(managed_metadata()))

    assert standin.uploads(ACCOUNT, worker_name) == 3
    assert status.info is not None
    assert status.info.namespaces == (first,)


async def test_unknown_api_token_fails_init_without_showing_it(
    standin: CloudflareStandIn, managed_metadata: Metadata, worker_name: str
) -> None:
    wrong = "cf-token-that-does-not-exist"
    store = StateStore(managed_metadata(cfAPIToken=wrong), init_timeout=DEADLINE)

    with pytest.raises(APITokenError) as caught:
        await store.init()

    assert "does not accept the token in 'cfAPIToken'" in str(caught.value)
    assert wrong not in str(caught.value)
    assert standin.script(ACCOUNT, worker_name) is None


async def test_token_without_edit_permission_names_the_permission(
    standin: CloudflareStandIn, managed_metadata: Metadata, worker_name: str
) -> None:
    metadata = managed_metadata(cfAPIToken=READ_ONLY_TOKEN)

    with pytest.raises(APITokenError) as caught:
        await _deploy(metadata)

    assert "Workers Scripts:Edit" in str(caught.value)
    assert READ_ONLY_TOKEN not in str(caught.value)
    assert standin.script(ACCOUNT, worker_name) is None


async def test_account_without_subdomain_fails_init_saying_where_to_register(
    managed_metadata: Metadata,
) -> None:
    metadata = managed_metadata(cfAccountID=BARE_ACCOUNT, cfAPIToken=BARE_TOKEN)
    store = StateStore(metadata, init_timeout=DEADLINE)

    with pytest.raises(SubdomainMissingError) as caught:
        await store.init()

    message = str(caught.value)
    assert "workers.dev subdomain" in message
    assert "Workers & Pages" in message


async def test_worker_holding_another_key_is_not_redeployed(
    standin: CloudflareStandIn, managed_metadata: Metadata, worker_name: str
) -> None:
    owner = managed_metadata()
    await _deploy(owner)
    intruder = managed_metadata(key=other_key_pem())

    with pytest.raises(WorkerKeyMismatchError) as caught:
        await StateStore(intruder, init_timeout=DEADLINE).init()

    message = str(caught.value)
    assert "holds another public key" in message
    assert "left unchanged" in message
    assert "'key'" in message
    assert "'workerName'" in message
    assert "workerskv worker deploy --force" in message
    assert standin.uploads(ACCOUNT, worker_name) == 1
    async with StateStore(owner, init_timeout=DEADLINE) as store:
        await store.set("still", b"served")


async def test_force_replaces_a_worker_holding_another_key(
    standin: CloudflareStandIn, managed_metadata: Metadata, worker_name: str
) -> None:
    await _deploy(managed_metadata())
    replacement = managed_metadata(key=other_key_pem())

    await _deploy(replacement, force=True)

    assert standin.uploads(ACCOUNT, worker_name) == 2
    async with StateStore(replacement, init_timeout=DEADLINE) as store:
        await store.set("k", b"v")


async def test_worker_not_ready_before_the_deadline_fails_clearly(
    standin: CloudflareStandIn, managed_metadata: Metadata
) -> None:
    config = Config.from_metadata(managed_metadata())
    standin.set_publish_delay(60)
    started = time.monotonic()
    try:
        with pytest.raises(ProvisionTimeoutError) as caught:
            await ensure_worker(config, deadline=10, poll_interval=FAST_POLL)
    finally:
        standin.set_publish_delay(0)

    assert time.monotonic() - started < 20
    message = str(caught.value)
    assert "not ready within 10 s" in message
    assert f"waiting for the Worker to answer with version {load_worker().version}" in (
        message
    )
    assert "nothing here yet" in message
    assert "initTimeout" in message


async def test_progress_is_logged_one_line_per_step_without_the_token(
    managed_metadata: Metadata, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    await _deploy(managed_metadata())

    steps = [r.getMessage() for r in caplog.records if r.name == "workerskv.provision"]
    assert [step.split(" ")[0] for step in steps] == [
        "Worker",
        "deploying",
        "uploaded",
        "enabled",
        "waiting",
        "Worker",
    ]
    assert all("\n" not in step for step in steps)
    assert TOKEN not in caplog.text


async def test_status_reports_a_managed_worker(managed_metadata: Metadata) -> None:
    metadata = managed_metadata()
    await _deploy(metadata)

    status = await worker_status(Config.from_metadata(metadata))

    assert status.reachable
    assert status.token_accepted is True
    assert status.namespace_bound is True
    assert status.outdated is False
    assert status.clock_skew is not None
    assert abs(status.clock_skew) < 5
