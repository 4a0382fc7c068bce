"""Fault injection in front of the real Worker: a mock layer that imitates KV limits."""

from __future__ import annotations

import time

import httpx


class PerKeyWriteLimitTransport(httpx.AsyncBaseTransport):
    """Forwards to the real Worker but answers 429 to a key written too recently.

    Workers KV allows about one write per second to the same key; this mock layer
    imitates that limit (with a shorter interval) so tests need not wait seconds.
    """

    def __init__(self, interval: float) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self._interval = interval
        self._last_write: dict[str, float] = {}
        self.refused = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.startswith("/kv/"):
            now = time.monotonic()
            last = self._last_write.get(request.url.path)
            if last is not None and now - last < self._interval:
                self.refused += 1
                return httpx.Response(429, headers={"Retry-After": "0"})
            self._last_write[request.url.path] = now
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


class RecordingTransport(httpx.AsyncBaseTransport):
    """Forwards every request to the real Worker unchanged and remembers its path."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.paths: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(f"{request.method} {request.url.path}")
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()
