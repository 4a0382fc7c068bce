"""What the commands share: logging set-up, component loading, error handling."""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

import click

from workerskv.errors import WorkersKVError
from workerskv.server.serve import DEFAULT_SOCKET_FOLDER

P = ParamSpec("P")
R = TypeVar("R")


def configure_logging(level: str) -> None:
    """Log to stderr at `level`, one line per event; calling again changes the level."""
    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    logging.getLogger().setLevel(level.upper())

    debug = level.lower() == "debug"
    # httpx logs every request at INFO; that is noise for a state store.
    logging.getLogger("httpx").setLevel(logging.INFO if debug else logging.WARNING)
    # A retry that then succeeds is routine; failures surface as our own errors.
    logging.getLogger("stamina").setLevel(logging.NOTSET if debug else logging.ERROR)


def fail_cleanly(command: Callable[P, R]) -> Callable[P, R]:
    """Turn a workerskv or file-system error into one line on stderr and exit 1."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except WorkersKVError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        except OSError as exc:
            # Files and folders the user named: say which and why, no traceback.
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"error: {where}{exc.strerror or exc}", err=True)
            sys.exit(1)

    return wrapper


def component_option(
    required: bool = True,
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """The `--component FILE.yaml` option shared by commands that reach a Worker."""
    return click.option(
        "--component",
        "component_path",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        required=required,
        help="Dapr Component YAML of type state.cloudflare.workerskv.",
    )


socket_folder_option = click.option(
    "--socket-folder",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="DAPR_COMPONENTS_SOCKETS_FOLDER",
    default=DEFAULT_SOCKET_FOLDER,
    show_default=True,
    show_envvar=True,
    help="Folder of the pluggable component's socket; daprd scans it at its start.",
)
