"""Component YAMLs whose metadata daprd reads from a secret store."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import write
from workerskv.component import load_components
from workerskv.errors import ConfigError

YAML = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: statestore
spec:
  type: state.cloudflare.workerskv
  version: v1
  metadata:
    - name: kvNamespaceID
      value: ns
    - name: key
      secretKeyRef: {name: workerskv, key: private.pem}
    - name: cfAPIToken
      secretKeyRef: {name: cloudflare, key: token}
"""


def test_secret_references_are_listed_and_left_out_of_the_metadata(
    tmp_path: Path,
) -> None:
    [component] = load_components(write(tmp_path / "c.yaml", YAML), secret_refs=True)

    assert component.secret_refs == ("key", "cfAPIToken")
    assert dict(component.metadata) == {"kvNamespaceID": "ns"}


def test_secret_references_are_refused_unless_allowed(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"'key'.*secretKeyRef is resolved by daprd"):
        load_components(write(tmp_path / "c.yaml", YAML))
