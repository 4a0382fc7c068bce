"""The errors raised by workerskv.

Every error derives from `WorkersKVError`::

    WorkersKVError
    ├── ConfigError             component metadata is missing or malformed
    │   └── KeyFormatError      the `key` metadata is not an Ed25519 private key
    ├── InvalidRequestError     a call's input cannot be stored (key, TTL, value)
    ├── WorkerError             the Worker could not do what was asked
    │   ├── AuthRefusedError    the Worker rejected our token
    │   ├── RateLimitedError    Workers KV or the Worker throttled us
    │   ├── WorkerUnreachableError  no answer: connection failed or timed out
    │   ├── NamespaceNotBoundError  the Worker has no binding for the namespace
    │   ├── WorkerOutdatedError     the Worker speaks a protocol too old for us
    │   └── UnexpectedResponseError an answer we cannot interpret
    ├── ProvisionError          the Cloudflare API refused or failed a step
    │   ├── APITokenError           the API token is invalid or lacks a permission
    │   ├── SubdomainMissingError   the account has no workers.dev subdomain
    │   ├── WorkerKeyMismatchError  the deployed Worker holds another public key
    │   └── ProvisionTimeoutError   the Worker was not ready within the deadline
    └── LocalRuntimeError       Node.js, npm or workerd failed on this machine

Messages say what happened and what to do; they never contain secrets.
"""

from __future__ import annotations


class WorkersKVError(Exception):
    """Base class of every error raised by workerskv."""


class ConfigError(WorkersKVError):
    """The component metadata is missing a field or holds an unusable value."""

    def __init__(self, field: str, message: str, *, metadata: bool = True) -> None:
        label = f"metadata {field!r}" if metadata else field
        super().__init__(f"{label}: {message}")
        self.field = field


class KeyFormatError(ConfigError):
    """The `key` metadata is not an Ed25519 PKCS#8 private key."""

    def __init__(self, message: str) -> None:
        super().__init__("key", message)


class InvalidRequestError(WorkersKVError):
    """A request's input cannot be stored as given; nothing was stored."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class WorkerError(WorkersKVError):
    """The Worker did not complete a request."""


class AuthRefusedError(WorkerError):
    """The Worker answered 401: it does not accept our token."""


class RateLimitedError(WorkerError):
    """The Worker or Workers KV answered 429 and retries did not get through."""


class WorkerUnreachableError(WorkerError):
    """The Worker could not be reached, or did not answer in time."""


class NamespaceNotBoundError(WorkerError):
    """The Worker has no KV binding for the configured namespace."""


class WorkerOutdatedError(WorkerError):
    """The Worker reports a protocol version older than the one required."""


class UnexpectedResponseError(WorkerError):
    """The Worker answered with a status or body that has no meaning here."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ProvisionError(WorkersKVError):
    """A step of deploying the Worker through the Cloudflare API failed."""


class APITokenError(ProvisionError):
    """The Cloudflare API refused the API token, or it lacks a needed permission."""


class SubdomainMissingError(ProvisionError):
    """The Cloudflare account has no workers.dev subdomain to serve the Worker on."""


class WorkerKeyMismatchError(ProvisionError):
    """The Worker answers but refuses our token: it was deployed with another key."""


class ProvisionTimeoutError(ProvisionError):
    """The Worker did not become ready before the caller's deadline."""


class LocalRuntimeError(WorkersKVError):
    """The local Worker runtime (Node.js, npm, workerd) could not be set up or run."""
