"""A Dapr state store for Cloudflare Workers KV."""

from workerskv.component import Component, load_component, load_components
from workerskv.config import Config, Mode
from workerskv.errors import (
    AuthRefusedError,
    ConfigError,
    InvalidRequestError,
    KeyFormatError,
    LocalRuntimeError,
    NamespaceNotBoundError,
    ProvisionError,
    RateLimitedError,
    UnexpectedResponseError,
    WorkerError,
    WorkerOutdatedError,
    WorkersKVError,
    WorkerUnreachableError,
)
from workerskv.models import BulkGetResult, SetItem, StateItem
from workerskv.store import StateStore
from workerskv.sync import SyncStateStore

__all__ = [
    "AuthRefusedError",
    "BulkGetResult",
    "Component",
    "Config",
    "ConfigError",
    "InvalidRequestError",
    "KeyFormatError",
    "LocalRuntimeError",
    "Mode",
    "NamespaceNotBoundError",
    "ProvisionError",
    "RateLimitedError",
    "SetItem",
    "StateItem",
    "StateStore",
    "SyncStateStore",
    "UnexpectedResponseError",
    "WorkerError",
    "WorkerOutdatedError",
    "WorkerUnreachableError",
    "WorkersKVError",
    "load_component",
    "load_components",
]
