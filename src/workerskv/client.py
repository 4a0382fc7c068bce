"""HTTP to the Worker: one pooled connection set, fresh tokens, bounded retries.

Every foreign error (httpx, HTTP statuses, malformed bodies) is translated here and
nowhere else.
"""

from __future__ import annotations

import base64
import binascii
import ssl
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import version as package_version
from typing import Any

import httpx
import stamina

from workerskv.auth import TokenMinter
from workerskv.config import Config
from workerskv.errors import (
    AuthRefusedError,
    InvalidRequestError,
    NamespaceNotBoundError,
    RateLimitedError,
    UnexpectedResponseError,
    WorkerUnreachableError,
)
from workerskv.retry import (
    RETRY_STATUSES,
    RetryableStatus,
    RetryPolicy,
    backoff,
    causes,
    http_date,
    tls_error,
)

INFO_PATH = ".well-known/dapr/info"
MIN_VERSION = 20221219
BATCH_LIMIT = 100
EXPIRATION_HEADER = "X-Dapr-Expiration"
# Set by our Worker only when the value was written with a content type.
CONTENT_TYPE_HEADER = "X-Dapr-Content-Type"
# The error code our Worker gives a 404 for an absent key; other 404s are routing.
_KEY_MISSING = "key_not_found"
_USER_AGENT = f"dapr-workerskv/{package_version('dapr-workerskv')}"
# Requests per pool: enough for a bulk fan-out without crowding a small Worker.
_MAX_CONNECTIONS = 32


def version_number(version: str) -> int:
    """Return a Worker version as a number; anything non-numeric counts as 0."""
    return int(version) if version.isascii() and version.isdigit() else 0


@dataclass(frozen=True)
class WorkerInfo:
    """What the Worker says about itself at its info endpoint."""

    version: str
    namespaces: tuple[str, ...]
    features: frozenset[str]


@dataclass(frozen=True)
class Entry:
    """A value as the Worker returned it."""

    data: bytes
    content_type: str | None = None
    expires_at: int | None = None


@dataclass(frozen=True)
class Write:
    """One value to store under an already escaped key."""

    key: str
    value: bytes
    ttl: int | None = None
    content_type: str | None = None


class WorkerClient:
    """Talks to one Worker for one namespace."""

    def __init__(
        self,
        base_url: str,
        config: Config,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.base_url = base_url
        self._namespace = config.namespace_id
        self._where_to_look = _where_to_look(config)
        self._minter = TokenMinter(config.private_key, config.worker_name)
        self._retry = retry or RetryPolicy()
        self._http = httpx.AsyncClient(
            base_url=base_url,
            timeout=config.timeout,
            transport=transport,
            limits=httpx.Limits(max_connections=_MAX_CONNECTIONS),
            headers={"User-Agent": _USER_AGENT},
        )

    async def close(self) -> None:
        """Close the pooled connections."""
        await self._http.aclose()

    async def info(self) -> WorkerInfo:
        """Fetch the Worker's version, bound namespaces and extensions."""
        response = await self._request("GET", INFO_PATH)
        self._expect(response, 200, what="the info endpoint")
        body = self._json(response, "the info endpoint")
        return WorkerInfo(
            version=str(body.get("version") or ""),
            namespaces=tuple(str(n) for n in body.get("kv") or ()),
            features=frozenset(str(f) for f in body.get("features") or ()),
        )

    async def server_date(self) -> float | None:
        """Return the Worker's clock from the `Date` header of an info call."""
        response = await self._request("GET", INFO_PATH)
        return http_date(response.headers.get("Date"))

    async def get(self, key: str) -> Entry | None:
        """Read one value; None when the key is absent."""
        response = await self._request("GET", self._kv_path(key))
        if response.status_code == 404 and _says_key_missing(response):
            return None
        self._expect(response, 200, what=f"reading {_named(key)}")
        return Entry(
            data=response.content,
            content_type=response.headers.get(CONTENT_TYPE_HEADER),
            expires_at=_int_header(response, EXPIRATION_HEADER),
        )

    async def put(self, write: Write) -> None:
        """Store one value, replacing any previous value and expiry."""
        params = {"ttl": str(write.ttl)} if write.ttl else None
        headers = {"Content-Type": write.content_type} if write.content_type else None
        response = await self._request(
            "POST",
            self._kv_path(write.key),
            params=params,
            content=write.value,
            headers=headers,
        )
        self._expect(response, 201, what=f"writing {_named(write.key)}")

    async def delete(self, key: str) -> None:
        """Delete one key; deleting an absent key succeeds."""
        response = await self._request("DELETE", self._kv_path(key))
        self._expect(response, 204, what=f"deleting {_named(key)}")

    async def get_batch(self, keys: Sequence[str]) -> list[Entry | None]:
        """Read up to `BATCH_LIMIT` keys in one request, answered in order."""
        body = await self._batch({"get": list(keys)}, what=_count(len(keys), "reading"))
        items = body.get("items")
        if not isinstance(items, list) or len(items) != len(keys):
            raise UnexpectedResponseError(
                f"the Worker answered a batch read of {len(keys)} keys with "
                "a different number of items"
            )
        return [_batch_entry(item) for item in items]

    async def put_batch(self, writes: Sequence[Write]) -> None:
        """Store up to `BATCH_LIMIT` values in one request."""
        payload = [_batch_write(write) for write in writes]
        await self._batch({"set": payload}, what=_count(len(writes), "writing"))

    async def delete_batch(self, keys: Sequence[str]) -> None:
        """Delete up to `BATCH_LIMIT` keys in one request."""
        await self._batch({"delete": list(keys)}, what=_count(len(keys), "deleting"))

    async def _batch(self, payload: Mapping[str, Any], *, what: str) -> dict[str, Any]:
        response = await self._request("POST", f"batch/{self._namespace}", json=payload)
        self._expect(response, 200, what=what)
        return self._json(response, what)

    def _kv_path(self, key: str) -> str:
        return f"kv/{self._namespace}/{key}"

    async def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        policy = self._retry
        try:
            async for attempt in stamina.retry_context(
                on=backoff,
                attempts=policy.attempts,
                timeout=None,
                wait_initial=policy.wait_initial,
                wait_max=policy.wait_max,
                wait_jitter=policy.wait_jitter,
            ):
                with attempt:
                    return await self._send_once(method, path, **kwargs)
        except RetryableStatus as exc:
            return exc.response
        except httpx.TimeoutException:
            raise WorkerUnreachableError(
                f"the Worker at {self.base_url} did not answer {method} in "
                f"{self._http.timeout.read}s; check it, or raise timeoutInSeconds"
            ) from None
        except httpx.TransportError as exc:
            raise WorkerUnreachableError(
                f"cannot reach the Worker at {self.base_url}: {_reason(exc)}; "
                "check workerUrl and that the Worker is running"
            ) from None
        raise AssertionError("unreachable: stamina runs at least one attempt")

    async def _send_once(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        headers["Authorization"] = f"Bearer {self._minter.mint()}"
        response = await self._http.request(method, path, headers=headers, **kwargs)
        if response.status_code in RETRY_STATUSES:
            raise RetryableStatus(response, self._retry.retry_after_max)
        return response

    def _expect(self, response: httpx.Response, status: int, *, what: str) -> None:
        if response.status_code == status:
            return
        code = response.status_code
        if code == 404:
            raise UnexpectedResponseError(
                f"{self.base_url} does not lead to a Dapr KV Worker: {what} was "
                f"answered with HTTP 404 ({_detail(response)}); {self._where_to_look}",
                status=404,
            )
        if code == 401:
            raise AuthRefusedError(
                f"the Worker at {self.base_url} refused our token ({what}: "
                f"{_detail(response)}): its PUBLIC_KEY must match the 'key' "
                "metadata and its TOKEN_AUDIENCE must equal 'workerName'; clocks "
                "must agree within 5 minutes"
            )
        if code == 412:
            raise NamespaceNotBoundError(
                f"the Worker at {self.base_url} has no binding for namespace "
                f"{self._namespace!r}; redeploy it with a kv_namespace binding named "
                "after the namespace ID"
            )
        if code == 429:
            raise RateLimitedError(
                f"Workers KV is rate limiting us ({what}); retries did not get "
                "through. Writes to one key are limited to about one per second"
            )
        if code in (400, 413):
            raise InvalidRequestError(
                f"the Worker refused {what}: {_detail(response)}", status=code
            )
        raise UnexpectedResponseError(
            f"the Worker at {self.base_url} answered {what} with HTTP {code}: "
            f"{_detail(response)}",
            status=code,
        )

    def _json(self, response: httpx.Response, what: str) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise UnexpectedResponseError(
                f"the Worker at {self.base_url} answered {what} with a body that is "
                "not a JSON object; is workerUrl pointing at a Dapr Worker?",
                status=response.status_code,
            )
        return body


def _where_to_look(config: Config) -> str:
    if config.worker_url:
        return "check workerUrl (the Worker's base URL) and that the Worker is deployed"
    return "check that the Worker is deployed (`workerskv worker deploy` redeploys it)"


def _named(stored: str) -> str:
    """An escaped key as its caller wrote it, for messages."""
    return f"key {urllib.parse.unquote(stored)!r}"


def _count(count: int, verb: str) -> str:
    return f"{verb} {count} key{'' if count == 1 else 's'}"


def _says_key_missing(response: httpx.Response) -> bool:
    """True for the two 404s that mean an absent key; any other is routing.

    The upstream Worker answers an absent key with an empty body, ours with its JSON
    error code; a wrong route, a proxy or a deleted Worker answer with some text.
    """
    if not response.content:
        return True
    try:
        body = response.json()
    except ValueError:
        return False
    error = body.get("error") if isinstance(body, dict) else None
    return isinstance(error, dict) and error.get("code") == _KEY_MISSING


def _detail(response: httpx.Response, limit: int = 200) -> str:
    """What the Worker said, short, and with our token cut out should it echo it."""
    text = _said(response)
    token = response.request.headers.get("Authorization", "").removeprefix("Bearer ")
    # The whole token first, then any header, payload or signature echoed alone.
    for secret in [token, *token.split(".")]:
        if len(secret) >= 16:
            text = text.replace(secret, "(our token)")
    return text if len(text) <= limit else text[:limit] + "..."


def _said(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return str(body["error"].get("message", ""))

    kind = response.headers.get("Content-Type", "").split(";")[0].strip()
    if kind and kind != "text/plain":
        return f"a {kind} body of {len(response.content)} bytes"
    text = " ".join(response.text.split())
    return text or "(empty body)"


def _int_header(response: httpx.Response, name: str) -> int | None:
    value = response.headers.get(name)
    return int(value) if value and value.isdigit() else None


def _reason(exc: httpx.TransportError) -> str:
    tls = tls_error(exc)
    if isinstance(tls, ssl.SSLCertVerificationError):
        return (
            f"its TLS certificate was not accepted ({tls.verify_message}); if your "
            "own CA signed it, point SSL_CERT_FILE at that CA's certificate"
        )
    if tls is not None:
        reason = getattr(tls, "reason", None) or type(tls).__name__
        return (
            f"the TLS handshake failed ({reason}); if the Worker serves plain "
            "HTTP, use an http:// URL"
        )
    said = next((str(cause) for cause in causes(exc) if str(cause)), "")
    return said or type(exc).__name__


def _batch_write(write: Write) -> dict[str, Any]:
    item: dict[str, Any] = {
        "key": write.key,
        "value": base64.b64encode(write.value).decode(),
    }
    if write.ttl:
        item["ttl"] = write.ttl
    if write.content_type:
        item["ct"] = write.content_type
    return item


def _batch_entry(item: object) -> Entry | None:
    if not isinstance(item, dict):
        raise UnexpectedResponseError(
            "the Worker answered a batch read with a bad item"
        )
    if item.get("value") is None:
        return None
    try:
        data = base64.b64decode(item["value"], validate=True)
    except (binascii.Error, TypeError):
        raise UnexpectedResponseError(
            "the Worker answered a batch read with a value that is not base64"
        ) from None
    expires = item.get("exp")
    return Entry(
        data=data,
        content_type=item.get("ct"),
        expires_at=expires if isinstance(expires, int) else None,
    )
