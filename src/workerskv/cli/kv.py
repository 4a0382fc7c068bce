"""`workerskv kv get|set|delete`: single keys, against any Worker."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from workerskv.cli.common import component_option, fail_cleanly
from workerskv.component import load_component
from workerskv.config import (
    ACCOUNT_ID,
    API_TOKEN,
    KEY,
    NAMESPACE_ID,
    WORKER_NAME,
    WORKER_URL,
)
from workerskv.errors import ConfigError, KeyFormatError
from workerskv.sync import SyncStateStore

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]
# The option that stands in for each metadata field, by lower-cased name.
_OPTIONS = {
    KEY.lower(): "--key-file",
    WORKER_URL.lower(): "--worker-url",
    NAMESPACE_ID.lower(): "--namespace",
    WORKER_NAME.lower(): "--worker-name",
}


def _target_options(command: Callable[..., Any]) -> Callable[..., Any]:
    options: list[Decorator] = [
        component_option(required=False),
        click.option(
            "--worker-url", help="Worker URL (instead of, or over, the YAML)."
        ),
        click.option("--namespace", help="KV namespace ID."),
        click.option("--worker-name", help="Worker name (the token audience)."),
        click.option(
            "--key-file",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="Ed25519 private key PEM.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _open(options: dict[str, Any]) -> SyncStateStore:
    if options["component_path"] is None and options["worker_url"] is None:
        raise click.UsageError(
            "say which Worker: --component FILE.yaml, or --worker-url with "
            "--namespace, --worker-name and --key-file"
        )
    metadata: dict[str, str] = {}
    secrets: tuple[str, ...] = ()
    if options["component_path"] is not None:
        component = load_component(options["component_path"], secret_refs=True)
        metadata.update(component.metadata)
        secrets = component.secret_refs
    overrides = {
        WORKER_URL: options["worker_url"],
        NAMESPACE_ID: options["namespace"],
        WORKER_NAME: options["worker_name"],
        KEY: _read_key_file(options["key_file"]) if options["key_file"] else None,
    }
    for name, value in overrides.items():
        if value is not None:
            metadata = {k: v for k, v in metadata.items() if k.lower() != name.lower()}
            metadata[name] = value
    _check_secrets_given(secrets, metadata)
    return SyncStateStore(metadata)


def _read_key_file(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise KeyFormatError(
            f"{path} is not a PEM text file (a DER or other binary key?); convert "
            f"it with `openssl pkey -in {path} -out private.pem`"
        ) from None


def _check_secrets_given(secrets: tuple[str, ...], metadata: dict[str, str]) -> None:
    """Refuse metadata that only daprd could read from its secret store."""
    given = {name.lower() for name in metadata}
    unneeded = (
        {ACCOUNT_ID.lower(), API_TOKEN.lower()}
        if WORKER_URL.lower() in given
        else set()
    )
    missing = [n for n in secrets if n.lower() not in given | unneeded]
    if not missing:
        return
    option = _OPTIONS.get(missing[0].lower())
    instead = f"give {option} instead, or" if option else "give it"
    raise ConfigError(
        missing[0],
        "comes from a secret store (secretKeyRef), which only daprd reads; "
        f"{instead} through envRef in the YAML",
    )


@click.group()
def kv() -> None:
    """Read and write single keys through the Worker."""


@kv.command()
@click.argument("key")
@_target_options
@fail_cleanly
def get(key: str, **options: Any) -> None:
    """Print the value of KEY; exit status 1 when it is absent."""
    with _open(options) as store:
        item = store.get(key)
    if item is None:
        click.echo(f"key {key!r} is absent", err=True)
        sys.exit(1)
    sys.stdout.buffer.write(item.data)
    sys.stdout.flush()


@kv.command(name="set")
@click.argument("key")
@click.argument("value", required=False)
@click.option(
    "--from-file",
    type=click.File("rb"),
    help="Read the value from this file ('-' for stdin).",
)
@click.option("--ttl", type=int, help="Seconds until expiry (60 or more).")
@click.option("--content-type", help="Content type stored with the value.")
@_target_options
@fail_cleanly
def set_(
    key: str,
    value: str | None,
    from_file: Any,
    ttl: int | None,
    content_type: str | None,
    **options: Any,
) -> None:
    """Store VALUE (or --from-file) under KEY."""
    if (value is None) == (from_file is None):
        raise click.UsageError("give either VALUE or --from-file")
    data = value.encode() if value is not None else from_file.read()
    with _open(options) as store:
        store.set(key, data, ttl=ttl, content_type=content_type)
    click.echo(f"stored {key!r} ({len(data)} bytes)", err=True)


@kv.command()
@click.argument("key")
@_target_options
@fail_cleanly
def delete(key: str, **options: Any) -> None:
    """Delete KEY (succeeds when it is already absent)."""
    with _open(options) as store:
        store.delete(key)
    click.echo(f"deleted {key!r}", err=True)
