"""`workerskv worker render|deploy|status`: the Worker's lifecycle."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from workerskv.cli.common import component_option, fail_cleanly
from workerskv.client import MIN_VERSION, version_number
from workerskv.component import load_component
from workerskv.config import ACCOUNT_ID, API_TOKEN, WORKER_URL, Config, Mode
from workerskv.render import render_worker

if TYPE_CHECKING:
    from workerskv.provision import WorkerStatus

DEPLOY_TIMEOUT = 120.0
_NOT_DEPLOYED_YET = "https://not-deployed-yet.invalid/"


@click.group()
def worker() -> None:
    """Render, deploy and check the Worker a component talks to."""


@worker.command()
@component_option()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write worker.js and wrangler.toml into.",
)
@fail_cleanly
def render(component_path: Path, out: Path) -> None:
    """Write the Worker and its wrangler.toml, ready for `wrangler deploy`."""
    rendered = render_worker(_render_config(component_path), out)
    click.echo(f"wrote {rendered.script} and {rendered.config}")
    click.echo(f"deploy it with: cd {out} && npx wrangler deploy")


@worker.command()
@component_option()
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=DEPLOY_TIMEOUT,
    show_default=True,
    help="Seconds to wait for the Worker to be deployed and answering.",
)
@click.option(
    "--force",
    is_flag=True,
    help=(
        "Deploy even when the Worker is current or refuses this component's key; "
        "the Worker is then bound to this component's namespace only."
    ),
)
@fail_cleanly
def deploy(component_path: Path, timeout: float, force: bool) -> None:
    """Deploy or upgrade the Worker through the Cloudflare API when needed."""
    from workerskv.provision import ensure_worker  # the SDK is slow to import

    config = _config(component_path)
    with _progress():
        url = asyncio.run(ensure_worker(config, deadline=timeout, force=force))
    click.echo(url)


@worker.command()
@component_option()
@fail_cleanly
def status(component_path: Path) -> None:
    """Show whether the Worker answers, what it runs and whether it takes our key."""
    from workerskv.provision import worker_status  # the SDK is slow to import

    config = _config(component_path)
    report = asyncio.run(worker_status(config))
    for label, value in _describe(report):
        click.echo(f"{label:<11} {value}")
    trouble = _problem(report, config.mode)
    if trouble:
        click.echo(f"error: {trouble}", err=True)
        sys.exit(1)


def _config(path: Path) -> Config:
    return load_component(path).config()


def _render_config(path: Path) -> Config:
    """Read a component for rendering, which needs no URL and no API settings."""
    metadata = dict(load_component(path).metadata)
    given = {name.lower() for name, value in metadata.items() if value.strip()}
    if not given & {WORKER_URL.lower(), ACCOUNT_ID.lower(), API_TOKEN.lower()}:
        # The URL is what deploying the rendered Worker will produce.
        metadata[WORKER_URL] = _NOT_DEPLOYED_YET
    return Config.from_metadata(metadata)


@contextlib.contextmanager
def _progress() -> Iterator[None]:
    """Show provisioning progress as plain lines on stderr, whatever the log level."""
    logger = logging.getLogger("workerskv.provision")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("- %(message)s"))
    saved = (logger.level, logger.propagate)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]


def _describe(report: WorkerStatus) -> list[tuple[str, str]]:
    lines = [
        ("worker", report.url),
        ("reachable", _yes_no(report.reachable)),
        ("token", _token(report)),
    ]
    info = report.info
    if info is not None:
        shipped = f"this release ships {report.shipped_version}"
        bound = "bound" if report.namespace_bound else "NOT bound"
        lines += [
            ("version", f"{info.version or '(none)'} ({shipped})"),
            ("namespaces", ", ".join(info.namespaces) or "(none)"),
            ("namespace", f"{report.namespace} is {bound}"),
        ]
    if report.clock_skew is not None:
        skew = round(report.clock_skew)
        lines.append(("clock skew", f"{skew:+d} s (the Worker's clock minus ours)"))
    elif report.reachable:
        lines.append(("clock skew", "unknown (the Worker's answer has no Date header)"))
    if report.error is not None:
        lines.append(("answer", str(report.error)))
    return lines


_DEPLOY_HOW = {
    Mode.MANAGED: "`workerskv worker deploy`",
    Mode.PRE_PROVISIONED: "`workerskv worker render` and `wrangler deploy`",
}


def _problem(report: WorkerStatus, mode: Mode) -> str | None:
    if report.token_accepted is False:
        return (
            "the Worker refuses this component's token (see 'answer'): its key or "
            "its audience (workerName) differs"
        )
    if not report.reachable:
        return "the Worker does not answer (see 'answer')"
    if report.info is None:
        return (
            "the Worker does not answer as a Dapr Worker (see 'answer'); deploy it "
            f"with {_DEPLOY_HOW[mode]}"
        )
    if version_number(report.info.version) < MIN_VERSION:
        return (
            f"the Worker runs version {report.info.version!r}, below the minimum "
            f"{MIN_VERSION}; deploy the current one"
        )
    if not report.namespace_bound:
        return (
            f"the Worker is not bound to namespace {report.namespace!r}; "
            "redeploy it for this component"
        )
    return None


def _token(report: WorkerStatus) -> str:
    accepted = report.token_accepted
    if accepted is None:
        return "unknown"
    return "accepted" if accepted else "REFUSED (another key or workerName)"


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"
