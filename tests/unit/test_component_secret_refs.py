"""Component YAMLs whose metadata daprd reads from a secret store."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SECRET_REF_COMPONENT, write
from workerskv.component import load_components
from workerskv.errors import ConfigError


def test_secret_references_are_listed_and_left_out_of_the_metadata(
    tmp_path: Path,
) -> None:
    [component] = load_components(
        write(tmp_path / "c.yaml", SECRET_REF_COMPONENT), secret_refs=True
    )

    assert component.secret_refs == ("key", "cfAPIToken")
    assert dict(component.metadata) == {
        "kvNamespaceID": "ns",
        "workerName": "worker-test",
        "workerUrl": "http://127.0.0.1:9/",
    }


def test_secret_references_are_refused_unless_allowed(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"'key'.*secretKeyRef is resolved by daprd"):
        load_components(write(tmp_path / "c.yaml", SECRET_REF_COMPONENT))
