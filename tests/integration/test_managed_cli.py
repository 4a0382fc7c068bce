"""`workerskv worker deploy|status` as an operator runs them, against the stand-in."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.standin import CloudflareStandIn
from tests.standin.fixtures import (
    ACCOUNT,
    BARE_ACCOUNT,
    BARE_TOKEN,
    SUBDOMAIN,
    TOKEN,
    Metadata,
    component_yaml,
    managed_metadata,
    other_key_pem,
    standin,
    worker_name,
)
from workerskv.artifact import load_worker

__all__ = ["managed_metadata", "standin", "worker_name"]


def _workerskv(
    standin: CloudflareStandIn, *args: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workerskv", *args],
        env={**os.environ, **standin.environ()},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


@pytest.fixture
def component(managed_metadata: Metadata, tmp_path: Path) -> Path:
    return component_yaml(tmp_path / "component.yaml", managed_metadata())


def test_deploy_shows_each_step_and_prints_the_url(
    standin: CloudflareStandIn, component: Path, worker_name: str
) -> None:
    deployed = _workerskv(standin, "worker", "deploy", "--component", str(component))

    assert deployed.returncode == 0, deployed.stderr
    url = f"https://{worker_name}.{SUBDOMAIN}.workers.dev/"
    assert deployed.stdout == f"{url}\n"
    steps = deployed.stderr.splitlines()
    assert steps[0] == f"- Worker {worker_name} is served at {url}"
    assert steps[1].startswith(f"- deploying Worker {worker_name} ")
    assert steps[2].startswith(f"- uploaded Worker {worker_name} (")
    assert steps[3] == f"- enabled the workers.dev route of Worker {worker_name}"
    assert steps[-1].startswith(f"- Worker {url} is ready after ")
    assert TOKEN not in deployed.stdout + deployed.stderr


def test_deploy_of_a_current_worker_changes_nothing(
    standin: CloudflareStandIn, component: Path, worker_name: str
) -> None:
    _workerskv(standin, "worker", "deploy", "--component", str(component))

    again = _workerskv(standin, "worker", "deploy", "--component", str(component))

    assert again.returncode == 0, again.stderr
    assert "no deployment needed" in again.stderr
    assert standin.uploads(ACCOUNT, worker_name) == 1


def test_forced_deploy_uploads_again(
    standin: CloudflareStandIn, component: Path, worker_name: str
) -> None:
    _workerskv(standin, "worker", "deploy", "--component", str(component))

    forced = _workerskv(
        standin, "worker", "deploy", "--component", str(component), "--force"
    )

    assert forced.returncode == 0, forced.stderr
    assert standin.uploads(ACCOUNT, worker_name) == 2


def test_status_of_a_healthy_worker(
    standin: CloudflareStandIn, component: Path, worker_name: str
) -> None:
    _workerskv(standin, "worker", "deploy", "--component", str(component))

    status = _workerskv(standin, "worker", "status", "--component", str(component))

    assert status.returncode == 0, status.stderr
    lines = dict(line.split(maxsplit=1) for line in status.stdout.splitlines())
    shipped = load_worker().version
    assert lines["worker"] == f"https://{worker_name}.{SUBDOMAIN}.workers.dev/"
    assert lines["reachable"] == "yes"
    assert lines["token"] == "accepted"
    assert lines["version"] == f"{shipped} (this release ships {shipped})"
    assert lines["namespaces"] == "ns-one"
    assert lines["namespace"] == "ns-one is bound"
    assert lines["clock"].startswith("skew ")
    assert status.stderr == ""


def test_status_of_a_worker_holding_another_key_fails(
    standin: CloudflareStandIn,
    component: Path,
    managed_metadata: Metadata,
    tmp_path: Path,
) -> None:
    _workerskv(standin, "worker", "deploy", "--component", str(component))
    stranger = component_yaml(
        tmp_path / "stranger.yaml", managed_metadata(key=other_key_pem())
    )

    status = _workerskv(standin, "worker", "status", "--component", str(stranger))

    assert status.returncode == 1
    assert "REFUSED" in status.stdout
    assert status.stderr == (
        "error: the Worker refuses this component's token (see 'answer'): its key "
        "or its audience (workerName) differs\n"
    )


def test_status_before_any_deployment_says_nothing_answers(
    standin: CloudflareStandIn, component: Path
) -> None:
    status = _workerskv(standin, "worker", "status", "--component", str(component))

    assert status.returncode == 1
    assert "HTTP 404" in status.stdout
    assert "workerskv worker deploy" in status.stderr


def test_deploy_with_a_bad_token_prints_one_line(
    standin: CloudflareStandIn, managed_metadata: Metadata, tmp_path: Path
) -> None:
    metadata = managed_metadata(cfAPIToken="cf-token-nobody-issued")
    component = component_yaml(tmp_path / "component.yaml", metadata)

    deployed = _workerskv(standin, "worker", "deploy", "--component", str(component))

    assert deployed.returncode == 1
    errors = [line for line in deployed.stderr.splitlines() if line.startswith("error")]
    assert len(errors) == 1
    assert "does not accept the token in 'cfAPIToken'" in errors[0]
    assert "Traceback" not in deployed.stderr
    assert "cf-token-nobody-issued" not in deployed.stderr


def test_deploy_without_a_subdomain_says_where_to_register_one(
    standin: CloudflareStandIn, managed_metadata: Metadata, tmp_path: Path
) -> None:
    metadata = managed_metadata(cfAccountID=BARE_ACCOUNT, cfAPIToken=BARE_TOKEN)
    component = component_yaml(tmp_path / "component.yaml", metadata)

    deployed = _workerskv(standin, "worker", "deploy", "--component", str(component))

    assert deployed.returncode == 1
    assert "Workers & Pages" in deployed.stderr
