"""Cloudflare API calls of managed mode; the one place their errors are translated."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast

import cloudflare
import httpx
from cloudflare import AsyncCloudflare
from cloudflare.types.workers.script_update_params import Metadata

from workerskv.config import ACCOUNT_ID, API_TOKEN, Config
from workerskv.errors import APITokenError, ProvisionError, SubdomainMissingError

ClientFactory = Callable[[Config], AsyncCloudflare]
"""Builds the SDK client for one call, which closes it; embedders may supply one."""

PERMISSION = "Workers Scripts:Edit"
SUBDOMAIN_STEP = "read the account's workers.dev subdomain"

# Error codes of the Cloudflare API that mean the token itself is unusable.
_BAD_TOKEN_CODES = frozenset({1000, 6003, 6111, 9106, 9109})
_NOT_ALLOWED_CODE = 10000
_NOT_FOUND_CODE = 10007
_SUBDOMAIN_REQUIRED_CODE = 10063


def default_client(config: Config) -> AsyncCloudflare:
    """Return an SDK client that authenticates with the component's API token only."""
    client = AsyncCloudflare(api_token=config.api_token, timeout=config.timeout)
    # The SDK also picks up CLOUDFLARE_EMAIL / _API_KEY / _API_USER_SERVICE_KEY and
    # prefers them over the token; the component's own token must win.
    client.api_email = None
    client.api_key = None
    client.user_service_key = None
    return client


class CloudflareAPI:
    """The account-level calls that deploy one component's Worker."""

    def __init__(self, config: Config, client: AsyncCloudflare) -> None:
        self._account = config.account_id or ""
        self._script = config.worker_name
        self._client = client

    async def close(self) -> None:
        """Close the SDK client's connections."""
        await self._client.close()

    async def subdomain(self) -> str:
        """Return the account's workers.dev subdomain, the first label before it."""
        try:
            answer = await self._client.workers.subdomains.get(account_id=self._account)
        except cloudflare.APIError as exc:
            raise translate(exc, SUBDOMAIN_STEP, self._account) from None
        if not answer.subdomain:
            raise _no_subdomain(self._account)
        return answer.subdomain

    async def upload(
        self, module: str, script: bytes, metadata: Mapping[str, Any]
    ) -> None:
        """Create or replace the Worker script with `script` and `metadata`."""
        part = (module, script, "application/javascript+module")
        try:
            await self._client.workers.scripts.update(
                self._script,
                account_id=self._account,
                metadata=cast(Metadata, dict(metadata)),
                files=[part],
            )
        except cloudflare.APIError as exc:
            step = f"upload the Worker script {self._script!r}"
            raise translate(exc, step, self._account) from None

    async def enable_route(self) -> None:
        """Serve the Worker on its workers.dev host name."""
        try:
            await self._client.workers.scripts.subdomain.create(
                self._script, account_id=self._account, enabled=True
            )
        except cloudflare.APIError as exc:
            step = f"enable the workers.dev route of {self._script!r}"
            raise translate(exc, step, self._account) from None


def translate(exc: cloudflare.APIError, step: str, account: str) -> ProvisionError:
    """Turn an SDK error raised while trying to `step` into our own error."""
    if isinstance(exc, cloudflare.APIConnectionError):
        return ProvisionError(
            f"could not {step}: the Cloudflare API did not answer "
            f"({_connection_reason(exc)}); check the network and any proxy settings"
        )
    if not isinstance(exc, cloudflare.APIStatusError):
        return ProvisionError(
            f"could not {step}: the Cloudflare API answered with a body we cannot read"
        )

    codes = {error.code for error in exc.errors}
    status = exc.status_code
    if codes & _BAD_TOKEN_CODES or status == 401:
        return APITokenError(
            f"could not {step}: the Cloudflare API does not accept the token in "
            f"{API_TOKEN!r} ({_summary(exc)}); create an API token with the "
            f"account permission {PERMISSION} and put it there"
        )
    if _NOT_ALLOWED_CODE in codes or status == 403:
        return APITokenError(
            f"could not {step}: the token in {API_TOKEN!r} lacks the permission "
            f"{PERMISSION} on account {account!r} ({_summary(exc)}); grant it, "
            f"and check that {ACCOUNT_ID!r} is the right account"
        )
    if _SUBDOMAIN_REQUIRED_CODE in codes or (
        step == SUBDOMAIN_STEP and _NOT_FOUND_CODE in codes
    ):
        return _no_subdomain(account)
    if status == 429:
        return ProvisionError(
            f"could not {step}: the Cloudflare API is rate limiting this token "
            f"({_summary(exc)}); wait a minute and try again"
        )
    return ProvisionError(
        f"could not {step}: the Cloudflare API answered HTTP {status} ({_summary(exc)})"
    )


def _no_subdomain(account: str) -> SubdomainMissingError:
    return SubdomainMissingError(
        f"account {account!r} has no workers.dev subdomain, and a managed Worker is "
        "served on one: register it in the Cloudflare dashboard under "
        "Workers & Pages → your subdomain, then try again"
    )


def _summary(exc: cloudflare.APIStatusError) -> str:
    parts = [f"{error.message} [code {error.code}]" for error in exc.errors[:3]]
    return "; ".join(parts) or f"HTTP {exc.status_code}"


def _connection_reason(exc: cloudflare.APIConnectionError) -> str:
    if isinstance(exc, cloudflare.APITimeoutError):
        return "timed out"
    cause = exc.__cause__
    if cause is None:
        return exc.message
    if isinstance(cause, httpx.LocalProtocolError):
        # Its text quotes the offending header, and that may be the token.
        return "the request could not be formed"
    return f"{type(cause).__name__}: {cause}"
