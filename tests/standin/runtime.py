"""Uploaded scripts running in real workerd: one process per script, KV kept on disk."""

from __future__ import annotations

import asyncio
import time
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from tests.standin.form import Part
from workerskv.errors import LocalRuntimeError
from workerskv.localrun import LocalWorker

_LOG_TAIL = 600


class DeployError(Exception):
    """The uploaded script did not start in workerd."""


@dataclass
class _Deployment:
    """One upload's files and the options its workerd process runs with."""

    folder: Path
    options: dict[str, Any]
    worker: LocalWorker | None = None
    log: IO[bytes] | None = None
    address: tuple[str, int] = ("", 0)
    visible_at: float = field(default=0.0)

    async def start(self) -> None:
        self.log = (self.folder / "workerd.log").open("ab")
        self.worker = LocalWorker(**self.options, log=self.log)
        try:
            url = await self.worker.start()
        except LocalRuntimeError as exc:
            await self.stop()
            log = self.folder / "workerd.log"
            raise DeployError(_startup_error(log, str(exc))) from None
        parts = urllib.parse.urlsplit(url)
        self.address = (parts.hostname or "127.0.0.1", parts.port or 80)

    async def stop(self) -> None:
        if self.worker is not None:
            await self.worker.stop()
        if self.log is not None:
            self.log.close()
        self.worker, self.log = None, None


class Deployments:
    """Starts, replaces and stops the workerd process behind each script."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._live: dict[tuple[str, str], _Deployment] = {}
        self._lock = asyncio.Lock()
        # How long a new deployment takes to be served on workers.dev: the real
        # platform needs a few seconds to publish a Worker everywhere.
        self.publish_delay = 0.0

    def address(self, account_id: str, script: str) -> tuple[str, int] | None:
        """Where the script's workerd listens, once its deployment is published."""
        live = self._live.get((account_id, script))
        if live is None or time.monotonic() < live.visible_at:
            return None
        return live.address

    async def deploy(
        self,
        account_id: str,
        script: str,
        modules: Mapping[str, Part],
        *,
        main: str,
        compatibility_date: str,
        kv_namespaces: Mapping[str, str],
        plain_text: Mapping[str, str],
    ) -> None:
        """Replace the script's process with one running `modules`.

        When the new script does not start, the previous deployment is restarted and
        keeps serving, as on the real platform.
        """
        folder = self._new_folder(account_id, script)
        for name, part in modules.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(part.data)
        deployment = _Deployment(
            folder,
            {
                "script_path": folder / main,
                "compatibility_date": compatibility_date,
                "namespaces": list(kv_namespaces),
                "bindings": dict(plain_text),
                "persist_dir": self._kv_folder(kv_namespaces.values()),
                "name": script,
            },
        )

        async with self._lock:
            previous = self._live.pop((account_id, script), None)
            if previous:
                await previous.stop()
            try:
                await deployment.start()
            except DeployError:
                if previous:
                    await previous.start()
                    self._live[(account_id, script)] = previous
                raise
            deployment.visible_at = time.monotonic() + self.publish_delay
            self._live[(account_id, script)] = deployment

    async def remove(self, account_id: str, script: str) -> None:
        """Stop the script's process, if any."""
        async with self._lock:
            live = self._live.pop((account_id, script), None)
            if live:
                await live.stop()

    async def close(self) -> None:
        """Stop every process; KV data on disk stays."""
        async with self._lock:
            lives, self._live = list(self._live.values()), {}
            for live in lives:
                await live.stop()

    def _new_folder(self, account_id: str, script: str) -> Path:
        base = self._root / "scripts" / account_id / script
        base.mkdir(parents=True, exist_ok=True)
        folder = base / str(sum(1 for _ in base.iterdir()) + 1)
        folder.mkdir()
        return folder

    def _kv_folder(self, namespace_ids: Iterable[str]) -> Path | None:
        # One folder for every namespace (workerd keeps each apart inside it by its
        # ID), so a namespace's data outlives any script bound to it.
        return self._root / "kv" if any(namespace_ids) else None


def _startup_error(log: Path, reason: str) -> str:
    text = log.read_text(errors="replace").strip() if log.exists() else ""
    detail = text[-_LOG_TAIL:] if text else "(workerd printed nothing)"
    return f"Uncaught error while starting the Worker: {detail} [{reason}]"
