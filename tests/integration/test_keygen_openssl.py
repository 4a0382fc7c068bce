"""Keys from `workerskv keygen` and from OpenSSL are interchangeable."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from workerskv.auth import load_private_key, public_key_pem


@pytest.fixture(scope="module")
def openssl() -> str:
    path = shutil.which("openssl")
    assert path, (
        "openssl is needed for these tests; install it (apt-get install openssl)"
    )
    return path


def _openssl(openssl: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [openssl, *args], capture_output=True, text=True, timeout=30, check=False
    )


@pytest.fixture(scope="module")
def keygen_pair(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("keys")
    result = subprocess.run(
        [sys.executable, "-m", "workerskv", "keygen", "--out", str(folder)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return folder


def test_openssl_reads_the_private_key_as_ed25519(
    openssl: str, keygen_pair: Path
) -> None:
    result = _openssl(
        openssl, "pkey", "-in", str(keygen_pair / "private.pem"), "-text", "-noout"
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ED25519 Private-Key:")


def test_openssl_derives_the_same_public_key(openssl: str, keygen_pair: Path) -> None:
    result = _openssl(
        openssl, "pkey", "-in", str(keygen_pair / "private.pem"), "-pubout"
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == (keygen_pair / "public.pem").read_text()


def test_openssl_reads_the_public_key(openssl: str, keygen_pair: Path) -> None:
    result = _openssl(
        openssl, "pkey", "-pubin", "-in", str(keygen_pair / "public.pem"), "-noout"
    )

    assert result.returncode == 0, result.stderr


def test_private_key_file_is_private(keygen_pair: Path) -> None:
    assert (keygen_pair / "private.pem").stat().st_mode & 0o077 == 0


def test_openssl_generated_key_is_accepted(openssl: str, tmp_path: Path) -> None:
    private = tmp_path / "openssl.pem"
    made = _openssl(openssl, "genpkey", "-algorithm", "ed25519", "-out", str(private))
    public = _openssl(openssl, "pkey", "-in", str(private), "-pubout")

    key = load_private_key(private.read_text())

    assert made.returncode == 0, made.stderr
    assert public_key_pem(key) == public.stdout
