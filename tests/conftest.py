"""Fixtures shared by every test tier."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from workerskv.auth import private_key_pem


@pytest.fixture(scope="session")
def private_key() -> Ed25519PrivateKey:
    """One Ed25519 key for the whole run."""
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="session")
def private_pem(private_key: Ed25519PrivateKey) -> str:
    """The session key as PKCS#8 PEM."""
    return private_key_pem(private_key)


@pytest.fixture
def metadata(private_pem: str) -> dict[str, str]:
    """Valid pre-provisioned metadata."""
    return {
        "kvNamespaceID": "ns-test",
        "workerName": "worker-test",
        "key": private_pem,
        "workerUrl": "http://127.0.0.1:9/",
    }


def write(path: Path, text: str) -> Path:
    """Write `text` to `path` and return the path."""
    path.write_text(text)
    return path


# A Component whose key and API token daprd would read from a secret store.
SECRET_REF_COMPONENT = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: statestore
spec:
  type: state.cloudflare.workerskv
  version: v1
  metadata:
    - name: kvNamespaceID
      value: ns
    - name: workerName
      value: worker-test
    - name: workerUrl
      value: http://127.0.0.1:9/
    - name: key
      secretKeyRef: {name: workerskv, key: private.pem}
    - name: cfAPIToken
      secretKeyRef: {name: cloudflare, key: token}
"""
