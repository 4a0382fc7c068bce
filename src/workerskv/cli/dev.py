"""`workerskv dev`: the whole stack on this machine, until Ctrl-C."""

from __future__ import annotations

import asyncio
import shlex
import signal
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import click

from workerskv import server
from workerskv.cli.common import fail_cleanly, socket_folder_option
from workerskv.component import load_component
from workerskv.config import Config
from workerskv.demo import run_demo
from workerskv.devstack import (
    DEFAULT_NAMESPACE,
    DEFAULT_PORT,
    DEFAULT_WORKER_NAME,
    DevLayout,
    dev_config,
    prepare,
    write_component,
)
from workerskv.errors import LocalRuntimeError
from workerskv.localrun import LocalWorker
from workerskv.store import StateStore


@dataclass(frozen=True)
class DevOptions:
    """What the user chose on the command line."""

    layout: DevLayout
    port: int
    namespace: str
    worker_name: str
    socket_path: Path | None
    demo: bool
    exit_after: bool


@click.command()
@click.option(
    "--dir",
    "root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(".workerskv"),
    show_default=True,
    help="Project-local folder for keys, KV data, the Component YAML and logs.",
)
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="Local port of the Worker.",
)
@click.option(
    "--namespace",
    default=DEFAULT_NAMESPACE,
    show_default=True,
    help="KV namespace ID the local Worker is bound to.",
)
@click.option(
    "--worker-name",
    default=DEFAULT_WORKER_NAME,
    show_default=True,
    help="Worker name, also the audience of its tokens.",
)
@socket_folder_option
@click.option(
    "--no-component",
    is_flag=True,
    help="Run only the Worker; start `workerskv serve` yourself.",
)
@click.option("--demo", is_flag=True, help="Run a short demo through the store.")
@click.option(
    "--exit",
    "exit_after",
    is_flag=True,
    help="Stop once started (and after the demo) instead of serving until Ctrl-C.",
)
@fail_cleanly
def dev(
    root: Path,
    port: int,
    namespace: str,
    worker_name: str,
    socket_folder: Path,
    no_component: bool,
    demo: bool,
    exit_after: bool,
) -> None:
    """Run our Worker on local workerd (KV kept on disk) and the pluggable component."""
    socket_path = None if no_component else socket_folder / server.DEFAULT_SOCKET_NAME
    options = DevOptions(
        DevLayout(root), port, namespace, worker_name, socket_path, demo, exit_after
    )
    if prepare(options.layout):
        _say(f"created a development key pair in {options.layout.keys}")
    with open(options.layout.logs / "workerd.log", "ab", buffering=0) as log:
        asyncio.run(_serve(options, log))


async def _serve(options: DevOptions, log: BinaryIO) -> None:
    layout = options.layout
    url = f"http://127.0.0.1:{options.port}/"
    config = dev_config(layout, url, options.namespace, options.worker_name)
    worker = LocalWorker.for_config(
        config, persist_dir=layout.kv, port=options.port, log=log
    )
    stop = asyncio.Event()
    try:
        await worker.start(progress=_say)
        path = write_component(
            layout, worker.url, options.namespace, options.worker_name
        )
        ready = asyncio.Event()
        serving = asyncio.create_task(
            _component(options.socket_path, path, stop, ready)
        )
        await _until_ready(ready, serving)
        _summary(worker.url, options)
        if options.demo:
            await _unless_stopped(_demo(config, worker), serving)
        if options.exit_after:
            stop.set()
        elif not serving.done():
            _say("serving; press Ctrl-C to stop")
        await serving
    finally:
        stop.set()
        await worker.stop()
        _say("stopped")


async def _component(
    socket_path: Path | None, yaml: Path, stop: asyncio.Event, ready: asyncio.Event
) -> None:
    if socket_path is None:
        ready.set()
        await _until_stopped(stop)
    else:
        component = load_component(yaml)
        await server.serve(socket_path, [component], stop=stop, ready=ready)


async def _until_stopped(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


async def _until_ready(ready: asyncio.Event, serving: asyncio.Task[None]) -> None:
    """Wait until the component listens; its start-up error, if any, is raised."""
    waiting = asyncio.create_task(ready.wait())
    await asyncio.wait({waiting, serving}, return_when=asyncio.FIRST_COMPLETED)
    if not ready.is_set():
        waiting.cancel()
        await serving
        raise LocalRuntimeError("the pluggable component stopped at start")


async def _unless_stopped(
    work: Coroutine[Any, Any, None], serving: asyncio.Task[None]
) -> None:
    """Run `work`, cutting it short when Ctrl-C ends `serving` first."""
    task = asyncio.create_task(work)
    await asyncio.wait({task, serving}, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        task.result()
        return

    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    _say("demo interrupted")


async def _demo(config: Config, worker: LocalWorker) -> None:
    async def restart() -> None:
        await worker.stop()
        await worker.start()

    _say("demo:")
    async with StateStore(config) as store:
        await run_demo(store, lambda line: _say(f"  {line}"), restart)


def _summary(url: str, options: DevOptions) -> None:
    layout = options.layout
    socket_path = options.socket_path
    _say(f"Worker:          {url}  (workerd, KV kept in {layout.kv})")
    _say(f"Component YAML:  {layout.component_file}")
    _say(f"workerd log:     {layout.logs / 'workerd.log'}")
    if socket_path is None:
        _say(
            f"start the component: workerskv serve --component {layout.component_file}"
        )
        socket_path = Path(server.DEFAULT_SOCKET_FOLDER) / server.DEFAULT_SOCKET_NAME
    else:
        _say(f"Component:       {socket_path}  (type state.cloudflare.workerskv)")
    daprd = [
        f"DAPR_COMPONENTS_SOCKETS_FOLDER={shlex.quote(str(socket_path.parent))}",
        "daprd --app-id myapp",
        f"--resources-path {shlex.quote(str(layout.components))}",
        "--dapr-http-port 3500 --dapr-grpc-port 50001",
    ]
    _say("attach daprd:    " + " ".join(daprd))


def _say(line: str) -> None:
    click.echo(line, err=True)
