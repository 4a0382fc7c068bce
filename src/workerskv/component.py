"""Dapr Component YAML files: the documents daprd loads, read the same way here."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from workerskv.config import Config
from workerskv.errors import ConfigError

COMPONENT_TYPE = "state.cloudflare.workerskv"


@dataclass(frozen=True)
class Component:
    """One Component document: its name, type and raw metadata."""

    name: str
    type: str
    metadata: Mapping[str, str] = field(repr=False)
    init_timeout: str | None = None
    source: Path | None = None
    # Metadata names whose values daprd reads from a secret store; not in `metadata`.
    secret_refs: tuple[str, ...] = ()

    def config(self) -> Config:
        """Validate this component's metadata."""
        return Config.from_metadata(self.metadata)


def load_components(path: Path, *, secret_refs: bool = False) -> list[Component]:
    """Read every Component document in the YAML file at `path`.

    A `secretKeyRef` item is refused unless `secret_refs` is true; then its name is
    listed in the component's `secret_refs` and left out of its metadata.
    """
    try:
        documents = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
    except OSError as exc:
        raise _file_error(path, f"cannot be read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise _file_error(path, "is not UTF-8 text") from None
    except yaml.YAMLError as exc:
        raise _file_error(path, f"is not valid YAML: {_yaml_problem(exc)}") from None

    components = [
        _component(doc, path, secret_refs)
        for doc in documents
        if isinstance(doc, Mapping) and doc.get("kind") == "Component"
    ]
    if not components:
        raise _file_error(path, "holds no document of kind 'Component'")
    return components


def load_component(path: Path, *, secret_refs: bool = False) -> Component:
    """Read the single Component document in the YAML file at `path`."""
    components = load_components(path, secret_refs=secret_refs)
    if len(components) > 1:
        names = ", ".join(c.name for c in components)
        raise _file_error(path, f"holds several components ({names}); give one")
    return components[0]


def _component(doc: Mapping[str, Any], path: Path, secret_refs: bool) -> Component:
    meta = _section(doc, "metadata", path)
    spec = _section(doc, "spec", path)
    name = str(meta.get("name") or "").strip()
    if not name:
        raise ConfigError(
            "metadata.name", f"{path}: a Component needs a name", metadata=False
        )

    items = _metadata_list(spec.get("metadata") or [], path)
    secrets = tuple(str(item["name"]) for item in items if "secretKeyRef" in item)
    if secrets and not secret_refs:
        raise ConfigError(
            secrets[0],
            f"{path}: secretKeyRef is resolved by daprd, not here; pass the value "
            "directly or through envRef for this command",
        )
    init_timeout = spec.get("initTimeout")
    return Component(
        name=name,
        type=str(spec.get("type") or ""),
        metadata=_metadata_values(items, path),
        init_timeout=str(init_timeout) if init_timeout is not None else None,
        source=path,
        secret_refs=secrets,
    )


def _section(doc: Mapping[str, Any], name: str, path: Path) -> Mapping[str, Any]:
    section = doc.get(name) or {}
    if not isinstance(section, Mapping):
        raise ConfigError(name, f"{path}: must be a mapping", metadata=False)
    return section


def _metadata_list(items: object, path: Path) -> list[Mapping[str, Any]]:
    if not isinstance(items, list):
        raise ConfigError(
            "spec.metadata",
            f"{path}: must be a list of name/value items",
            metadata=False,
        )
    for item in items:
        if not isinstance(item, Mapping) or "name" not in item:
            raise ConfigError(
                "spec.metadata", f"{path}: every item needs a 'name'", metadata=False
            )
    return items


def _metadata_values(items: list[Mapping[str, Any]], path: Path) -> dict[str, str]:
    """The value of each item that daprd does not read from a secret store."""
    return {
        str(item["name"]): _item_value(item, path)
        for item in items
        if "secretKeyRef" not in item
    }


def _item_value(item: Mapping[str, Any], path: Path) -> str:
    name = str(item["name"])
    if "envRef" in item:
        variable = str(item["envRef"])
        if variable not in os.environ:
            raise ConfigError(
                name, f"{path}: environment variable {variable} is not set"
            )
        return os.environ[variable]

    value = item.get("value")
    return "" if value is None else str(value)


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """Where and what, without quoting the line: it may hold a secret."""
    if not isinstance(exc, yaml.MarkedYAMLError) or exc.problem_mark is None:
        return "it cannot be parsed"
    mark = exc.problem_mark
    return f"{exc.problem} at line {mark.line + 1}, column {mark.column + 1}"


def _file_error(path: Path, message: str) -> ConfigError:
    return ConfigError("file", f"{path} {message}", metadata=False)
