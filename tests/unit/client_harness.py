"""A WorkerClient whose network is a fault-injecting mock transport."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from workerskv.client import WorkerClient
from workerskv.config import Config
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


def client_for(
    metadata: dict[str, str], handler: Handler, retry: RetryPolicy = FAST
) -> tuple[WorkerClient, FaultInjectingTransport]:
    """A client of `metadata` whose every request `handler` answers."""
    transport = FaultInjectingTransport(handler)
    config = Config.from_metadata(metadata)
    client = WorkerClient(
        "http://worker.test/", config, transport=transport, retry=retry
    )
    return client, transport


def sequence(*responses: httpx.Response) -> Handler:
    """Answer with `responses` in turn, repeating the last."""
    queue = list(responses)
    return lambda request: queue.pop(0) if len(queue) > 1 else queue[0]


def failing(error: type[httpx.TransportError], cause: BaseException) -> Handler:
    """Fail every request with `error` raised from `cause`, as httpx does."""

    def fail(request: httpx.Request) -> httpx.Response:
        raise error("", request=request) from cause

    return fail
