"""`workerskv serve` as a process: start, signals, start-up errors."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import write
from tests.unit.server_harness import socket_folder

WORKERSKV = str(Path(sys.executable).parent / "workerskv")
COMPONENT = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: statestore
spec:
  type: state.cloudflare.workerskv
  version: v1
  metadata:
    - name: kvNamespaceID
      value: "{namespace}"
    - name: workerName
      value: worker-test
    - name: workerUrl
      value: http://127.0.0.1:9/
    - name: key
      value: "{key}"
"""


@pytest.fixture
def folder() -> Iterator[Path]:
    with socket_folder() as path:
        yield path


def start(*args: str, log: Path | None = None) -> subprocess.Popen[str]:
    """`workerskv serve`, its stderr piped or, given `log`, written there."""
    if log is None:
        return subprocess.Popen(
            [WORKERSKV, "serve", *args], stderr=subprocess.PIPE, text=True
        )
    with log.open("w") as stderr:
        return subprocess.Popen([WORKERSKV, "serve", *args], stderr=stderr, text=True)


def wait_for(path: Path, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 20
    while not path.exists():
        assert process.poll() is None, process.communicate()[1]
        assert time.monotonic() < deadline, f"{path} did not appear"
        time.sleep(0.05)


def wait_for_line(log: Path, text: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while text not in log.read_text():
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, f"{text!r} was not logged"
        time.sleep(0.05)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_gracefully_and_removes_socket(
    folder: Path, signum: signal.Signals
) -> None:
    process = start("--socket-folder", str(folder), "--socket-name", "x.sock")
    wait_for(folder / "x.sock", process)

    process.send_signal(signum)
    _, stderr = process.communicate(timeout=20)

    assert process.returncode == 0, stderr
    assert not (folder / "x.sock").exists()
    assert "serving: socket=" in stderr
    assert "type=state.x" in stderr
    assert "stopping: grace=10.0s" in stderr


def test_socket_folder_defaults_to_dapr_variable(folder: Path) -> None:
    process = subprocess.Popen(
        [WORKERSKV, "serve"],
        stderr=subprocess.PIPE,
        text=True,
        env={"DAPR_COMPONENTS_SOCKETS_FOLDER": str(folder), "PATH": "/usr/bin"},
    )
    wait_for(folder / "cloudflare.workerskv.sock", process)

    process.terminate()
    process.communicate(timeout=20)

    assert process.returncode == 0


def test_bad_component_metadata_is_one_line_and_exit_1(folder: Path) -> None:
    yaml = COMPONENT.format(namespace="not a namespace", key="x")
    path = write(folder / "c.yaml", yaml)

    result = subprocess.run(
        [WORKERSKV, "serve", "--socket-folder", str(folder), "--component", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"error: {path}, component 'statestore': metadata 'kvNamespaceID': "
        "'not a namespace' has characters other than letters, digits, '_', '-' "
        "and '.'; give the namespace ID, not its title"
    ]
    assert not (folder / "cloudflare.workerskv.sock").exists()


def test_unreachable_worker_at_start_keeps_serving(
    folder: Path, private_pem: str
) -> None:
    key = private_pem.strip().replace("\n", "\\n")
    path = write(folder / "c.yaml", COMPONENT.format(namespace="ns-test", key=key))
    log = folder / "serve.log"

    process = start("--socket-folder", str(folder), "--component", str(path), log=log)
    wait_for(folder / "cloudflare.workerskv.sock", process)
    # Its retries take seconds: the socket must not wait for them.
    early = log.read_text()
    wait_for_line(log, "component not ready", process)
    process.terminate()
    process.wait(timeout=30)
    text = log.read_text()

    assert "component not ready" not in early
    assert process.returncode == 0, text
    assert "component not ready, retrying at its next call: name=statestore" in text
    assert "127.0.0.1:9" in text
    assert "PRIVATE KEY" not in text
