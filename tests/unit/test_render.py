"""`wrangler.toml` and `worker.js` for deploying the Worker by hand."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from workerskv.artifact import WorkerArtifact, load_worker
from workerskv.auth import public_key_pem
from workerskv.client import WorkerInfo
from workerskv.config import Config
from workerskv.errors import ConfigError
from workerskv.render import (
    outdated_warning,
    render_worker,
    worker_vars,
    wrangler_toml,
)


@pytest.fixture
def config(private_pem: str) -> Config:
    return Config.from_metadata(
        {
            "kvNamespaceID": "0f2ac74b498b48028cb68387c421e279",
            "workerName": "dapr-kv",
            "key": private_pem,
            "workerUrl": "https://dapr-kv.example.workers.dev",
        }
    )


def test_wrangler_toml_deploys_the_shipped_worker_for_the_component(
    config: Config,
) -> None:
    shipped = load_worker()

    parsed = tomllib.loads(wrangler_toml(config, shipped))

    assert parsed["name"] == "dapr-kv"
    assert parsed["main"] == "worker.js"
    assert parsed["compatibility_date"] == shipped.compatibility_date
    assert parsed["no_bundle"] is True
    assert parsed["vars"] == {
        "PUBLIC_KEY": public_key_pem(config.private_key),
        "TOKEN_AUDIENCE": "dapr-kv",
    }
    namespace = "0f2ac74b498b48028cb68387c421e279"
    assert parsed["kv_namespaces"] == [{"binding": namespace, "id": namespace}]


def test_wrangler_toml_names_the_version(config: Config) -> None:
    shipped = load_worker()

    assert f"version {shipped.version}" in wrangler_toml(config, shipped)


def test_vars_are_what_managed_mode_binds(config: Config) -> None:
    assert set(worker_vars(config)) == {"PUBLIC_KEY", "TOKEN_AUDIENCE"}
    assert worker_vars(config)["PUBLIC_KEY"].startswith("-----BEGIN PUBLIC KEY-----")


@pytest.mark.parametrize(
    "text",
    [
        'quote " and backslash \\',
        "back\\nslash-n",
        "tab\tbell\x07",
        'lines\n"\n\\n\r\n',
    ],
)
def test_any_string_stays_valid_toml(config: Config, text: str) -> None:
    odd = WorkerArtifact(
        path=Path("worker.js"), version="1", compatibility_date=text, script=b""
    )

    parsed = tomllib.loads(wrangler_toml(config, odd))

    assert parsed["compatibility_date"] == text


def test_public_key_is_written_as_readable_lines(config: Config) -> None:
    text = wrangler_toml(config, load_worker())

    assert 'PUBLIC_KEY = """\n-----BEGIN PUBLIC KEY-----\n' in text


def test_audience_that_cannot_name_a_worker_is_refused(private_pem: str) -> None:
    config = Config.from_metadata(
        {
            "kvNamespaceID": "ns",
            "workerName": "Not A Script",
            "key": private_pem,
            "workerUrl": "https://kv.example",
        }
    )

    with pytest.raises(ConfigError, match="workerName"):
        wrangler_toml(config, load_worker())


def test_render_writes_both_files(config: Config, tmp_path: Path) -> None:
    out = tmp_path / "deploy"

    rendered = render_worker(config, out)

    assert rendered.script == out / "worker.js"
    assert rendered.script.read_bytes() == load_worker().script
    assert tomllib.loads(rendered.config.read_text())["name"] == "dapr-kv"


def test_render_replaces_earlier_output(config: Config, tmp_path: Path) -> None:
    (tmp_path / "worker.js").write_text("old")

    render_worker(config, tmp_path)

    assert (tmp_path / "worker.js").read_bytes() == load_worker().script


@pytest.fixture
def artifact() -> WorkerArtifact:
    return WorkerArtifact(
        path=Path("worker.js"),
        version="20240601",
        compatibility_date="2024-05-01",
        script=b"export default {}",
    )


def test_outdated_pre_provisioned_worker_gets_upgrade_advice(
    artifact: WorkerArtifact,
) -> None:
    info = WorkerInfo("20230517", ("ns-test",), frozenset())

    advice = outdated_warning(info, "https://kv.example/", artifact=artifact)

    assert advice is not None
    assert "runs version 20230517; this release ships 20240601" in advice
    assert "workerskv worker render --component" in advice
    assert "wrangler deploy" in advice


@pytest.mark.parametrize("version", ["20240601", "20991231"])
def test_current_worker_gets_no_advice(artifact: WorkerArtifact, version: str) -> None:
    info = WorkerInfo(version, ("ns-test",), frozenset())

    assert outdated_warning(info, "https://kv.example/", artifact=artifact) is None
