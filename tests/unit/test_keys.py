import os
import subprocess
import textwrap
from pathlib import Path

import pytest

from workerskv.errors import InvalidRequestError
from workerskv.keys import MAX_KEY_BYTES, escape_key, stored_key

SAMPLES = [
    "plain",
    "app||a/b c",
    "user/123/settings",
    "$&+:=@-._~",
    "semi;comma,question?hash#percent%",
    "ünïcødé-ключ-鍵-🙂",
    "tab\tnewline\nnul\x00",
    "quote\"apostrophe'back\\slash",
    "brackets[]{}()<>^`|",
]


@pytest.mark.parametrize(
    ("key", "stored"),
    [
        ("app||a/b c", "app%7C%7Ca%2Fb%20c"),
        ("user/123/settings", "user%2F123%2Fsettings"),
        ("$&+:=@", "$&+:=@"),
        ("a;b,c?d", "a%3Bb%2Cc%3Fd"),
        ("é", "%C3%A9"),
    ],
)
def test_escape_key_follows_the_path_segment_rule(key: str, stored: str) -> None:
    assert escape_key(key) == stored


def test_escape_key_matches_go_path_escape(tmp_path: Path) -> None:
    program = tmp_path / "main.go"
    program.write_text(
        textwrap.dedent(
            """
            package main

            import (
                "bufio"
                "fmt"
                "net/url"
                "os"
            )

            func main() {
                scanner := bufio.NewScanner(os.Stdin)
                for scanner.Scan() {
                    key, _ := url.PathUnescape(scanner.Text())
                    fmt.Println(url.PathEscape(key))
                }
            }
            """
        )
    )
    every_byte = "".join(chr(c) for c in range(1, 256))
    keys = [*SAMPLES, every_byte]
    # Keys travel to Go fully percent-encoded so newlines inside them survive.
    lines = "\n".join(_encode_all(k) for k in keys)
    result = subprocess.run(
        ["go", "run", str(program)],
        input=lines,
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env=_go_env(tmp_path),
    )
    assert result.stdout.splitlines() == [escape_key(k) for k in keys]


def _encode_all(key: str) -> str:
    return "".join(f"%{b:02X}" for b in key.encode())


def _go_env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "GO111MODULE": "off", "GOFLAGS": ""}


def test_stored_key_accepts_512_bytes_and_refuses_513() -> None:
    assert stored_key("k" * MAX_KEY_BYTES) == "k" * MAX_KEY_BYTES

    with pytest.raises(InvalidRequestError, match=r"513 bytes.*limit is 512 bytes"):
        stored_key("k" * (MAX_KEY_BYTES + 1))


def test_stored_key_measures_the_escaped_form() -> None:
    # 200 bars are 200 bytes as typed but 600 once escaped.
    with pytest.raises(
        InvalidRequestError, match=r"600 bytes once escaped.*limit is 512 bytes"
    ):
        stored_key("|" * 200)

    assert len(stored_key("|" * 170)) == 510


@pytest.mark.parametrize("key", ["", ".", ".."])
def test_stored_key_refuses_names_workers_kv_refuses(key: str) -> None:
    with pytest.raises(InvalidRequestError):
        stored_key(key)


def test_stored_key_keeps_dots_inside_longer_keys() -> None:
    assert stored_key("...") == "..."
    assert stored_key("./x") == ".%2Fx"


def test_stored_key_refuses_text_with_a_lone_surrogate() -> None:
    # What Python makes of undecodable bytes in a command-line argument.
    undecodable = "k" + b"\xff".decode("utf-8", "surrogateescape")

    with pytest.raises(InvalidRequestError, match="not valid Unicode text"):
        stored_key(undecodable)


def test_stored_key_refusing_a_dot_says_what_to_do() -> None:
    with pytest.raises(InvalidRequestError, match="use another key"):
        stored_key(".")
