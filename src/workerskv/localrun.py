"""Our Worker on real workerd, on this machine, through the `miniflare` npm package.

The Node.js side (`runtime/serve.mjs` and its pinned `package-lock.json`) ships inside
this package and is installed with `npm ci` into a cache folder on first use.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

from workerskv.artifact import load_worker
from workerskv.auth import public_key_pem
from workerskv.config import Config
from workerskv.errors import LocalRuntimeError

_RUNTIME_FILES = ("package.json", "package-lock.json", "serve.mjs")
_READY_TIMEOUT = 60.0
_STOP_GRACE = 5.0


def cache_dir() -> Path:
    """The folder for downloaded and built things, outside any project."""
    configured = os.environ.get("WORKERSKV_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "dapr-workerskv"


def ensure_runtime(progress: Callable[[str], None] | None = None) -> Path:
    """Install the pinned Node.js runtime once and return its folder."""
    source = resources.files("workerskv.runtime")
    digest = hashlib.sha256()
    for name in _RUNTIME_FILES:
        digest.update(source.joinpath(name).read_bytes())
    target = cache_dir() / "runtime" / digest.hexdigest()[:16]
    if (target / ".installed").exists():
        return target

    target.mkdir(parents=True, exist_ok=True)
    with open(target / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / ".installed").exists():
            _install(source, target, progress)
    return target


def _install(source: Any, target: Path, progress: Callable[[str], None] | None) -> None:
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        raise LocalRuntimeError(
            "Node.js and npm are needed to run the Worker locally; install Node.js 20 "
            "or newer and try again"
        )
    for name in _RUNTIME_FILES:
        (target / name).write_bytes(source.joinpath(name).read_bytes())

    if progress:
        progress(f"installing the local Worker runtime (miniflare) into {target}")
    result = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=target,
        check=False,
    )
    if result.returncode != 0:
        raise LocalRuntimeError(
            f"`npm ci` failed in {target} (exit {result.returncode}); see its output "
            "above, fix the cause and run again"
        )
    (target / ".installed").write_text("ok\n")
    if progress:
        progress("local Worker runtime installed")


class LocalWorker:
    """One Worker script served by workerd on a local port, KV optionally on disk."""

    def __init__(
        self,
        *,
        script_path: Path,
        compatibility_date: str,
        namespaces: Sequence[str],
        bindings: Mapping[str, str],
        persist_dir: Path | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        name: str = "worker",
        log: IO[Any] | int | None = None,
    ) -> None:
        self._spec = {
            "workers": [
                {
                    "name": name,
                    "script_path": str(script_path),
                    "compatibility_date": compatibility_date,
                    "kv_namespaces": list(namespaces),
                    "bindings": dict(bindings),
                }
            ],
            "host": host,
            "port": port,
            "persist_dir": str(persist_dir) if persist_dir else None,
        }
        self._log = log
        self._process: asyncio.subprocess.Process | None = None
        self._url: str | None = None

    @classmethod
    def for_config(cls, config: Config, **options: Any) -> LocalWorker:
        """Our bundled Worker, bound and keyed for `config`."""
        worker = load_worker()
        return cls(
            script_path=worker.path,
            compatibility_date=worker.compatibility_date,
            namespaces=[config.namespace_id],
            bindings={
                "PUBLIC_KEY": public_key_pem(config.private_key),
                "TOKEN_AUDIENCE": config.worker_name,
            },
            **options,
        )

    @property
    def url(self) -> str:
        """The Worker's base URL, ending with `/`."""
        if self._url is None:
            raise RuntimeError("the local Worker is not running")
        return self._url

    @property
    def pid(self) -> int | None:
        """The Node.js process ID while running."""
        return self._process.pid if self._process else None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def start(self, progress: Callable[[str], None] | None = None) -> str:
        """Start workerd and wait until the Worker answers; return its URL."""
        runtime = await asyncio.to_thread(ensure_runtime, progress)
        with tempfile.NamedTemporaryFile(
            "w", suffix=".json", prefix="workerskv-", delete=False
        ) as spec_file:
            json.dump(self._spec, spec_file)

        try:
            self._process = await asyncio.create_subprocess_exec(
                "node",
                str(runtime / "serve.mjs"),
                spec_file.name,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=self._log,
                start_new_session=True,
            )
            self._url = await self._wait_ready(self._process)
        except BaseException:
            await self.stop()
            raise
        finally:
            os.unlink(spec_file.name)
        return self._url

    async def _wait_ready(self, process: asyncio.subprocess.Process) -> str:
        assert process.stdout is not None
        try:
            line = await asyncio.wait_for(process.stdout.readline(), _READY_TIMEOUT)
        except TimeoutError:
            raise LocalRuntimeError(
                f"workerd did not report ready within {_READY_TIMEOUT:.0f}s"
            ) from None

        try:
            event = json.loads(line)
        except ValueError:
            event = None
        if not isinstance(event, dict) or event.get("event") != "ready":
            await process.wait()
            raise LocalRuntimeError(
                f"the local Worker runtime exited (code {process.returncode}) before "
                f"it was ready: {self._failure_reason()}"
            )
        return str(event["url"])

    def _failure_reason(self) -> str:
        """The runtime's last words: from its log file, else printed above."""
        name = getattr(self._log, "name", None)
        if not isinstance(name, str):
            return "its error is printed above"
        self._log.flush()  # type: ignore[union-attr]
        lines = Path(name).read_text(errors="replace").strip().splitlines()
        last = lines[-1].strip() if lines else "nothing was logged"
        return f"{last} (see {name})"

    async def stop(self) -> None:
        """Stop workerd; KV data on disk stays."""
        process, self._process, self._url = self._process, None, None
        if process is None or process.returncode is not None:
            return
        if process.stdin is not None:
            process.stdin.close()
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        try:
            await asyncio.wait_for(process.wait(), _STOP_GRACE)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, 9)
            await process.wait()
