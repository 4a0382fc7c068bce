"""Retries and transport failures: a mock transport plays the failing network."""

import asyncio
import ssl
from collections.abc import Iterator

import httpx
import pytest
import stamina.instrumentation

from tests.unit.client_harness import FAST, client_for, failing, sequence
from workerskv.client import Write
from workerskv.errors import RateLimitedError, WorkerUnreachableError
from workerskv.retry import RetryPolicy


async def test_429_with_retry_after_is_retried_then_succeeds(
    metadata: dict[str, str],
) -> None:
    throttled = httpx.Response(429, headers={"Retry-After": "0"})
    client, transport = client_for(
        metadata, sequence(throttled, throttled, httpx.Response(201))
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
    client, transport = client_for(
        metadata,
        sequence(*[unavailable] * 4, throttled, httpx.Response(201)),
        retry=policy,
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
    client, transport = client_for(metadata, lambda r: throttled)

    with pytest.raises(RateLimitedError):
        await client.put(Write("k", b"v"))

    assert len(transport.requests) == FAST.attempts


async def test_a_failed_tls_handshake_is_named_and_not_retried(
    metadata: dict[str, str],
) -> None:
    mismatch = ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number")
    client, transport = client_for(metadata, failing(httpx.ConnectError, mismatch))

    with pytest.raises(WorkerUnreachableError, match="TLS handshake failed") as caught:
        await client.get("k")

    assert "use an http:// URL" in str(caught.value)
    assert len(transport.requests) == 1


async def test_a_refused_certificate_is_named_and_not_retried(
    metadata: dict[str, str],
) -> None:
    refused = ssl.SSLCertVerificationError(1, "certificate verify failed")
    refused.verify_message = "self-signed certificate"
    client, transport = client_for(metadata, failing(httpx.ConnectError, refused))

    with pytest.raises(WorkerUnreachableError) as caught:
        await client.get("k")

    assert "certificate was not accepted (self-signed certificate)" in str(caught.value)
    assert "SSL_CERT_FILE" in str(caught.value)
    assert "use an http:// URL" not in str(caught.value)
    assert len(transport.requests) == 1


async def test_a_tls_connection_closed_mid_stream_is_retried(
    metadata: dict[str, str],
) -> None:
    cut = ssl.SSLEOFError(8, "EOF occurred in violation of protocol")
    client, transport = client_for(metadata, failing(httpx.ReadError, cut))

    with pytest.raises(WorkerUnreachableError, match="EOF occurred"):
        await client.get("k")

    assert len(transport.requests) == FAST.attempts


async def test_a_connection_error_without_text_names_its_cause(
    metadata: dict[str, str],
) -> None:
    refused = ConnectionRefusedError(111, "Connection refused")
    client, transport = client_for(metadata, failing(httpx.ConnectError, refused))

    with pytest.raises(WorkerUnreachableError, match="Connection refused"):
        await client.get("k")

    assert len(transport.requests) == FAST.attempts


async def test_persistent_429_is_a_rate_limited_error(metadata: dict[str, str]) -> None:
    client, transport = client_for(metadata, lambda r: httpx.Response(429))

    with pytest.raises(RateLimitedError, match="rate limiting"):
        await client.put(Write("k", b"v"))

    assert len(transport.requests) == FAST.attempts


async def test_5xx_is_retried(metadata: dict[str, str]) -> None:
    client, transport = client_for(
        metadata, sequence(httpx.Response(503), httpx.Response(200, content=b"x"))
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

    client, transport = client_for(metadata, refuse)

    with pytest.raises(WorkerUnreachableError, match="cannot reach the Worker"):
        await client.get("k")

    assert len(transport.requests) == FAST.attempts


async def test_timeouts_become_worker_unreachable(metadata: dict[str, str]) -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    client, transport = client_for(metadata, slow)

    with pytest.raises(WorkerUnreachableError, match="timeoutInSeconds"):
        await client.delete("k")

    # A timeout has already cost the whole per-request budget: no retry.
    assert len(transport.requests) == 1


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

    client, _ = client_for(metadata, storm)

    await asyncio.gather(*(client.put(Write("same", b"v")) for _ in range(20)))

    assert answered == 40


@pytest.mark.parametrize("date", ["garbage", "Fri, 99 Foo 2026 00:00:00 GMT"])
async def test_an_unreadable_date_header_means_an_unknown_clock(
    metadata: dict[str, str], date: str
) -> None:
    info = {"version": "20230517", "kv": ["ns-test"]}
    answer = httpx.Response(200, json=info, headers={"Date": date})
    client, _ = client_for(metadata, lambda r: answer)

    assert await client.server_date() is None
