"""The client under injected faults: a mock transport plays the failing network."""

import asyncio
import ssl
from collections.abc import Awaitable, Callable, Iterator

import httpx
import pytest
import stamina.instrumentation

from workerskv.client import WorkerClient, Write
from workerskv.config import Config
from workerskv.errors import (
    AuthRefusedError,
    InvalidRequestError,
    NamespaceNotBoundError,
    RateLimitedError,
    UnexpectedResponseError,
    WorkerUnreachableError,
)
from workerskv.retry import RetryPolicy

FAST = RetryPolicy(attempts=3, wait_initial=0.001, wait_max=0.01, retry_after_max=0.05)
Handler = Callable[[httpx.Request], httpx.Response]


class FaultInjectingTransport(httpx.MockTransport):
    """A mock transport that records every request it answers."""

    def __init__(self, handler: Handler) -> None:
        self.requests: list[httpx.Request] = []

        def record(request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            return handler(request)

        super().__init__(record)


def _client(
    metadata: dict[str, str], handler: Handler
) -> tuple[WorkerClient, FaultInjectingTransport]:
    transport = FaultInjectingTransport(handler)
    config = Config.from_metadata(metadata)
    return WorkerClient(
        "http://worker.test/", config, transport=transport, retry=FAST
    ), transport


def _sequence(*responses: httpx.Response) -> Handler:
    queue = list(responses)
    return lambda request: queue.pop(0) if len(queue) > 1 else queue[0]


async def test_429_with_retry_after_is_retried_then_succeeds(
    metadata: dict[str, str],
) -> None:
    throttled = httpx.Response(429, headers={"Retry-After": "0"})
    client, transport = _client(
        metadata, _sequence(throttled, throttled, httpx.Response(201))
    )

    await client.put(Write("k", b"v"))

    assert len(transport.requests) == 3
    tokens = {r.headers["Authorization"] for r in transport.requests}
    assert all(t.startswith("Bearer ") for t in tokens)


@pytest.fixture
def waits() -> Iterator[list[float]]:
    """The wait before each retry, as stamina reports it to its retry hooks."""
    recorded: list[float] = []
    hooks = stamina.instrumentation.get_on_retry_hooks()
    stamina.instrumentation.set_on_retry_hooks(
        [lambda details: recorded.append(details.wait_for)]
    )
    yield recorded
    stamina.instrumentation.set_on_retry_hooks(hooks)


async def test_retries_back_off_and_honour_retry_after_up_to_its_limit(
    metadata: dict[str, str], waits: list[float]
) -> None:
    policy = RetryPolicy(
        attempts=6,
        wait_initial=0.001,
        wait_max=0.004,
        wait_jitter=0,
        retry_after_max=0.02,
    )
    unavailable = httpx.Response(503)
    throttled = httpx.Response(429, headers={"Retry-After": "7"})
    transport = FaultInjectingTransport(
        _sequence(*[unavailable] * 4, throttled, httpx.Response(201))
    )
    config = Config.from_metadata(metadata)
    client = WorkerClient(
        "http://worker.test/", config, transport=transport, retry=policy
    )

    await client.put(Write("k", b"v"))

    assert len(transport.requests) == 6
    # Doubling from wait_initial, capped at wait_max.
    assert waits[:4] == pytest.approx([0.001, 0.002, 0.004, 0.004])
    # A seven-second hint is cut to retry_after_max.
    assert waits[4] == pytest.approx(0.02)


@pytest.mark.parametrize("hint", ["1.5", "soon", "Fri, 99 Foo 2026"])
async def test_an_unreadable_retry_after_is_ignored(
    metadata: dict[str, str], hint: str
) -> None:
    throttled = httpx.Response(429, headers={"Retry-After": hint})
    client, transport = _client(metadata, lambda r: throttled)

    with pytest.raises(RateLimitedError):
        await client.put(Write("k", b"v"))

    assert len(transport.requests) == FAST.attempts


async def test_a_failed_tls_handshake_is_named_and_not_retried(
    metadata: dict[str, str],
) -> None:
    def handshake(request: httpx.Request) -> httpx.Response:
        try:
            raise ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number")
        except ssl.SSLError as exc:
            raise httpx.ConnectError("", request=request) from exc

    client, transport = _client(metadata, handshake)

    with pytest.raises(WorkerUnreachableError, match="TLS handshake failed") as caught:
        await client.get("k")

    assert "use an http:// URL" in str(caught.value)
    assert len(transport.requests) == 1


async def test_a_refused_certificate_is_named_and_not_retried(
    metadata: dict[str, str],
) -> None:
    def handshake(request: httpx.Request) -> httpx.Response:
        refused = ssl.SSLCertVerificationError(1, "certificate verify failed")
        refused.verify_message = "self-signed certificate"
        try:
            raise refused
        except ssl.SSLError as exc:
            raise httpx.ConnectError("", request=request) from exc

    client, transport = _client(metadata, handshake)

    with pytest.raises(WorkerUnreachableError) as caught:
        await client.get("k")

    assert "certificate was not accepted (self-signed certificate)" in str(caught.value)
    assert "SSL_CERT_FILE" in str(caught.value)
    assert "use an http:// URL" not in str(caught.value)
    assert len(transport.requests) == 1


async def test_a_tls_connection_closed_mid_stream_is_retried(
    metadata: dict[str, str],
) -> None:
    def cut(request: httpx.Request) -> httpx.Response:
        try:
            raise ssl.SSLEOFError(8, "EOF occurred in violation of protocol")
        except ssl.SSLError as exc:
            raise httpx.ReadError("", request=request) from exc

    client, transport = _client(metadata, cut)

    with pytest.raises(WorkerUnreachableError, match="EOF occurred"):
        await client.get("k")

    assert len(transport.requests) == FAST.attempts


async def test_a_connection_error_without_text_names_its_cause(
    metadata: dict[str, str],
) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        try:
            raise ConnectionRefusedError(111, "Connection refused")
        except OSError as exc:
            raise httpx.ConnectError("", request=request) from exc

    client, transport = _client(metadata, refuse)

    with pytest.raises(WorkerUnreachableError, match="Connection refused"):
        await client.get("k")

    assert len(transport.requests) == FAST.attempts


async def test_errors_name_the_key_as_written_not_as_stored(
    metadata: dict[str, str],
) -> None:
    refusal = {"error": {"code": "bad_request", "message": "refused"}}
    client, _ = _client(metadata, lambda r: httpx.Response(400, json=refusal))

    with pytest.raises(InvalidRequestError) as caught:
        await client.put(Write("app%7C%7Ca%2Fb%20c", b"v"))

    assert "writing key 'app||a/b c'" in str(caught.value)


@pytest.mark.parametrize("date", ["garbage", "Fri, 99 Foo 2026 00:00:00 GMT"])
async def test_an_unreadable_date_header_means_an_unknown_clock(
    metadata: dict[str, str], date: str
) -> None:
    info = {"version": "20230517", "kv": ["ns-test"]}
    answer = httpx.Response(200, json=info, headers={"Date": date})
    client, _ = _client(metadata, lambda r: answer)

    assert await client.server_date() is None


async def test_persistent_429_is_a_rate_limited_error(metadata: dict[str, str]) -> None:
    client, transport = _client(metadata, lambda r: httpx.Response(429))

    with pytest.raises(RateLimitedError, match="rate limiting"):
        await client.put(Write("k", b"v"))

    assert len(transport.requests) == FAST.attempts


async def test_5xx_is_retried(metadata: dict[str, str]) -> None:
    client, transport = _client(
        metadata, _sequence(httpx.Response(503), httpx.Response(200, content=b"x"))
    )

    entry = await client.get("k")

    assert entry is not None
    assert entry.data == b"x"
    assert len(transport.requests) == 2


async def test_connection_errors_become_worker_unreachable(
    metadata: dict[str, str],
) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    client, transport = _client(metadata, refuse)

    with pytest.raises(WorkerUnreachableError, match="cannot reach the Worker"):
        await client.get("k")

    assert len(transport.requests) == FAST.attempts


async def test_timeouts_become_worker_unreachable(metadata: dict[str, str]) -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    client, transport = _client(metadata, slow)

    with pytest.raises(WorkerUnreachableError, match="timeoutInSeconds"):
        await client.delete("k")

    # A timeout has already cost the whole per-request budget: no retry.
    assert len(transport.requests) == 1


async def test_401_is_auth_refused_and_leaks_no_token(metadata: dict[str, str]) -> None:
    client, transport = _client(metadata, lambda r: httpx.Response(401))

    with pytest.raises(AuthRefusedError) as caught:
        await client.get("k")

    token = transport.requests[0].headers["Authorization"].removeprefix("Bearer ")
    assert token not in str(caught.value)
    assert "PRIVATE KEY" not in str(caught.value)
    assert len(transport.requests) == 1


@pytest.mark.parametrize("part", ["whole", "signature", "payload"])
async def test_401_names_the_workers_reason_without_an_echoed_token(
    metadata: dict[str, str], part: str
) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        token = request.headers["Authorization"].removeprefix("Bearer ")
        _, payload, signature = token.split(".")
        echoed = {"whole": token, "signature": signature, "payload": payload}[part]
        message = f'token claim "aud" is not accepted: {echoed}'
        return httpx.Response(401, json={"error": {"code": "x", "message": message}})

    client, transport = _client(metadata, refuse)

    with pytest.raises(AuthRefusedError) as caught:
        await client.get("k")

    token = transport.requests[0].headers["Authorization"].removeprefix("Bearer ")
    _, payload, signature = token.split(".")
    assert 'token claim "aud" is not accepted: (our token)' in str(caught.value)
    assert payload not in str(caught.value)
    assert signature not in str(caught.value)


async def test_412_is_namespace_not_bound(metadata: dict[str, str]) -> None:
    client, _ = _client(metadata, lambda r: httpx.Response(412))

    with pytest.raises(NamespaceNotBoundError, match="ns-test"):
        await client.put(Write("k", b"v"))


ROUTING_404S = {
    "our Worker's unknown route": httpx.Response(
        404, json={"error": {"code": "not_found", "message": "no route for GET /x"}}
    ),
    "the upstream Worker's unknown route": httpx.Response(404, text="Not found"),
    "a proxy's web page": httpx.Response(
        404,
        text="<!DOCTYPE html><html><body>Not Found</body></html>",
        headers={"Content-Type": "text/html"},
    ),
    "a deleted Worker on workers.dev": httpx.Response(
        404, text="There is nothing here yet"
    ),
}


@pytest.mark.parametrize("answer", ROUTING_404S.values(), ids=ROUTING_404S.keys())
async def test_a_404_with_any_other_body_never_reads_as_a_missing_key(
    metadata: dict[str, str], answer: httpx.Response
) -> None:
    client, _ = _client(metadata, lambda r: answer)

    with pytest.raises(UnexpectedResponseError, match="404") as caught:
        await client.get("k")

    assert "does not lead to a Dapr KV Worker" in str(caught.value)
    assert "check workerUrl (the Worker's base URL)" in str(caught.value)
    assert caught.value.status == 404


@pytest.mark.parametrize(
    "call",
    [
        lambda client: client.put(Write("k", b"v")),
        lambda client: client.delete("k"),
        lambda client: client.get_batch(["k"]),
    ],
    ids=["put", "delete", "batch"],
)
async def test_a_404_to_any_call_says_the_url_leads_nowhere(
    metadata: dict[str, str], call: Callable[[WorkerClient], Awaitable[object]]
) -> None:
    client, _ = _client(metadata, lambda r: httpx.Response(404, text="Not found"))

    with pytest.raises(UnexpectedResponseError, match="not lead to a Dapr KV Worker"):
        await call(client)


async def test_our_workers_key_not_found_is_missing(metadata: dict[str, str]) -> None:
    missing = {"error": {"code": "key_not_found", "message": "no value"}}
    client, _ = _client(metadata, lambda r: httpx.Response(404, json=missing))

    assert await client.get("k") is None


async def test_the_upstream_workers_empty_404_is_missing(
    metadata: dict[str, str],
) -> None:
    # The upstream Worker answers an absent key with 404 and no body at all.
    empty = httpx.Response(404, headers={"Content-Type": "text/plain;charset=UTF-8"})
    client, _ = _client(metadata, lambda r: empty)

    assert await client.get("k") is None


async def test_info_404_says_the_url_is_not_a_dapr_worker(
    metadata: dict[str, str],
) -> None:
    client, _ = _client(metadata, lambda r: httpx.Response(404, text="Not found"))

    with pytest.raises(UnexpectedResponseError) as caught:
        await client.info()

    assert str(caught.value) == (
        "http://worker.test/ does not lead to a Dapr KV Worker: the info endpoint "
        "was answered with HTTP 404 (Not found); check workerUrl (the Worker's "
        "base URL) and that the Worker is deployed"
    )


async def test_info_404_of_a_managed_worker_suggests_deploying_it(
    metadata: dict[str, str],
) -> None:
    del metadata["workerUrl"]
    managed = {**metadata, "cfAccountID": "a", "cfAPIToken": "t"}
    client, _ = _client(managed, lambda r: httpx.Response(404, text="Not found"))

    with pytest.raises(UnexpectedResponseError, match="`workerskv worker deploy`"):
        await client.info()


async def test_info_that_is_not_json_is_unexpected(metadata: dict[str, str]) -> None:
    client, _ = _client(metadata, lambda r: httpx.Response(200, text="<html>"))

    with pytest.raises(UnexpectedResponseError, match="not a JSON object"):
        await client.info()


async def test_400_from_the_worker_is_invalid_request(metadata: dict[str, str]) -> None:
    body = {"error": {"code": "bad_ttl", "message": "ttl must be at least 60"}}
    client, _ = _client(metadata, lambda r: httpx.Response(400, json=body))

    with pytest.raises(InvalidRequestError, match="at least 60"):
        await client.put(Write("k", b"v", ttl=30))


async def test_20_concurrent_writes_under_a_429_storm_all_land(
    metadata: dict[str, str],
) -> None:
    # Workers KV allows about one write per second to a key: the storm refuses the
    # first wave of 20 writes, and bounded retries must carry each one through.
    answered = 0

    def storm(request: httpx.Request) -> httpx.Response:
        nonlocal answered
        answered += 1
        if answered <= 20:
            return httpx.Response(429, headers={"Retry-After": "0"})
        return httpx.Response(201)

    client, _ = _client(metadata, storm)

    await asyncio.gather(*(client.put(Write("same", b"v")) for _ in range(20)))

    assert answered == 40


async def test_413_from_the_worker_is_invalid_request(metadata: dict[str, str]) -> None:
    body = {"error": {"code": "too_large", "message": "value is too large"}}
    client, _ = _client(metadata, lambda r: httpx.Response(413, json=body))

    with pytest.raises(InvalidRequestError, match="too large") as caught:
        await client.put(Write("k", b"v"))

    assert caught.value.status == 413


async def test_a_web_page_answering_404_is_summarised_not_quoted(
    metadata: dict[str, str],
) -> None:
    page = "<!DOCTYPE html>\n<html><body>" + "x" * 5000 + "</body></html>"
    headers = {"Content-Type": "text/html; charset=utf-8"}
    client, _ = _client(
        metadata, lambda r: httpx.Response(404, text=page, headers=headers)
    )

    with pytest.raises(UnexpectedResponseError) as caught:
        await client.info()

    assert "text/html body of" in str(caught.value)
    assert "<html>" not in str(caught.value)
