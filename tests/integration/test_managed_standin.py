"""The stand-in answers as the Cloudflare API does, checks and error codes included."""

from __future__ import annotations

import json
import ssl
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.standin import CloudflareStandIn
from tests.standin.fixtures import ACCOUNT, SUBDOMAIN, TOKEN, standin
from workerskv.artifact import load_worker

__all__ = ["standin"]

GOOD_MODULE = b"export default { fetch() { return new Response('up'); } };\n"


@pytest.fixture
async def api(standin: CloudflareStandIn) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(
        base_url=standin.api_url + "/", headers=headers, trust_env=False, timeout=60
    ) as client:
        yield client


def _metadata(**overrides: Any) -> dict[str, Any]:
    return {
        "main_module": "worker.js",
        "compatibility_date": load_worker().compatibility_date,
        "bindings": [],
        **overrides,
    }


async def _upload(
    api: httpx.AsyncClient,
    name: str,
    module: bytes = GOOD_MODULE,
    metadata: dict[str, Any] | None = None,
    content_type: str = "application/javascript+module",
) -> httpx.Response:
    parts: dict[str, Any] = {"files": ("worker.js", module, content_type)}
    data = {"metadata": json.dumps(metadata or _metadata())}
    return await api.put(
        f"accounts/{ACCOUNT}/workers/scripts/{name}", files=parts, data=data
    )


def _failure(response: httpx.Response) -> tuple[int, list[int]]:
    body = response.json()
    assert set(body) == {"success", "errors", "messages", "result"}
    assert body["success"] is False
    assert body["result"] is None
    assert all(set(error) >= {"code", "message"} for error in body["errors"])
    return response.status_code, [error["code"] for error in body["errors"]]


async def test_success_uses_the_envelope(api: httpx.AsyncClient) -> None:
    response = await api.get(f"accounts/{ACCOUNT}/workers/subdomain")

    assert response.json() == {
        "success": True,
        "errors": [],
        "messages": [],
        "result": {"subdomain": SUBDOMAIN},
    }


async def test_request_without_a_bearer_token_is_refused(
    api: httpx.AsyncClient,
) -> None:
    response = await api.get(
        f"accounts/{ACCOUNT}/workers/subdomain", headers={"Authorization": "x"}
    )

    assert _failure(response) == (400, [6003])


async def test_unknown_token_is_refused(api: httpx.AsyncClient) -> None:
    response = await api.get(
        f"accounts/{ACCOUNT}/workers/subdomain",
        headers={"Authorization": "Bearer nobody-issued-this"},
    )

    assert _failure(response) == (400, [1000])


async def test_token_of_another_account_is_not_allowed(api: httpx.AsyncClient) -> None:
    response = await api.get("accounts/acc-bare/workers/subdomain")

    assert _failure(response) == (403, [10000])


async def test_unknown_path_has_no_route(api: httpx.AsyncClient) -> None:
    response = await api.get(f"accounts/{ACCOUNT}/workers/nothing")

    assert _failure(response) == (404, [7003])


async def test_route_of_an_unknown_script_is_not_found(api: httpx.AsyncClient) -> None:
    response = await api.post(
        f"accounts/{ACCOUNT}/workers/scripts/never-uploaded/subdomain",
        json={"enabled": True},
    )

    assert _failure(response) == (404, [10007])


@pytest.mark.parametrize(
    ("metadata", "content_type"),
    [
        (_metadata(main_module="missing.js"), "application/javascript+module"),
        (_metadata(), "application/javascript"),
        (_metadata(), "image/png"),
        (_metadata(main_module=None), "application/javascript+module"),
        (_metadata(compatibility_date="2099-01-01"), "application/javascript+module"),
        (_metadata(compatibility_date="23 May"), "application/javascript+module"),
        (
            _metadata(bindings=[{"type": "plain_text", "name": "A"}]),
            "application/javascript+module",
        ),
        (
            _metadata(bindings=[{"type": "d1", "name": "DB", "id": "x"}]),
            "application/javascript+module",
        ),
    ],
)
async def test_malformed_upload_is_refused_and_deploys_nothing(
    standin: CloudflareStandIn,
    api: httpx.AsyncClient,
    metadata: dict[str, Any],
    content_type: str,
) -> None:
    response = await _upload(
        api, "malformed", metadata=metadata, content_type=content_type
    )

    assert _failure(response) == (400, [10021])
    assert standin.script(ACCOUNT, "malformed") is None


async def test_upload_without_metadata_is_refused(api: httpx.AsyncClient) -> None:
    response = await api.put(
        f"accounts/{ACCOUNT}/workers/scripts/no-metadata",
        files={"files": ("worker.js", GOOD_MODULE, "application/javascript+module")},
    )

    assert _failure(response) == (400, [10021])


async def test_binding_to_an_unknown_namespace_is_refused(
    api: httpx.AsyncClient,
) -> None:
    binding = {"type": "kv_namespace", "name": "KV", "namespace_id": "no-such-ns"}

    response = await _upload(api, "unknown-ns", metadata=_metadata(bindings=[binding]))

    assert _failure(response) == (400, [10042])


async def test_script_that_fails_to_start_is_refused_and_the_old_one_stays(
    standin: CloudflareStandIn, api: httpx.AsyncClient
) -> None:
    name = "keeps-serving"
    first = await _upload(api, name)
    await api.post(
        f"accounts/{ACCOUNT}/workers/scripts/{name}/subdomain", json={"enabled": True}
    )

    broken = await _upload(api, name, module=b"export default {{{ not javascript")

    assert first.json()["success"] is True
    status, codes = _failure(broken)
    assert (status, codes) == (400, [10021])
    assert "Uncaught" in broken.json()["errors"][0]["message"]
    assert standin.uploads(ACCOUNT, name) == 1
    async with httpx.AsyncClient(
        proxy=standin.proxy_url,
        verify=ssl.create_default_context(cafile=standin.ca_path),
        trust_env=False,
    ) as web:
        served = await web.get(f"https://{name}.{SUBDOMAIN}.workers.dev/")
    assert served.text == "up"
    assert served.headers["Date"]


async def test_proxy_only_reaches_workers_dev(standin: CloudflareStandIn) -> None:
    async with httpx.AsyncClient(proxy=standin.proxy_url, trust_env=False) as web:
        with pytest.raises(httpx.ProxyError):
            await web.get("https://example.com/")
