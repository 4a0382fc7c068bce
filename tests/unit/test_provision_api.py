"""Cloudflare API errors become our own at one boundary (fault-injecting transport)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from cloudflare import AsyncCloudflare

from workerskv.config import Config
from workerskv.errors import APITokenError, ProvisionError, SubdomainMissingError
from workerskv.provision import CloudflareAPI, default_client

TOKEN = "sekrit-api-token-0123456789"
Handler = Callable[[httpx.Request], httpx.Response]


@pytest.fixture
def managed(private_pem: str) -> Config:
    return Config.from_metadata(
        {
            "kvNamespaceID": "ns-test",
            "workerName": "worker-test",
            "key": private_pem,
            "cfAccountID": "acc-test",
            "cfAPIToken": TOKEN,
        }
    )


def _faulty_api(config: Config, handler: Handler) -> CloudflareAPI:
    transport = httpx.MockTransport(handler)
    client = AsyncCloudflare(
        api_token=config.api_token,
        base_url="http://api.test/client/v4",
        http_client=httpx.AsyncClient(transport=transport),
        max_retries=0,
    )
    return CloudflareAPI(config, client)


def _failing(status: int, *codes: int) -> Handler:
    errors = [{"code": code, "message": f"message {code}"} for code in codes]
    body = {"success": False, "errors": errors, "messages": [], "result": None}
    return lambda request: httpx.Response(status, json=body)


async def _error_of_every_call(api: CloudflareAPI) -> list[Exception]:
    calls = [
        api.subdomain(),
        api.upload("worker.js", b"export default {}", {"main_module": "worker.js"}),
        api.enable_route(),
    ]
    errors: list[Exception] = []
    for call in calls:
        with pytest.raises(ProvisionError) as caught:
            await call
        errors.append(caught.value)
    return errors


@pytest.mark.parametrize(
    ("status", "codes"),
    [(400, (1000,)), (403, (9109,)), (400, (6003, 6111)), (401, ())],
)
async def test_unusable_token_says_so_without_showing_it(
    managed: Config, status: int, codes: tuple[int, ...]
) -> None:
    api = _faulty_api(managed, _failing(status, *codes))

    for error in await _error_of_every_call(api):
        assert isinstance(error, APITokenError)
        assert "does not accept the token in 'cfAPIToken'" in str(error)
        assert TOKEN not in str(error)


async def test_missing_permission_names_it(managed: Config) -> None:
    api = _faulty_api(managed, _failing(403, 10000))

    for error in await _error_of_every_call(api):
        assert isinstance(error, APITokenError)
        assert "Workers Scripts:Edit" in str(error)
        assert "'acc-test'" in str(error)


@pytest.mark.parametrize(("status", "code"), [(404, 10007), (400, 10063)])
async def test_account_without_subdomain_says_where_to_register_one(
    managed: Config, status: int, code: int
) -> None:
    api = _faulty_api(managed, _failing(status, code))

    with pytest.raises(SubdomainMissingError) as caught:
        await api.subdomain()

    assert "workers.dev subdomain" in str(caught.value)
    assert "Workers & Pages" in str(caught.value)


async def test_empty_subdomain_counts_as_none(managed: Config) -> None:
    body = {"success": True, "errors": [], "messages": [], "result": {"subdomain": ""}}
    api = _faulty_api(managed, lambda request: httpx.Response(200, json=body))

    with pytest.raises(SubdomainMissingError):
        await api.subdomain()


async def test_unknown_script_on_upload_is_not_a_subdomain_problem(
    managed: Config,
) -> None:
    api = _faulty_api(managed, _failing(404, 10007))

    with pytest.raises(ProvisionError) as caught:
        await api.enable_route()

    assert type(caught.value) is ProvisionError
    assert "HTTP 404" in str(caught.value)
    assert "message 10007 [code 10007]" in str(caught.value)


@pytest.mark.parametrize("status", [400, 404, 409, 422, 429, 500, 503])
async def test_every_status_becomes_a_provision_error(
    managed: Config, status: int
) -> None:
    api = _faulty_api(managed, _failing(status, 10013))

    for error in await _error_of_every_call(api):
        assert str(error).startswith("could not ")
        assert TOKEN not in str(error)


async def test_unreadable_body_becomes_a_provision_error(managed: Config) -> None:
    api = _faulty_api(managed, lambda request: httpx.Response(502, text="<html>"))

    for error in await _error_of_every_call(api):
        assert "HTTP 502" in str(error)


async def test_network_failure_becomes_a_provision_error(managed: Config) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    api = _faulty_api(managed, refuse)

    for error in await _error_of_every_call(api):
        assert "did not answer" in str(error)
        assert "connection refused" in str(error)


async def test_a_request_that_cannot_be_formed_never_quotes_its_headers(
    managed: Config,
) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        header = request.headers["Authorization"]
        raise httpx.LocalProtocolError(f"Illegal header value {header!r}")

    api = _faulty_api(managed, refuse)

    for error in await _error_of_every_call(api):
        assert "the request could not be formed" in str(error)
        assert TOKEN not in str(error)


async def test_upload_sends_the_module_and_metadata(managed: Config) -> None:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        body = {"success": True, "errors": [], "messages": [], "result": {}}
        return httpx.Response(200, json=body)

    api = _faulty_api(managed, record)
    await api.upload("worker.js", b"export default {}", {"main_module": "worker.js"})

    request = seen[0]
    assert request.method == "PUT"
    assert (
        request.url.path == "/client/v4/accounts/acc-test/workers/scripts/worker-test"
    )
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    body = request.content
    assert b'filename="worker.js"' in body
    assert b"Content-Type: application/javascript+module" in body
    assert b'name="metadata"' in body


def test_default_client_uses_only_the_component_token(
    managed: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLOUDFLARE_EMAIL", "someone@example.com")
    monkeypatch.setenv("CLOUDFLARE_API_KEY", "global-key")
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", "other-token")

    client = default_client(managed)

    assert client.auth_headers == {"Authorization": f"Bearer {TOKEN}"}


def test_default_client_honours_the_documented_base_url_setting(
    managed: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLOUDFLARE_BASE_URL", "http://127.0.0.1:9/client/v4")

    assert str(default_client(managed).base_url) == "http://127.0.0.1:9/client/v4/"
