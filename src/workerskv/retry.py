"""When a request to the Worker is tried again, and after how long."""

from __future__ import annotations

import email.utils
import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently idempotent calls are retried."""

    attempts: int = 5
    wait_initial: float = 0.2
    wait_max: float = 5.0
    # Up to this many random seconds are added to each wait, spreading out clients.
    wait_jitter: float = 1.0
    # Longest Retry-After we honour; a longer hint is cut to this.
    retry_after_max: float = 10.0


class RetryableStatus(Exception):
    """An answer worth asking again for, with the wait its Retry-After asks for."""

    def __init__(self, response: httpx.Response, retry_after_max: float) -> None:
        super().__init__(response.status_code)
        self.response = response
        self.retry_after = retry_after(response, retry_after_max)


def backoff(exc: Exception) -> bool | float:
    """Whether to retry after `exc`: True, False, or the seconds to wait first."""
    if isinstance(exc, RetryableStatus):
        return exc.retry_after if exc.retry_after is not None else True
    # A timeout already cost timeoutInSeconds; retrying would multiply it. A failed
    # TLS handshake fails again the same way.
    return (
        isinstance(exc, httpx.TransportError)
        and not isinstance(exc, httpx.TimeoutException)
        and tls_error(exc) is None
    )


def retry_after(response: httpx.Response, limit: float) -> float | None:
    """Seconds to wait as `response`'s Retry-After asks, at most `limit`, or None."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    if value.strip().isdigit():
        seconds = float(value)
    else:
        moment = http_date(value)
        if moment is None:
            # Neither seconds nor an HTTP date: back off as if no hint came.
            return None
        seconds = moment - time.time()
    return min(max(seconds, 0.0), limit)


def http_date(value: str | None) -> float | None:
    """An HTTP date header as a Unix time; None when absent or unreadable."""
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None


# A connection closed mid-stream: worth another try, unlike a refused handshake.
_TLS_CLOSED = (ssl.SSLEOFError, ssl.SSLZeroReturnError)


def tls_error(exc: BaseException) -> ssl.SSLError | None:
    """The failed TLS handshake behind `exc`, if one is; it would fail again."""
    return next(
        (
            cause
            for cause in causes(exc)
            if isinstance(cause, ssl.SSLError) and not isinstance(cause, _TLS_CLOSED)
        ),
        None,
    )


def causes(exc: BaseException) -> Iterator[BaseException]:
    """`exc` and the exceptions it was raised from, outermost first."""
    seen: BaseException | None = exc
    while seen is not None:
        yield seen
        seen = seen.__cause__ or seen.__context__
