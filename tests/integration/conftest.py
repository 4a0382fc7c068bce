"""Our Worker on real workerd, shared by the integration tests of one run."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from workerskv.config import Config
from workerskv.localrun import LocalWorker
from workerskv.store import StateStore

NAMESPACE = "ns-integration"
WORKER_NAME = "workerskv-it"


@pytest.fixture(scope="session")
def worker_metadata(private_pem: str) -> dict[str, str]:
    """Metadata of the session Worker, without its URL."""
    return {"kvNamespaceID": NAMESPACE, "workerName": WORKER_NAME, "key": private_pem}


@pytest.fixture(scope="session")
async def local_worker(
    worker_metadata: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[LocalWorker]:
    """The session Worker on workerd, KV persisted in a temporary folder."""
    root = tmp_path_factory.mktemp("workerd")
    config = Config.from_metadata({**worker_metadata, "workerUrl": "http://unused/"})
    log = (root / "workerd.log").open("ab")
    worker = LocalWorker.for_config(config, persist_dir=root / "kv", log=log)
    await worker.start()
    yield worker
    await worker.stop()
    log.close()


@pytest.fixture
def store_metadata(
    worker_metadata: dict[str, str], local_worker: LocalWorker
) -> dict[str, str]:
    """Pre-provisioned metadata pointing at the session Worker."""
    return {**worker_metadata, "workerUrl": local_worker.url}


@pytest.fixture
async def store(store_metadata: dict[str, str]) -> AsyncIterator[StateStore]:
    """An initialised store on the session Worker."""
    async with StateStore(store_metadata) as opened:
        yield opened


def persisted_files(root: Path) -> list[Path]:
    """Files workerd wrote under `root`."""
    return [p for p in root.rglob("*") if p.is_file()]
