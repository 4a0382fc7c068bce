import stat
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, rsa, x25519
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from workerskv.auth import (
    TokenMinter,
    generate_key_pair,
    load_private_key,
    private_key_pem,
    public_key_pem,
    write_private_file,
)
from workerskv.errors import KeyFormatError


def _pem(key: object, fmt: serialization.PrivateFormat) -> str:
    return key.private_bytes(  # type: ignore[attr-defined, no-any-return]
        serialization.Encoding.PEM, fmt, serialization.NoEncryption()
    ).decode()


@pytest.mark.parametrize(
    ("pem", "says"),
    [
        (
            _pem(
                ec.generate_private_key(ec.SECP256R1()),
                serialization.PrivateFormat.TraditionalOpenSSL,
            ),
            "EC private key on curve secp256r1",
        ),
        (
            _pem(
                rsa.generate_private_key(65537, 2048), serialization.PrivateFormat.PKCS8
            ),
            "RSA private key",
        ),
        (
            _pem(ed448.Ed448PrivateKey.generate(), serialization.PrivateFormat.PKCS8),
            "Ed448",
        ),
        (public_key_pem(Ed25519PrivateKey.generate()), "public key"),
        (
            _pem(x25519.X25519PrivateKey.generate(), serialization.PrivateFormat.PKCS8),
            "X25519",
        ),
        ("garbage", "not a readable PEM key"),
        ("   ", "empty"),
    ],
)
def test_load_private_key_says_what_it_got(pem: str, says: str) -> None:
    with pytest.raises(KeyFormatError, match=says) as caught:
        load_private_key(pem)

    assert "Ed25519 private key in PKCS#8 PEM" in str(caught.value)
    assert caught.value.field == "key"


def test_load_private_key_refuses_an_encrypted_key() -> None:
    encrypted = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"pw"),
    )

    with pytest.raises(KeyFormatError, match="encrypted"):
        load_private_key(encrypted.decode())


def test_load_private_key_reads_pkcs8_with_surrounding_whitespace(
    private_pem: str,
) -> None:
    key = load_private_key("\n  " + private_pem + "\n\n")

    assert private_key_pem(key) == private_pem


def test_minted_token_has_the_protocol_claims(private_key: Ed25519PrivateKey) -> None:
    token = TokenMinter(private_key, "my-worker").mint(now=1_000_000)

    header = jwt.get_unverified_header(token)
    claims = jwt.decode(
        token,
        private_key.public_key(),
        algorithms=["EdDSA"],
        audience="my-worker",
        options={"verify_exp": False, "verify_iat": False},
    )
    assert header == {"alg": "EdDSA", "typ": "JWT"}
    assert claims == {
        "aud": ["my-worker"],
        "iss": "dapr.io/cloudflare",
        "iat": 1_000_000,
        "exp": 1_000_060,
    }


def test_each_mint_is_fresh(private_key: Ed25519PrivateKey) -> None:
    minter = TokenMinter(private_key, "w")

    assert minter.mint(now=1) != minter.mint(now=2)


def test_generate_key_pair_writes_a_private_file_only_the_owner_reads(
    tmp_path: Path,
) -> None:
    pair = generate_key_pair(tmp_path / "keys")

    mode = stat.S_IMODE(pair.private_path.stat().st_mode)
    key = load_private_key(pair.private_path.read_text())
    assert mode == 0o600
    assert pair.public_path.read_text() == public_key_pem(key)


def test_write_private_file_narrows_an_existing_readable_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "statestore.yaml"
    path.write_text("old")
    path.chmod(0o644)

    write_private_file(path, "secret")

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == "secret"


def test_generate_key_pair_keeps_existing_keys(tmp_path: Path) -> None:
    generate_key_pair(tmp_path)

    with pytest.raises(FileExistsError, match=r"private\.pem"):
        generate_key_pair(tmp_path)
