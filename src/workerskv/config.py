"""Component metadata: parsing and validation, from a dict or a Dapr Component YAML."""

from __future__ import annotations

import math
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from workerskv.auth import load_private_key
from workerskv.errors import ConfigError

DEFAULT_TIMEOUT = 20.0

NAMESPACE_ID = "kvNamespaceID"
WORKER_NAME = "workerName"
KEY = "key"
ACCOUNT_ID = "cfAccountID"
API_TOKEN = "cfAPIToken"  # noqa: S105 - the field name, not a token
WORKER_URL = "workerUrl"
TIMEOUT = "timeoutInSeconds"
KNOWN_FIELDS = (
    NAMESPACE_ID,
    WORKER_NAME,
    KEY,
    ACCOUNT_ID,
    API_TOKEN,
    WORKER_URL,
    TIMEOUT,
)

_NAMESPACE_CHARS = re.compile(r"[A-Za-z0-9_.-]+")
# What an HTTP header value can carry: visible ASCII, no spaces.
_TOKEN_CHARS = re.compile(r"[!-~]+")
# Worker names double as workers.dev host labels, hence the DNS-label shape.
_SCRIPT_NAME = re.compile(r"[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?")


class Mode(Enum):
    """How the component gets its Worker."""

    MANAGED = "managed"
    PRE_PROVISIONED = "pre-provisioned"


@dataclass(frozen=True)
class Config:
    """Validated component metadata; build it with `Config.from_metadata`."""

    namespace_id: str
    worker_name: str
    private_key: Ed25519PrivateKey = field(repr=False)
    worker_url: str | None = None
    account_id: str | None = None
    api_token: str | None = field(default=None, repr=False)
    timeout: float = DEFAULT_TIMEOUT

    @property
    def mode(self) -> Mode:
        """Pre-provisioned when a Worker URL is given, else managed."""
        return Mode.PRE_PROVISIONED if self.worker_url else Mode.MANAGED

    @classmethod
    def from_metadata(cls, metadata: Mapping[str, object]) -> Config:
        """Validate Dapr component metadata; names match case-insensitively."""
        values = _fold(metadata)
        worker_url = _optional(values, WORKER_URL)
        account_id = _optional(values, ACCOUNT_ID)
        api_token = _optional(values, API_TOKEN)
        if not worker_url:
            _require_managed_pair(account_id, api_token)

        worker_name = _required(values, WORKER_NAME)
        if not worker_url:
            check_script_name(worker_name)
        return cls(
            namespace_id=_namespace_id(values),
            worker_name=worker_name,
            private_key=load_private_key(_required(values, KEY)),
            worker_url=_normalise_url(worker_url) if worker_url else None,
            account_id=account_id,
            api_token=_api_token(api_token) if api_token else None,
            timeout=_timeout(values),
        )


def _fold(metadata: Mapping[str, object]) -> dict[str, str]:
    canonical = {name.lower(): name for name in KNOWN_FIELDS}
    values: dict[str, str] = {}
    for name, value in metadata.items():
        key = canonical.get(name.lower())
        if key is None:
            continue
        if key in values:
            raise ConfigError(key, f"given twice (as {name!r}); keep one")
        values[key] = "" if value is None else str(value)
    return values


def _optional(values: Mapping[str, str], name: str) -> str | None:
    value = values.get(name, "").strip()
    return value or None


def _required(values: Mapping[str, str], name: str) -> str:
    value = _optional(values, name)
    if value is None:
        raise ConfigError(name, "is required")
    return value


def _require_managed_pair(account_id: str | None, api_token: str | None) -> None:
    if account_id and api_token:
        return
    if not account_id and not api_token:
        raise ConfigError(
            WORKER_URL,
            f"is required unless both {ACCOUNT_ID!r} and {API_TOKEN!r} are given "
            "(then the Worker is deployed for you)",
        )
    missing = ACCOUNT_ID if not account_id else API_TOKEN
    raise ConfigError(
        missing, f"is required to deploy the Worker, or set {WORKER_URL!r} instead"
    )


def _namespace_id(values: Mapping[str, str]) -> str:
    value = _required(values, NAMESPACE_ID)
    if not _NAMESPACE_CHARS.fullmatch(value):
        raise ConfigError(
            NAMESPACE_ID,
            f"{shown_value(value)} has characters other than letters, digits, "
            "'_', '-' and '.'; give the namespace ID, not its title",
        )
    return value


def _api_token(token: str) -> str:
    # The token travels in a header; never quote it, not even in part.
    if not _TOKEN_CHARS.fullmatch(token):
        raise ConfigError(
            API_TOKEN,
            "has characters an API token cannot hold (spaces, line breaks or "
            "non-ASCII); copy the token again from the Cloudflare dashboard",
        )
    return token


def check_script_name(name: str) -> None:
    """Refuse a Worker name that cannot be a workers.dev host label."""
    if not _SCRIPT_NAME.fullmatch(name):
        raise ConfigError(
            WORKER_NAME,
            f"{shown_value(name)} is not a valid Worker name: use 1 to 63 "
            "lower-case letters, digits, '-' or '_', starting and ending with a "
            "letter or digit",
        )


def _normalise_url(url: str) -> str:
    shown = shown_value(url)
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        raise ConfigError(WORKER_URL, f"{shown} has an invalid port") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            WORKER_URL, f"{shown} is not an http or https URL with a host name"
        )
    if parts.query or parts.fragment or any(c.isspace() for c in url):
        raise ConfigError(WORKER_URL, f"{shown} must have no spaces, query or fragment")
    if port == 0:
        raise ConfigError(WORKER_URL, f"{shown} has an invalid port")
    return url if url.endswith("/") else url + "/"


def shown_value(value: str, limit: int = 60) -> str:
    """A value as error messages may quote it: short, and never a private key."""
    if "PRIVATE KEY" in value:
        return "(a private key)"
    return repr(value) if len(value) <= limit else repr(value[:limit]) + "..."


def _timeout(values: Mapping[str, str]) -> float:
    raw = _optional(values, TIMEOUT)
    if raw is None:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(raw)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise ConfigError(
            TIMEOUT, f"{shown_value(raw)} is not a positive number of seconds"
        )
    return seconds
