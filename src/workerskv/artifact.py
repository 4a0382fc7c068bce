"""The Worker script shipped inside this package, with its version."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

_PACKAGE = "workerskv._worker"


@dataclass(frozen=True)
class WorkerArtifact:
    """The bundled Worker module and the facts needed to deploy it."""

    path: Path
    version: str
    compatibility_date: str
    script: bytes = field(repr=False)


@cache
def load_worker() -> WorkerArtifact:
    """Return the Worker bundled with this package."""
    folder = resources.files(_PACKAGE)
    meta = json.loads(folder.joinpath("meta.json").read_text())
    script = folder.joinpath("worker.js")
    return WorkerArtifact(
        path=Path(str(script)),
        version=str(meta["version"]),
        compatibility_date=str(meta["compatibility_date"]),
        script=script.read_bytes(),
    )
