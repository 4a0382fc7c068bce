"""The processes of the end-to-end tests: daprd and `workerskv serve`."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import yaml

from workerskv.localrun import LocalWorker

ROOT = Path(__file__).resolve().parents[2]
WORKERSKV = str(Path(sys.executable).parent / "workerskv")
SOCKET_NAME = "cloudflare.workerskv.sock"
COMPONENT_TYPE = "state.cloudflare.workerskv"
START_TIMEOUT = 60.0
APP_ID = "e2e"


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def daprd_binary() -> Path:
    """daprd from $DAPRD, else built (or reused) by scripts/build-daprd."""
    configured = os.environ.get("DAPRD")
    if configured:
        path = Path(configured)
        if not os.access(path, os.X_OK):
            pytest.fail(f"DAPRD={configured} is not an executable daprd")
        return path

    if shutil.which("go") is None:
        pytest.fail("daprd is needed: set DAPRD, or install Go for scripts/build-daprd")
    result = subprocess.run(
        [ROOT / "scripts" / "build-daprd"],
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"scripts/build-daprd failed (exit {result.returncode})")
    return Path(result.stdout.strip().splitlines()[-1])


def write_component(folder: Path, name: str, metadata: Mapping[str, str]) -> Path:
    """A Component YAML as a user would write it; returns its path."""
    document = {
        "apiVersion": "dapr.io/v1alpha1",
        "kind": "Component",
        "metadata": {"name": name},
        "spec": {
            "type": COMPONENT_TYPE,
            "version": "v1",
            "metadata": [{"name": k, "value": v} for k, v in metadata.items()],
        },
    }
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


class Process:
    """A child process logging to a file, with the log's tail for failures."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def spawn(self, args: list[str], env: Mapping[str, str] | None = None) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                args,
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, **(env or {})},
            )

    def tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def check_alive(self, what: str) -> None:
        assert self.process is not None
        if self.process.poll() is not None:
            pytest.fail(
                f"{what} exited with {self.process.returncode}; its log "
                f"({self.log}) ends with:\n{self.tail()}"
            )

    def stop(self) -> int:
        """SIGTERM, then wait; returns the exit status."""
        process, self.process = self.process, None
        if process is None:
            return 0
        process.terminate()
        try:
            return process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise


class ComponentServer(Process):
    """`workerskv serve` with --component for each YAML."""

    def __init__(self, folder: Path, components: list[Path], log: Path) -> None:
        super().__init__(log)
        self.folder = folder
        self.components = components

    @property
    def socket(self) -> Path:
        return self.folder / SOCKET_NAME

    def start(self) -> None:
        args = [WORKERSKV, "serve", "--socket-folder", str(self.folder)]
        for path in self.components:
            args += ["--component", str(path)]
        self.spawn([*args, "--log-level", "info"])

        deadline = time.monotonic() + START_TIMEOUT
        while not self.socket.exists():
            self.check_alive("workerskv serve")
            if time.monotonic() > deadline:
                pytest.fail(f"no socket at {self.socket} after {START_TIMEOUT}s")
            time.sleep(0.05)


class Daprd(Process):
    """daprd with our socket folder and a resources folder of Component YAMLs."""

    def __init__(
        self, binary: Path, resources: Path, sockets: Path, log: Path, app_id: str
    ) -> None:
        super().__init__(log)
        self.binary = binary
        self.resources = resources
        self.sockets = sockets
        self.app_id = app_id
        self.http_port = free_port()
        self.grpc_port = free_port()

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def grpc_address(self) -> str:
        return f"127.0.0.1:{self.grpc_port}"

    def start(self) -> None:
        args = [
            str(self.binary),
            "--app-id",
            self.app_id,
            "--resources-path",
            str(self.resources),
            "--dapr-http-port",
            str(self.http_port),
            "--dapr-grpc-port",
            str(self.grpc_port),
            "--dapr-internal-grpc-port",
            str(free_port()),
            "--enable-metrics=false",
            # Above its 4Mi default, so values daprd could not read back reach us.
            "--max-body-size",
            "16Mi",
            "--log-level",
            "debug",
        ]
        self.spawn(args, env={"DAPR_COMPONENTS_SOCKETS_FOLDER": str(self.sockets)})
        self._wait_healthy()

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            self.check_alive("daprd")
            try:
                answer = httpx.get(f"{self.http_url}/v1.0/healthz", timeout=2)
                if answer.status_code == 204:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"daprd not healthy after {START_TIMEOUT}s:\n{self.tail()}")
            time.sleep(0.2)

    def loaded(self, name: str) -> bool:
        """Whether daprd logged loading component `name` of our type."""
        return f"Component loaded: {name} ({COMPONENT_TYPE}/v1)" in self.tail(10_000)


@dataclass
class Stack:
    """The running pieces, for tests that stop and start them."""

    worker: LocalWorker
    component: ComponentServer
    daprd: Daprd
    metadata: dict[str, dict[str, str]]


def dapr_key(key: str) -> str:
    """The key daprd hands the component for `key` saved by app APP_ID."""
    return f"{APP_ID}||{key}"
