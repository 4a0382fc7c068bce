"""The Worker's configuration for one component, and the files to deploy it by hand.

`render_worker` writes the shipped `worker.js` beside a complete `wrangler.toml`, so
manual provisioning is this one call followed by `wrangler deploy`; for a Worker
deployed that way and since outdated, `outdated_warning` says how to upgrade it.
Managed mode uploads the same script with the same bindings through the Cloudflare API.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from workerskv.artifact import WorkerArtifact, load_worker
from workerskv.auth import public_key_pem
from workerskv.client import WorkerInfo, version_number
from workerskv.config import Config, check_script_name

MODULE_NAME = "worker.js"
PUBLIC_KEY_VAR = "PUBLIC_KEY"
AUDIENCE_VAR = "TOKEN_AUDIENCE"
CONFIG_NAME = "wrangler.toml"

_TOML_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


@dataclass(frozen=True)
class RenderedWorker:
    """The files `render_worker` wrote."""

    script: Path
    config: Path


def worker_vars(config: Config) -> dict[str, str]:
    """Return the plain-text variables the Worker needs to verify our tokens."""
    return {
        PUBLIC_KEY_VAR: public_key_pem(config.private_key),
        AUDIENCE_VAR: config.worker_name,
    }


def wrangler_toml(config: Config, artifact: WorkerArtifact) -> str:
    """Return a `wrangler.toml` that deploys `artifact` for `config` unchanged."""
    # Pre-provisioned components may use any audience; a deployed Worker may not.
    check_script_name(config.worker_name)
    namespace = _toml_string(config.namespace_id)
    lines = [
        f"# Worker for Dapr state in Workers KV, version {artifact.version}.",
        "# Written by `workerskv worker render`; deploy with `wrangler deploy`.",
        f"name = {_toml_string(config.worker_name)}",
        f"main = {_toml_string(MODULE_NAME)}",
        f"compatibility_date = {_toml_string(artifact.compatibility_date)}",
        "workers_dev = true",
        "# worker.js is already bundled.",
        "no_bundle = true",
        "",
        "[vars]",
        *(f"{k} = {_toml_string(v)}" for k, v in worker_vars(config).items()),
        "",
        "# The binding is named after the namespace ID: the component addresses",
        "# the namespace by its ID.",
        "[[kv_namespaces]]",
        f"binding = {namespace}",
        f"id = {namespace}",
    ]
    return "\n".join(lines) + "\n"


def render_worker(
    config: Config, out: Path, *, artifact: WorkerArtifact | None = None
) -> RenderedWorker:
    """Write `worker.js` and `wrangler.toml` for `config` into the folder `out`."""
    artifact = artifact or load_worker()
    toml = wrangler_toml(config, artifact)

    out.mkdir(parents=True, exist_ok=True)
    rendered = RenderedWorker(script=out / MODULE_NAME, config=out / CONFIG_NAME)
    rendered.script.write_bytes(artifact.script)
    rendered.config.write_text(toml)
    return rendered


def outdated_warning(
    info: WorkerInfo, url: str, *, artifact: WorkerArtifact | None = None
) -> str | None:
    """Return upgrade advice when the Worker at `url` is older than the shipped one."""
    shipped = (artifact or load_worker()).version
    if version_number(info.version) >= version_number(shipped):
        return None
    return (
        f"the Worker at {url} runs version {info.version}; this release ships "
        f"{shipped}. It keeps working; to upgrade, run `workerskv worker render "
        "--component <component.yaml> --out <folder>`, then `wrangler deploy` in "
        "that folder"
    )


def _toml_string(value: str) -> str:
    # A PEM reads better as one of TOML's multi-line strings.
    multiline = "\n" in value
    escaped = "".join(_toml_char(c, multiline) for c in value)
    return f'"""\n{escaped}"""' if multiline else f'"{escaped}"'


def _toml_char(char: str, multiline: bool) -> str:
    if char == "\n" and multiline:
        return char
    if char in _TOML_ESCAPES:
        return _TOML_ESCAPES[char]
    if ord(char) < 0x20 or ord(char) == 0x7F:
        return f"\\u{ord(char):04x}"
    return char
