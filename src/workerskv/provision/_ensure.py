"""Managed mode: make sure the component's Worker is deployed, current and bound."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from typing import Any

from workerskv.artifact import WorkerArtifact, load_worker
from workerskv.client import version_number
from workerskv.config import ACCOUNT_ID, API_TOKEN, KEY, WORKER_NAME, Config
from workerskv.errors import (
    AuthRefusedError,
    ConfigError,
    ProvisionError,
    ProvisionTimeoutError,
    WorkerKeyMismatchError,
)
from workerskv.provision._api import ClientFactory, CloudflareAPI, default_client
from workerskv.provision._probe import ONE_ATTEMPT, Probe, clock_skew, probe_worker
from workerskv.render import MODULE_NAME, worker_vars

log = logging.getLogger("workerskv.provision")

POLL_INTERVAL = 3.0
# The Worker accepts tokens up to five minutes off its own clock.
CLOCK_TOLERANCE = 300.0


def worker_url(worker_name: str, subdomain: str) -> str:
    """Return the workers.dev URL a Worker is served on."""
    return f"https://{worker_name}.{subdomain}.workers.dev/"


def upload_metadata(
    config: Config, artifact: WorkerArtifact, keep: Iterable[str] = ()
) -> dict[str, Any]:
    """Return the upload metadata: entry module, compatibility date and bindings.

    The Worker is bound to the component's namespace and to each namespace in `keep`,
    so that components sharing the Worker keep theirs.
    """
    namespaces = [config.namespace_id, *sorted(set(keep) - {config.namespace_id})]
    kv = [
        {"type": "kv_namespace", "name": namespace, "namespace_id": namespace}
        for namespace in namespaces
    ]
    plain_text = [
        {"type": "plain_text", "name": name, "text": text}
        for name, text in worker_vars(config).items()
    ]
    return {
        "main_module": MODULE_NAME,
        "compatibility_date": artifact.compatibility_date,
        "bindings": [*kv, *plain_text],
    }


def deploy_reason(probe: Probe, config: Config, shipped: str) -> str | None:
    """Say why the Worker must be deployed, or None when it serves this component."""
    info = probe.info
    if info is None:
        return f"it does not answer as a current Worker ({probe.error})"
    if version_number(info.version) < version_number(shipped):
        return f"it runs version {info.version!r}, older than {shipped}"
    if config.namespace_id not in info.namespaces:
        return f"it is not bound to namespace {config.namespace_id!r}"
    return None


async def ensure_worker(
    config: Config,
    *,
    deadline: float,
    poll_interval: float = POLL_INTERVAL,
    force: bool = False,
    client_factory: ClientFactory = default_client,
    artifact: WorkerArtifact | None = None,
) -> str:
    """Deploy the Worker when missing, outdated or unbound; return its URL once ready.

    `deadline` bounds the whole call, in seconds. A Worker that refuses our token is
    left alone, as it most likely serves another component; `force` deploys whatever
    the Worker answers.
    """
    _require_api_settings(config)
    run = _Provisioning(config, artifact or load_worker(), force, poll_interval)
    api = CloudflareAPI(config, client_factory(config))
    limit = asyncio.timeout(deadline)
    try:
        async with limit:
            return await run.ensure(api)
    except TimeoutError:
        if not limit.expired():
            raise
        raise run.timed_out(deadline) from None
    finally:
        await api.close()


def _require_api_settings(config: Config) -> None:
    for field, value in (
        (ACCOUNT_ID, config.account_id),
        (API_TOKEN, config.api_token),
    ):
        if not value:
            raise ConfigError(field, "is required to deploy the Worker")


class _Provisioning:
    """One run of `ensure_worker`, remembering how far it got for error messages."""

    def __init__(
        self, config: Config, artifact: WorkerArtifact, force: bool, interval: float
    ) -> None:
        self._config = config
        self._artifact = artifact
        self._force = force
        self._interval = interval
        self._step = "reading the account's workers.dev subdomain"
        self._url = ""
        self._last: Probe | None = None

    async def ensure(self, api: CloudflareAPI) -> str:
        name = self._config.worker_name
        subdomain = await api.subdomain()
        self._url = worker_url(name, subdomain)
        log.info("Worker %s is served at %s", name, self._url)

        self._step = "checking the Worker"
        reason = await self._deploy_reason()
        if reason is None:
            log.info("Worker %s is current and bound: no deployment needed", name)
            return self._url

        log.info("deploying Worker %s %s: %s", name, self._artifact.version, reason)
        await self._deploy(api)
        await self._wait_until_ready()
        return self._url

    async def _deploy_reason(self) -> str | None:
        if self._force:
            return "asked to deploy whatever the Worker answers"
        probe = await probe_worker(self._url, self._config)
        self._last = probe
        if isinstance(probe.error, AuthRefusedError):
            raise await self._key_mismatch()
        return deploy_reason(probe, self._config, self._artifact.version)

    async def _deploy(self, api: CloudflareAPI) -> None:
        name = self._config.worker_name
        self._step = "uploading the Worker script"
        # Binding names are namespace IDs, so the Worker's answer says what to keep.
        info = self._last.info if self._last else None
        keep = info.namespaces if info else ()
        if set(keep) - {self._config.namespace_id}:
            log.info("keeping the bindings of Worker %s: %s", name, ", ".join(keep))
        metadata = upload_metadata(self._config, self._artifact, keep)
        await api.upload(MODULE_NAME, self._artifact.script, metadata)
        log.info("uploaded Worker %s (%d bytes)", name, len(self._artifact.script))

        self._step = "enabling the workers.dev route"
        await api.enable_route()
        log.info("enabled the workers.dev route of Worker %s", name)

    async def _wait_until_ready(self) -> None:
        version = self._artifact.version
        self._step = f"waiting for the Worker to answer with version {version}"
        log.info("waiting for %s to answer with version %s", self._url, version)
        started = time.monotonic()
        while True:
            probe = await probe_worker(self._url, self._config, retry=ONE_ATTEMPT)
            self._last = probe
            if deploy_reason(probe, self._config, version) is None:
                break
            await asyncio.sleep(self._interval)

        elapsed = time.monotonic() - started
        log.info("Worker %s is ready after %.1f s", self._url, elapsed)

    async def _key_mismatch(self) -> ProvisionError:
        skew = await clock_skew(self._url, self._config)
        if skew is not None and abs(skew) > CLOCK_TOLERANCE:
            return ProvisionError(
                f"the Worker at {self._url} refuses our token, and this machine's "
                f"clock is {skew:+.0f} s off the Worker's; correct the clock and "
                "try again"
            )
        log.info("Worker %s refuses our token: leaving it unchanged", self._url)
        return WorkerKeyMismatchError(
            f"the Worker {self._config.worker_name!r} at {self._url} is deployed but "
            "refuses our token: it holds another public key, so it probably serves "
            "another component, and it was left unchanged. Put the private key that "
            f"matches it in {KEY!r}, or choose another {WORKER_NAME!r}, or replace "
            "it (this breaks whatever uses it) by deleting it in the Cloudflare "
            "dashboard or with `workerskv worker deploy --force`"
        )

    def timed_out(self, deadline: float) -> ProvisionTimeoutError:
        last = f"; last answer: {self._last.describe()}" if self._last else ""
        return ProvisionTimeoutError(
            f"the Worker was not ready within {deadline:g} s, while {self._step}"
            f"{last}. A new Worker can take a while to be served: allow more time "
            "(the component's spec.initTimeout) or run `workerskv worker deploy`"
        )
