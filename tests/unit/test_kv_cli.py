"""`workerskv kv` input checks that fail before any Worker is reached."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.conftest import SECRET_REF_COMPONENT, write
from workerskv.cli import main

# Port 9 (discard): nothing answers, so a check that let a call through would say so.
TARGET = ["--worker-url", "http://127.0.0.1:9/", "--namespace", "ns"]


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_a_der_key_file_is_one_line_saying_how_to_convert_it(tmp_path: Path) -> None:
    der = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    (tmp_path / "k.der").write_bytes(der)
    key_file = str(tmp_path / "k.der")

    code, output = _run(
        "kv", "get", "k", *TARGET, "--worker-name", "w", "--key-file", key_file
    )

    assert code == 1
    assert output.startswith("error: metadata 'key': ")
    assert f"openssl pkey -in {key_file}" in output
    assert "Traceback" not in output


def test_a_secret_key_ref_is_stood_in_for_by_its_option(tmp_path: Path) -> None:
    yaml = str(write(tmp_path / "c.yaml", SECRET_REF_COMPONENT))

    code, output = _run("kv", "get", "k", "--component", yaml)

    assert code == 1
    assert output == (
        "error: metadata 'key': comes from a secret store (secretKeyRef), which "
        "only daprd reads; give --key-file instead, or through envRef in the YAML\n"
    )


def test_a_key_file_replaces_a_secret_key_ref(tmp_path: Path, private_pem: str) -> None:
    yaml = str(write(tmp_path / "c.yaml", SECRET_REF_COMPONENT))
    key_file = str(write(tmp_path / "private.pem", private_pem))

    code, output = _run("kv", "get", "k", "--component", yaml, "--key-file", key_file)

    # Past every check: the unused cfAPIToken reference is no obstacle either.
    assert code == 1
    assert "cannot reach the Worker at http://127.0.0.1:9/" in output
