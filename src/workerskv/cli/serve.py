"""`workerskv serve`: the Dapr pluggable component, until SIGTERM or Ctrl-C."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from workerskv import server
from workerskv.cli.common import configure_logging, fail_cleanly, socket_folder_option
from workerskv.component import load_components


@click.command()
@socket_folder_option
@click.option(
    "--socket-name",
    default=server.DEFAULT_SOCKET_NAME,
    show_default=True,
    help="Socket file name; daprd serves it as type state.<name without extension>.",
)
@click.option(
    "--component",
    "component_paths",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Component YAML to initialise at start, so that a restarted process "
    "serves a running daprd at once (repeatable).",
)
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"], case_sensitive=False),
    help="How much to log to stderr (overrides the global option).",
)
@fail_cleanly
def serve(
    socket_folder: Path,
    socket_name: str,
    component_paths: tuple[Path, ...],
    log_level: str | None,
) -> None:
    """Serve the state store to daprd as a pluggable component."""
    if log_level:
        configure_logging(log_level)
    components = [
        component
        for path in component_paths
        for component in load_components(path, secret_refs=True)
    ]

    asyncio.run(server.serve(socket_folder / socket_name, components))
