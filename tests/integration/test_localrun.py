"""Installing the local Worker runtime on first use, with npm from this machine."""

from __future__ import annotations

from pathlib import Path

import pytest

from workerskv.errors import LocalRuntimeError
from workerskv.localrun import ensure_runtime


def test_first_use_installs_the_runtime_once_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKERSKV_CACHE", str(tmp_path))
    said: list[str] = []

    first = ensure_runtime(said.append)
    again = ensure_runtime(said.append)

    assert first == again
    assert first.is_relative_to(tmp_path / "runtime")
    assert (first / "node_modules" / "miniflare" / "package.json").is_file()
    assert said == [
        f"installing the local Worker runtime (miniflare) into {first}",
        "local Worker runtime installed",
    ]


def test_without_npm_the_error_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKERSKV_CACHE", str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))

    with pytest.raises(LocalRuntimeError, match=r"install Node\.js 20 or newer"):
        ensure_runtime()

    assert not list((tmp_path / "runtime").glob("*/.installed"))
