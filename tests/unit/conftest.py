"""Fixtures of the component server's unit tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.unit.fake_state_store import FakeBackend
from workerskv.server import Instances


@pytest.fixture
def backend() -> FakeBackend:
    """Fake stores, empty."""
    return FakeBackend()


@pytest.fixture
async def instances(backend: FakeBackend) -> AsyncIterator[Instances]:
    """Instances of `backend`'s stores, closed after the test."""
    instances = Instances(backend.factory)
    yield instances
    await instances.close()
