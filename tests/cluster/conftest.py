"""A throwaway nats-server with JetStream per test module (``tests/nats_throwaway.py``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from nats_throwaway import start_nats


@pytest.fixture(scope="module")
def nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    proc, url = start_nats(tmp_path_factory.mktemp("jetstream"))
    yield url
    proc.terminate()
    proc.wait(10)
