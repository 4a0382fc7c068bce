"""When managed mode deploys, what it uploads, and the advice it gives."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from workerskv.artifact import WorkerArtifact, load_worker
from workerskv.auth import public_key_pem
from workerskv.client import WorkerInfo
from workerskv.config import Config
from workerskv.errors import (
    AuthRefusedError,
    ConfigError,
    WorkerError,
    WorkerUnreachableError,
)
from workerskv.provision import (
    Probe,
    WorkerStatus,
    deploy_reason,
    ensure_worker,
    upload_metadata,
    worker_url,
)

SHIPPED = "20240601"


@pytest.fixture
def managed(private_pem: str) -> Config:
    return Config.from_metadata(
        {
            "kvNamespaceID": "ns-test",
            "workerName": "worker-test",
            "key": private_pem,
            "cfAccountID": "acc-test",
            "cfAPIToken": "api-token",
        }
    )


@pytest.fixture
def artifact() -> WorkerArtifact:
    return WorkerArtifact(
        path=Path("worker.js"),
        version=SHIPPED,
        compatibility_date="2024-05-01",
        script=b"export default {}",
    )


def _answer(version: str, *namespaces: str) -> Probe:
    return Probe(info=WorkerInfo(version, namespaces, frozenset()))


def test_worker_url_is_on_the_account_subdomain() -> None:
    assert worker_url("kv", "acme") == "https://kv.acme.workers.dev/"


def test_current_bound_worker_needs_no_deployment(managed: Config) -> None:
    assert deploy_reason(_answer(SHIPPED, "ns-test"), managed, SHIPPED) is None


def test_newer_worker_is_not_downgraded(managed: Config) -> None:
    assert deploy_reason(_answer("20991231", "ns-test"), managed, SHIPPED) is None


@pytest.mark.parametrize("version", ["20230517", "abc", ""])
def test_older_or_unreadable_version_is_redeployed(
    managed: Config, version: str
) -> None:
    reason = deploy_reason(_answer(version, "ns-test"), managed, SHIPPED)

    assert reason is not None
    assert f"{version!r}, older than {SHIPPED}" in reason


def test_worker_bound_elsewhere_is_redeployed(managed: Config) -> None:
    reason = deploy_reason(_answer(SHIPPED, "other"), managed, SHIPPED)

    assert reason == "it is not bound to namespace 'ns-test'"


@pytest.mark.parametrize(
    "error", [WorkerUnreachableError("no route"), AuthRefusedError("401")]
)
def test_worker_that_does_not_answer_is_deployed(
    managed: Config, error: WorkerError
) -> None:
    probe = Probe(error=error)

    assert deploy_reason(probe, managed, SHIPPED) is not None


def test_upload_metadata_binds_the_namespace_under_its_id(
    managed: Config, artifact: WorkerArtifact
) -> None:
    metadata = upload_metadata(managed, artifact)

    assert metadata == {
        "main_module": "worker.js",
        "compatibility_date": "2024-05-01",
        "bindings": [
            {"type": "kv_namespace", "name": "ns-test", "namespace_id": "ns-test"},
            {
                "type": "plain_text",
                "name": "PUBLIC_KEY",
                "text": public_key_pem(managed.private_key),
            },
            {"type": "plain_text", "name": "TOKEN_AUDIENCE", "text": "worker-test"},
        ],
    }


def test_upload_metadata_keeps_other_namespaces_after_the_components(
    managed: Config, artifact: WorkerArtifact
) -> None:
    metadata = upload_metadata(managed, artifact, keep=("ns-b", "ns-test", "ns-a"))

    kv = [b["name"] for b in metadata["bindings"] if b["type"] == "kv_namespace"]
    assert kv == ["ns-test", "ns-a", "ns-b"]


def test_upload_metadata_uses_the_shipped_compatibility_date(managed: Config) -> None:
    shipped = load_worker()

    metadata = upload_metadata(managed, shipped)

    assert metadata["compatibility_date"] == shipped.compatibility_date


async def test_ensure_worker_needs_the_api_settings(
    managed: Config, artifact: WorkerArtifact
) -> None:
    pre_provisioned = dataclasses.replace(managed, api_token=None)

    with pytest.raises(ConfigError, match="'cfAPIToken': is required to deploy"):
        await ensure_worker(pre_provisioned, deadline=1, artifact=artifact)


def test_status_of_a_refusing_worker() -> None:
    status = WorkerStatus(
        url="https://kv.example/",
        namespace="ns-test",
        shipped_version=SHIPPED,
        error=AuthRefusedError("401"),
    )

    assert status.reachable
    assert status.token_accepted is False
    assert status.namespace_bound is None
    assert status.outdated is None


def test_status_of_an_unreachable_worker() -> None:
    status = WorkerStatus(
        url="https://kv.example/",
        namespace="ns-test",
        shipped_version=SHIPPED,
        error=WorkerUnreachableError("refused"),
    )

    assert not status.reachable
    assert status.token_accepted is None


def test_status_of_an_outdated_unbound_worker() -> None:
    status = WorkerStatus(
        url="https://kv.example/",
        namespace="ns-test",
        shipped_version=SHIPPED,
        info=WorkerInfo("20230517", ("other",), frozenset()),
    )

    assert status.token_accepted is True
    assert status.namespace_bound is False
    assert status.outdated is True
