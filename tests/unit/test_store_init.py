"""Store start-up against Workers that answer badly (a mock transport)."""

from __future__ import annotations

import httpx
import pytest

from workerskv.errors import (
    AuthRefusedError,
    ConfigError,
    NamespaceNotBoundError,
    WorkerOutdatedError,
)
from workerskv.store import StateStore


def _info(body: object, status: int = 200) -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: httpx.Response(status, json=body))


@pytest.mark.parametrize("version", ["abc", "20200101", "", None])
async def test_outdated_or_unreadable_version_is_refused(
    metadata: dict[str, str], version: str | None
) -> None:
    store = StateStore(
        metadata, transport=_info({"version": version, "kv": ["ns-test"]})
    )

    with pytest.raises(WorkerOutdatedError) as caught:
        await store.init()

    assert (repr(version) if version else "no version") in str(caught.value)
    assert "20221219" in str(caught.value)


async def test_worker_without_the_namespace_is_refused(
    metadata: dict[str, str],
) -> None:
    body = {"version": "20230517", "kv": ["other-ns"]}
    store = StateStore(metadata, transport=_info(body))

    with pytest.raises(NamespaceNotBoundError, match=r"'ns-test'.*bound: other-ns"):
        await store.init()


async def test_worker_refusing_the_token_fails_init(metadata: dict[str, str]) -> None:
    store = StateStore(metadata, transport=_info({"error": "nope"}, status=401))

    with pytest.raises(AuthRefusedError, match="PUBLIC_KEY"):
        await store.init()


async def test_upstream_worker_info_is_accepted(metadata: dict[str, str]) -> None:
    store = StateStore(
        metadata, transport=_info({"version": "20230517", "kv": ["ns-test"]})
    )

    await store.init()

    assert store.worker_info.features == frozenset()
    assert store.features() == ["TTL"]
    await store.close()


async def test_bad_metadata_fails_init_before_any_request(
    metadata: dict[str, str],
) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request expected")

    del metadata["kvNamespaceID"]
    store = StateStore(metadata, transport=httpx.MockTransport(refuse))

    with pytest.raises(ConfigError, match="kvNamespaceID"):
        await store.init()


async def test_calls_before_init_say_so(metadata: dict[str, str]) -> None:
    store = StateStore(metadata)

    with pytest.raises(RuntimeError, match="init"):
        await store.get("k")


async def test_an_outdated_but_compatible_worker_gets_upgrade_advice(
    metadata: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    store = StateStore(
        metadata, transport=_info({"version": "20230517", "kv": ["ns-test"]})
    )

    await store.init()
    await store.close()

    assert "runs version 20230517" in caplog.text
    assert "workerskv worker render" in caplog.text
