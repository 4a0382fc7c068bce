"""`workerskv dev`: the whole stack on this machine, until Ctrl-C."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from pathlib import Path
from typing import BinaryIO

import click

from workerskv.cli.common import fail_cleanly
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
from workerskv.localrun import LocalWorker
from workerskv.store import StateStore


@click.command()
@click.option(
    "--dir",
    "root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(".workerskv"),
    show_default=True,
    help="Project-local folder for keys, KV data, the Component YAML and logs.",
)
@click.option("--port", type=int, default=DEFAULT_PORT, show_default=True)
@click.option("--namespace", default=DEFAULT_NAMESPACE, show_default=True)
@click.option("--worker-name", default=DEFAULT_WORKER_NAME, show_default=True)
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
    demo: bool,
    exit_after: bool,
) -> None:
    """Run our Worker on local workerd with KV persisted on disk."""
    layout = DevLayout(root)
    if prepare(layout):
        _say(f"created a development key pair in {layout.keys}")
    with open(layout.logs / "workerd.log", "ab") as log:
        asyncio.run(_serve(layout, log, port, namespace, worker_name, demo, exit_after))


async def _serve(
    layout: DevLayout,
    log: BinaryIO,
    port: int,
    namespace: str,
    worker_name: str,
    demo: bool,
    exit_after: bool,
) -> None:
    url = f"http://127.0.0.1:{port}/"
    config = dev_config(layout, url, namespace, worker_name)
    worker = LocalWorker.for_config(config, persist_dir=layout.kv, port=port, log=log)
    try:
        await worker.start(progress=_say)
        component = write_component(layout, worker.url, namespace, worker_name)
        _summary(worker.url, layout, component)
        if demo:
            await _demo(config, worker)
        if not exit_after:
            _say("serving; press Ctrl-C to stop")
            await _until_stopped()
    finally:
        await worker.stop()
        _say("stopped")


async def _demo(config: Config, worker: LocalWorker) -> None:
    async def restart() -> None:
        await worker.stop()
        await worker.start()

    _say("demo:")
    async with StateStore(config) as store:
        await run_demo(store, lambda line: _say(f"  {line}"), restart)


def _summary(url: str, layout: DevLayout, component: Path) -> None:
    _say(f"Worker:          {url}  (workerd, KV kept in {layout.kv})")
    _say(f"Component YAML:  {component}")
    _say(f"workerd log:     {layout.logs / 'workerd.log'}")


async def _until_stopped() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(ValueError):
                loop.remove_signal_handler(signum)


def _say(line: str) -> None:
    click.echo(line, err=True)
