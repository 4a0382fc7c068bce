"""Asking a Worker what it is, with the component's key."""

from __future__ import annotations

import time
from dataclasses import dataclass

from workerskv.client import WorkerClient, WorkerInfo
from workerskv.config import Config
from workerskv.errors import WorkerError
from workerskv.retry import RetryPolicy

# When polling, each probe is one attempt: the poll loop is the retry.
ONE_ATTEMPT = RetryPolicy(attempts=1)


@dataclass(frozen=True)
class Probe:
    """What the Worker's info endpoint answered, or how asking it failed."""

    info: WorkerInfo | None = None
    error: WorkerError | None = None

    def describe(self) -> str:
        """Say in a few words what the Worker answered."""
        if self.info is not None:
            bound = ", ".join(self.info.namespaces) or "no namespace"
            return f"version {self.info.version or '(none)'}, bound to {bound}"
        return str(self.error)


async def probe_worker(
    url: str, config: Config, *, retry: RetryPolicy | None = None
) -> Probe:
    """Ask the Worker at `url` for its info with the component's key."""
    client = WorkerClient(url, config, retry=retry)
    try:
        return Probe(info=await client.info())
    except WorkerError as exc:
        return Probe(error=exc)
    finally:
        await client.close()


async def clock_skew(url: str, config: Config) -> float | None:
    """Return the Worker's clock minus ours in seconds, from its `Date` header."""
    client = WorkerClient(url, config, retry=ONE_ATTEMPT)
    try:
        server = await client.server_date()
    except WorkerError:
        return None
    finally:
        await client.close()
    if server is None:
        return None
    # `Date` has whole seconds, cut down: on average half a second behind.
    return server + 0.5 - time.time()
