"""Managed mode: deploy, upgrade and check the Worker through the Cloudflare API.

Progress and every decision are logged, one line each, on the `workerskv.provision`
logger. The API token never appears in a log line or an error message.
"""

from workerskv.provision._api import ClientFactory, CloudflareAPI, default_client
from workerskv.provision._ensure import (
    POLL_INTERVAL,
    deploy_reason,
    ensure_worker,
    upload_metadata,
    worker_url,
)
from workerskv.provision._probe import Probe, clock_skew, probe_worker
from workerskv.provision._status import WorkerStatus, resolve_url, worker_status

__all__ = [
    "POLL_INTERVAL",
    "ClientFactory",
    "CloudflareAPI",
    "Probe",
    "WorkerStatus",
    "clock_skew",
    "default_client",
    "deploy_reason",
    "ensure_worker",
    "probe_worker",
    "resolve_url",
    "upload_metadata",
    "worker_status",
    "worker_url",
]
