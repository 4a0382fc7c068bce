"""Ed25519 keys and the per-request JWTs the Worker verifies."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa, x25519

from workerskv.errors import KeyFormatError

ISSUER = "dapr.io/cloudflare"
TOKEN_LIFETIME = 60
_NEED = "an Ed25519 private key in PKCS#8 PEM ('-----BEGIN PRIVATE KEY-----') is needed"


def load_private_key(pem: str) -> ed25519.Ed25519PrivateKey:
    """Parse `pem` as an Ed25519 PKCS#8 private key, naming what it holds if not."""
    text = pem.strip()
    if not text:
        raise KeyFormatError(f"the value is empty; {_NEED}")
    if "PUBLIC KEY-----" in text:
        raise KeyFormatError(f"this is a public key; {_NEED}")

    try:
        key = serialization.load_pem_private_key(text.encode(), password=None)
    except TypeError:
        raise KeyFormatError(f"the key is encrypted; {_NEED}, unencrypted") from None
    except ValueError:
        raise KeyFormatError(f"the value is not a readable PEM key; {_NEED}") from None

    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise KeyFormatError(f"this is {_describe(key)}; {_NEED}")
    return key


def _describe(key: object) -> str:
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return f"an EC private key on curve {key.curve.name}"
    if isinstance(key, rsa.RSAPrivateKey):
        return f"an RSA private key ({key.key_size} bits)"
    if isinstance(key, ed448.Ed448PrivateKey):
        return "an Ed448 private key"
    if isinstance(key, x25519.X25519PrivateKey):
        return "an X25519 (key agreement) private key"
    return f"a private key of another type ({type(key).__name__})"


def private_key_pem(key: ed25519.Ed25519PrivateKey) -> str:
    """Return `key` as PKCS#8 PEM, the form `openssl genpkey` writes."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def public_key_pem(key: ed25519.Ed25519PrivateKey) -> str:
    """Return the SubjectPublicKeyInfo PEM of `key`'s public half."""
    return (
        key.public_key()
        .public_bytes(
            serialization.Encoding.PEM,
            serialization.PublicFormat.SubjectPublicKeyInfo,
        )
        .decode()
    )


@dataclass(frozen=True)
class KeyPair:
    """Where `generate_key_pair` wrote the two halves."""

    private_path: Path
    public_path: Path


def generate_key_pair(directory: Path, *, overwrite: bool = False) -> KeyPair:
    """Write a new `private.pem` (mode 0600) and `public.pem` into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    pair = KeyPair(directory / "private.pem", directory / "public.pem")
    if not overwrite:
        for path in (pair.private_path, pair.public_path):
            if path.exists():
                raise FileExistsError(
                    f"{path} exists; remove it or choose another folder"
                )

    key = ed25519.Ed25519PrivateKey.generate()
    write_private_file(pair.private_path, private_key_pem(key))
    pair.public_path.write_text(public_key_pem(key))
    return pair


def write_private_file(path: Path, text: str) -> None:
    """Write `text` to `path`, readable by its owner only from the first byte on."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w") as private_file:
        private_file.write(text)


class TokenMinter:
    """Mints the short-lived JWT that authenticates one request to the Worker."""

    def __init__(self, key: ed25519.Ed25519PrivateKey, audience: str) -> None:
        self._key = key
        self._audience = audience

    def __repr__(self) -> str:
        return f"TokenMinter(audience={self._audience!r})"

    def mint(self, now: float | None = None) -> str:
        """Return a token valid for one minute from `now`."""
        issued = int(time.time() if now is None else now)
        claims = {
            "aud": [self._audience],
            "iss": ISSUER,
            "iat": issued,
            "exp": issued + TOKEN_LIFETIME,
        }
        return jwt.encode(claims, self._key, algorithm="EdDSA")
