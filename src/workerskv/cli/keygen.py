"""`workerskv keygen`: a new Ed25519 key pair."""

from __future__ import annotations

from pathlib import Path

import click

from workerskv.auth import generate_key_pair
from workerskv.cli.common import fail_cleanly


@click.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder for private.pem (mode 0600) and public.pem.",
)
@click.option("--force", is_flag=True, help="Replace existing key files.")
@fail_cleanly
def keygen(out_dir: Path, force: bool) -> None:
    """Write a new Ed25519 key pair, as `openssl genpkey -algorithm ed25519` would."""
    try:
        pair = generate_key_pair(out_dir, overwrite=force)
    except FileExistsError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"private key: {pair.private_path}  (keep secret; the 'key' metadata)")
    click.echo(f"public key:  {pair.public_path}  (the Worker's PUBLIC_KEY)")
