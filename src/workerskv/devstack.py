"""The local development stack: our Worker on workerd with KV kept on disk."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from workerskv.auth import generate_key_pair, write_private_file
from workerskv.component import COMPONENT_TYPE
from workerskv.config import Config

DEFAULT_PORT = 8787
DEFAULT_NAMESPACE = "workerskv-dev"
DEFAULT_WORKER_NAME = "workerskv-dev"
COMPONENT_NAME = "statestore"


@dataclass(frozen=True)
class DevLayout:
    """Where the stack keeps its files inside the project folder."""

    root: Path

    @property
    def keys(self) -> Path:
        """Folder of the development key pair."""
        return self.root / "keys"

    @property
    def private_key(self) -> Path:
        """The development private key (mode 0600)."""
        return self.keys / "private.pem"

    @property
    def kv(self) -> Path:
        """Where workerd persists the KV namespace."""
        return self.root / "kv"

    @property
    def components(self) -> Path:
        """The resources folder to give daprd."""
        return self.root / "components"

    @property
    def component_file(self) -> Path:
        """The ready Component YAML."""
        return self.components / f"{COMPONENT_NAME}.yaml"

    @property
    def logs(self) -> Path:
        """Logs of the child processes."""
        return self.root / "logs"


def prepare(layout: DevLayout) -> bool:
    """Create the folders and, when missing, the key pair; True if keys were made."""
    for folder in (layout.root, layout.kv, layout.components, layout.logs):
        folder.mkdir(parents=True, exist_ok=True)
    ignore = layout.root / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# Local development state of workerskv dev.\n*\n")
    if layout.private_key.exists():
        return False
    generate_key_pair(layout.keys)
    return True


def dev_config(layout: DevLayout, url: str, namespace: str, worker_name: str) -> Config:
    """The configuration of the local stack."""
    return Config.from_metadata(_metadata(layout, url, namespace, worker_name))


def write_component(
    layout: DevLayout, url: str, namespace: str, worker_name: str
) -> Path:
    """Write the Component YAML daprd loads to use the local Worker."""
    items = [
        {"name": name, "value": value}
        for name, value in _metadata(layout, url, namespace, worker_name).items()
    ]
    document = {
        "apiVersion": "dapr.io/v1alpha1",
        "kind": "Component",
        "metadata": {"name": COMPONENT_NAME},
        "spec": {"type": COMPONENT_TYPE, "version": "v1", "metadata": items},
    }
    text = yaml.safe_dump(document, sort_keys=False, default_style=None)
    write_private_file(layout.component_file, text)
    return layout.component_file


def _metadata(
    layout: DevLayout, url: str, namespace: str, worker_name: str
) -> dict[str, str]:
    return {
        "kvNamespaceID": namespace,
        "workerName": worker_name,
        "workerUrl": url,
        "key": layout.private_key.read_text(),
    }
