"""The `workerskv` command line: a thin shell over the library."""

from __future__ import annotations

import click

from workerskv.cli.common import configure_logging
from workerskv.cli.dev import dev
from workerskv.cli.keygen import keygen
from workerskv.cli.kv import kv
from workerskv.cli.serve import serve
from workerskv.cli.worker import worker


@click.group()
@click.version_option(package_name="dapr-workerskv")
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"], case_sensitive=False),
    default="info",
    show_default=True,
    help="How much to log to stderr.",
)
def main(log_level: str) -> None:
    """Keep Dapr state in Cloudflare Workers KV."""
    configure_logging(log_level)


main.add_command(dev)
main.add_command(keygen)
main.add_command(kv)
main.add_command(serve)
main.add_command(worker)
