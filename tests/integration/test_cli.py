"""The `workerskv` command as a user runs it: a real process, a real Worker."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from workerskv.localrun import LocalWorker

WORKERSKV = [sys.executable, "-m", "workerskv"]


def _run(
    *args: str, cwd: Path | None = None, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [*WORKERSKV, *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        timeout=180,
        check=False,
    )


@pytest.fixture
def target(
    local_worker: LocalWorker, worker_metadata: dict[str, str], tmp_path: Path
) -> list[str]:
    key_file = tmp_path / "private.pem"
    key_file.write_text(worker_metadata["key"])
    return [
        "--worker-url",
        local_worker.url,
        "--namespace",
        worker_metadata["kvNamespaceID"],
        "--worker-name",
        worker_metadata["workerName"],
        "--key-file",
        str(key_file),
    ]


def test_kv_set_get_delete_round_trip(target: list[str]) -> None:
    stored = _run("kv", "set", "cli||k/1", "héllo", "--ttl", "120", *target)
    read = _run("kv", "get", "cli||k/1", *target)
    deleted = _run("kv", "delete", "cli||k/1", *target)
    absent = _run("kv", "get", "cli||k/1", *target)

    assert stored.returncode == 0, stored.stderr
    assert read.stdout == "héllo".encode()
    assert deleted.returncode == 0
    assert absent.returncode == 1
    assert b"absent" in absent.stderr


def test_kv_set_reads_binary_values_from_stdin(target: list[str]) -> None:
    blob = bytes(range(256))

    _run("kv", "set", "cli||blob", "--from-file", "-", *target, stdin=blob)

    assert _run("kv", "get", "cli||blob", *target).stdout == blob


def test_kv_set_refuses_a_short_ttl_in_one_line(target: list[str]) -> None:
    result = _run("kv", "set", "cli||short", "v", "--ttl", "30", *target)

    assert result.returncode == 1
    assert result.stderr.decode().strip().splitlines() == [
        "error: ttlInSeconds=30 is below the Workers KV minimum of 60 seconds; "
        "use 60 or more, or -1 for no expiry"
    ]


def test_kv_against_a_stopped_worker_says_unreachable(target: list[str]) -> None:
    closed = [*target]
    closed[1] = "http://127.0.0.1:9/"

    result = _run("kv", "get", "k", *closed)

    assert result.returncode == 1
    assert b"cannot reach the Worker" in result.stderr
    assert b"PRIVATE KEY" not in result.stderr


def test_keygen_writes_a_usable_pair(tmp_path: Path) -> None:
    result = _run("keygen", "--out", str(tmp_path / "keys"))

    assert result.returncode == 0
    assert (tmp_path / "keys" / "private.pem").stat().st_mode & 0o777 == 0o600
    assert _run("keygen", "--out", str(tmp_path / "keys")).returncode != 0


@pytest.fixture
def sockets() -> Iterator[Path]:
    """A socket folder short enough for unix socket paths."""
    folder = Path(tempfile.mkdtemp(prefix="wkv-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_dev_runs_the_demo_and_data_survives_restarts(
    tmp_path: Path, sockets: Path
) -> None:
    args = ["dev", "--demo", "--exit", "--port", str(_free_port())]
    args += ["--socket-folder", str(sockets)]
    first = _run(*args, cwd=tmp_path)
    second = _run(*args, cwd=tmp_path)

    assert first.returncode == 0, first.stderr.decode()
    assert b"has run 1 time(s)" in first.stderr
    assert b"has run 2 time(s)" in second.stderr
    assert b"after restart  demo||greeting = 'hello from Workers KV'" in first.stderr
    assert (tmp_path / ".workerskv" / "components" / "statestore.yaml").exists()
    assert (tmp_path / ".workerskv" / "keys" / "private.pem").exists()
    assert b"attach daprd:    DAPR_COMPONENTS_SOCKETS_FOLDER=" in first.stderr
    assert list(sockets.iterdir()) == []


def test_dev_stops_every_child_on_ctrl_c(tmp_path: Path, sockets: Path) -> None:
    command = [*WORKERSKV, "dev", "--port", str(_free_port())]
    command += ["--socket-folder", str(sockets)]
    with subprocess.Popen(command, cwd=tmp_path, stderr=subprocess.PIPE) as process:
        assert process.stderr is not None
        _wait_for_line(process.stderr, b"press Ctrl-C")
        children = _descendants(process.pid)
        assert children
        assert (sockets / "cloudflare.workerskv.sock").exists()

        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0

    time.sleep(0.5)
    assert [pid for pid in children if _alive(pid)] == []
    assert list(sockets.iterdir()) == []


def test_ctrl_c_during_the_demo_stops_at_once(tmp_path: Path, sockets: Path) -> None:
    command = [*WORKERSKV, "dev", "--demo", "--port", str(_free_port())]
    command += ["--socket-folder", str(sockets)]
    with subprocess.Popen(command, cwd=tmp_path, stderr=subprocess.PIPE) as process:
        assert process.stderr is not None
        _wait_for_line(process.stderr, b"demo:")
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
        rest = process.stderr.read()

    assert b"demo interrupted" in rest
    assert b"press Ctrl-C" not in rest
    assert rest.endswith(b"stopped\n")
    assert list(sockets.iterdir()) == []


def _wait_for_line(stream: object, marker: bytes) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = stream.readline()  # type: ignore[attr-defined]
        if marker in line:
            return
        if not line:
            break
    raise AssertionError(f"never saw {marker!r}")


def _descendants(pid: int) -> list[int]:
    """Direct children of `pid` and every process in the sessions they lead."""
    table = subprocess.run(
        ["ps", "-e", "-o", "pid=,ppid=,sid="],
        capture_output=True,
        text=True,
        check=True,
    )
    rows = [[int(x) for x in line.split()] for line in table.stdout.splitlines()]
    direct = {p for p, parent, _ in rows if parent == pid}
    return [p for p, _, session in rows if p in direct or session in direct]


def _alive(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    try:
        state = stat.read_text().split()[2]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_dev_without_the_component_says_how_to_start_it(
    tmp_path: Path, sockets: Path
) -> None:
    args = ["dev", "--no-component", "--exit", "--port", str(_free_port())]

    result = _run(*args, "--socket-folder", str(sockets), cwd=tmp_path)

    assert result.returncode == 0, result.stderr.decode()
    assert b"start the component: workerskv serve --component" in result.stderr
    assert list(sockets.iterdir()) == []


def test_kv_without_a_target_names_the_options() -> None:
    result = _run("kv", "get", "k")

    assert result.returncode == 2
    assert b"--component FILE.yaml, or --worker-url" in result.stderr


def test_dev_on_a_busy_port_quotes_the_cause(tmp_path: Path, sockets: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        args = ["dev", "--exit", "--port", str(port), "--socket-folder", str(sockets)]

        result = _run(*args, cwd=tmp_path)

    assert result.returncode == 1
    last = result.stderr.decode().strip().splitlines()[-1]
    assert "Address already in use" in last
    assert "workerd.log" in last


def test_dev_refuses_a_socket_another_process_serves(
    tmp_path: Path, sockets: Path
) -> None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as other:
        other.bind(str(sockets / "cloudflare.workerskv.sock"))
        other.listen()
        args = ["dev", "--port", str(_free_port()), "--socket-folder", str(sockets)]

        result = _run(*args, cwd=tmp_path)

    assert result.returncode == 1
    assert b"another process is serving" in result.stderr
    assert b"press Ctrl-C" not in result.stderr


@pytest.mark.parametrize("command", [["keygen", "--out"], ["dev", "--exit", "--dir"]])
def test_an_unusable_folder_is_one_line_not_a_traceback(
    tmp_path: Path, command: list[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")

    result = _run(*command, str(blocker / "sub"), cwd=tmp_path)

    assert result.returncode == 1
    assert b"Traceback" not in result.stderr
    assert result.stderr.decode().strip().splitlines()[-1].startswith("error: ")


def test_worker_status_for_a_hand_deployed_worker_suggests_render(
    local_worker: LocalWorker, worker_metadata: dict[str, str], tmp_path: Path
) -> None:
    metadata = {**worker_metadata, "workerUrl": local_worker.url + "not-here/"}
    path = _component_file(tmp_path / "c.yaml", metadata)

    result = _run("worker", "status", "--component", str(path))

    assert result.returncode == 1
    assert b"`workerskv worker render` and `wrangler deploy`" in result.stderr
    assert b"PRIVATE KEY" not in result.stdout + result.stderr


def test_worker_status_of_a_local_worker_always_has_a_clock_line(
    local_worker: LocalWorker, worker_metadata: dict[str, str], tmp_path: Path
) -> None:
    metadata = {**worker_metadata, "workerUrl": local_worker.url}
    path = _component_file(tmp_path / "c.yaml", metadata)

    result = _run("worker", "status", "--component", str(path))

    assert result.returncode == 0, result.stderr
    # workerd sends no Date header, so the skew is unknown, and the line says so.
    assert b"clock skew" in result.stdout
    assert b"token" in result.stdout


def _component_file(path: Path, metadata: dict[str, str]) -> Path:
    """Write a Component YAML of our type with `metadata`."""
    items = [{"name": k, "value": v} for k, v in metadata.items()]
    document = {
        "apiVersion": "dapr.io/v1alpha1",
        "kind": "Component",
        "metadata": {"name": "s"},
        "spec": {
            "type": "state.cloudflare.workerskv",
            "version": "v1",
            "metadata": items,
        },
    }
    path.write_text(yaml.safe_dump(document))
    return path
