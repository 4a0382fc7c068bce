"""Pytest fixtures for tests that deploy through the stand-in; import them by name."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.standin.api import EDIT, READ
from tests.standin.server import CloudflareStandIn
from workerskv.auth import private_key_pem

ACCOUNT = "acc-main"
SUBDOMAIN = "dapr-tests"
TOKEN = "cf-token-edit-3b9f0c"
READ_ONLY_TOKEN = "cf-token-read-81d2aa"
BARE_ACCOUNT = "acc-bare"
BARE_TOKEN = "cf-token-bare-5e61c4"
NAMESPACES = ("ns-one", "ns-two")

_names = itertools.count(1)
Metadata = Callable[..., dict[str, str]]


@pytest.fixture(scope="module")
def standin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CloudflareStandIn]:
    """The Cloudflare stand-in with one ready account and one without a subdomain."""
    with CloudflareStandIn(tmp_path_factory.mktemp("cloudflare")) as server:
        server.add_account(ACCOUNT, SUBDOMAIN)
        server.add_token(TOKEN, ACCOUNT, [EDIT])
        server.add_token(READ_ONLY_TOKEN, ACCOUNT, [READ])
        for namespace in NAMESPACES:
            server.add_namespace(ACCOUNT, namespace)
        server.add_account(BARE_ACCOUNT)
        server.add_token(BARE_TOKEN, BARE_ACCOUNT, [EDIT])
        server.add_namespace(BARE_ACCOUNT, NAMESPACES[0])
        yield server


@pytest.fixture
def cloudflare_env(
    standin: CloudflareStandIn, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """Point the SDK and every httpx client of this process at the stand-in."""
    environ = standin.environ()
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return environ


@pytest.fixture
def worker_name(
    request: pytest.FixtureRequest, standin: CloudflareStandIn
) -> Iterator[str]:
    """A Worker name of this test's own, deleted after the test."""
    slug = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")
    name = f"{slug[:48].strip('-')}-{next(_names)}"
    yield name
    standin.delete_script(ACCOUNT, name)


@pytest.fixture
def managed_metadata(worker_name: str, private_pem: str) -> Metadata:
    """Build managed-mode metadata for this test's Worker, with overrides."""

    def build(**overrides: str) -> dict[str, str]:
        metadata = {
            "kvNamespaceID": NAMESPACES[0],
            "workerName": worker_name,
            "key": private_pem,
            "cfAccountID": ACCOUNT,
            "cfAPIToken": TOKEN,
        }
        return {**metadata, **overrides}

    return build


def other_key_pem() -> str:
    """A fresh private key that no Worker was deployed with."""
    return private_key_pem(Ed25519PrivateKey.generate())


def component_yaml(path: Path, metadata: dict[str, str], name: str = "kv") -> Path:
    """Write a Dapr Component YAML holding `metadata` and return its path."""
    document = {
        "apiVersion": "dapr.io/v1alpha1",
        "kind": "Component",
        "metadata": {"name": name},
        "spec": {
            "type": "state.cloudflare.workerskv",
            "version": "v1",
            "initTimeout": "2m",
            "metadata": [{"name": k, "value": v} for k, v in metadata.items()],
        },
    }
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path
