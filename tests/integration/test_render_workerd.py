"""`workerskv worker render` output, deployed as wrangler would, serves the store."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.standin.fixtures import component_yaml, other_key_pem
from workerskv.artifact import load_worker
from workerskv.errors import AuthRefusedError
from workerskv.localrun import LocalWorker
from workerskv.store import StateStore

NAMESPACE = "0f2ac74b498b48028cb68387c421e279"
WORKER_NAME = "rendered-kv"


@pytest.fixture
def metadata(private_pem: str) -> dict[str, str]:
    """What manual provisioning starts from: no Worker URL yet, no API settings."""
    return {"kvNamespaceID": NAMESPACE, "workerName": WORKER_NAME, "key": private_pem}


@pytest.fixture
def rendered(metadata: dict[str, str], tmp_path: Path) -> Path:
    component = component_yaml(tmp_path / "component.yaml", metadata)
    out = tmp_path / "deploy"
    command = ["worker", "render", "--component", str(component), "--out", str(out)]
    result = subprocess.run(
        [sys.executable, "-m", "workerskv", *command],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "wrangler deploy" in result.stdout
    return out


@pytest.fixture
async def deployed(rendered: Path, tmp_path: Path) -> AsyncIterator[LocalWorker]:
    """The rendered files on workerd, configured from wrangler.toml alone."""
    settings: dict[str, Any] = tomllib.loads((rendered / "wrangler.toml").read_text())
    bindings = settings["kv_namespaces"]
    assert all(kv["binding"] == kv["id"] for kv in bindings)
    worker = LocalWorker(
        script_path=rendered / settings["main"],
        compatibility_date=settings["compatibility_date"],
        namespaces=[kv["binding"] for kv in bindings],
        bindings=settings["vars"],
        persist_dir=tmp_path / "kv",
        name=settings["name"],
    )
    async with worker:
        yield worker


async def test_rendered_worker_serves_the_store(
    deployed: LocalWorker, metadata: dict[str, str]
) -> None:
    pinned = {**metadata, "workerUrl": deployed.url}

    async with StateStore(pinned) as store:
        await store.set("app||a/b c", b"rendered")
        item = await store.get("app||a/b c")
        info = store.worker_info
        await store.delete("app||a/b c")
        gone = await store.get("app||a/b c")

    assert item is not None
    assert item.data == b"rendered"
    assert gone is None
    assert info.version == load_worker().version
    assert info.namespaces == (NAMESPACE,)


async def test_rendered_worker_refuses_another_key(
    deployed: LocalWorker, metadata: dict[str, str]
) -> None:
    stranger = {**metadata, "workerUrl": deployed.url, "key": other_key_pem()}

    with pytest.raises(AuthRefusedError):
        await StateStore(stranger).init()


def test_rendered_script_is_the_shipped_bundle(rendered: Path) -> None:
    assert (rendered / "worker.js").read_bytes() == load_worker().script
