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
