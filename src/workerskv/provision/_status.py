"""What an operator wants to know about a component's Worker."""

from __future__ import annotations

from dataclasses import dataclass

from workerskv.artifact import WorkerArtifact, load_worker
from workerskv.client import WorkerInfo, version_number
from workerskv.config import Config
from workerskv.errors import AuthRefusedError, WorkerError, WorkerUnreachableError
from workerskv.provision._api import ClientFactory, CloudflareAPI, default_client
from workerskv.provision._ensure import worker_url
from workerskv.provision._probe import clock_skew, probe_worker


@dataclass(frozen=True)
class WorkerStatus:
    """The Worker as seen from here: its answer, or the error, and its clock."""

    url: str
    namespace: str
    shipped_version: str
    info: WorkerInfo | None = None
    error: WorkerError | None = None
    clock_skew: float | None = None

    @property
    def reachable(self) -> bool:
        """True when the Worker answered at all, even with a refusal."""
        return not isinstance(self.error, WorkerUnreachableError)

    @property
    def token_accepted(self) -> bool | None:
        """Whether the Worker accepted our token; None when that is unknown."""
        if self.info is not None:
            return True
        return False if isinstance(self.error, AuthRefusedError) else None

    @property
    def namespace_bound(self) -> bool | None:
        """Whether the Worker is bound to our namespace; None when unknown."""
        return None if self.info is None else self.namespace in self.info.namespaces

    @property
    def outdated(self) -> bool | None:
        """Whether the Worker runs an older version than this release ships."""
        if self.info is None:
            return None
        return version_number(self.info.version) < version_number(self.shipped_version)


async def resolve_url(
    config: Config, *, client_factory: ClientFactory = default_client
) -> str:
    """Return the configured Worker URL, or its workers.dev URL in managed mode."""
    if config.worker_url:
        return config.worker_url

    api = CloudflareAPI(config, client_factory(config))
    try:
        subdomain = await api.subdomain()
    finally:
        await api.close()
    return worker_url(config.worker_name, subdomain)


async def worker_status(
    config: Config,
    *,
    client_factory: ClientFactory = default_client,
    artifact: WorkerArtifact | None = None,
) -> WorkerStatus:
    """Ask the component's Worker what it runs, and how far its clock is from ours."""
    url = await resolve_url(config, client_factory=client_factory)
    probe = await probe_worker(url, config)
    reachable = not isinstance(probe.error, WorkerUnreachableError)
    return WorkerStatus(
        url=url,
        namespace=config.namespace_id,
        shipped_version=(artifact or load_worker()).version,
        info=probe.info,
        error=probe.error,
        clock_skew=await clock_skew(url, config) if reachable else None,
    )
