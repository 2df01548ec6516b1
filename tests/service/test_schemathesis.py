"""Schemathesis against the app's own OpenAPI, as every role (issue #12): whatever a
client sends, valid or not, the service answers without a server error, and every
documented answer matches its schema.

Each operation gets a few generated requests that fit the schema (positive) as every
role, and a few that break it (negative: wrong types, out-of-range numbers, missing
fields) as the admin, sent with the role's bearer token through the ASGI app. Bounded
to keep the whole module near a minute; raise ``SKYWARDEN_FUZZ_EXAMPLES`` for a longer
hunt.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from skywarden.service.app import create_app
from skywarden.store import Database

INCIDENTS = ["I-open", "I-shared"]
SHARED = ["I-shared"]
EXAMPLES = int(os.environ.get("SKYWARDEN_FUZZ_EXAMPLES", "6"))
# one backend: the PostgreSQL-specific refusals (NUL, surrogates, NaN) are pinned by
# test_security.py on both
pytestmark = pytest.mark.parametrize("template", ["sqlite"], indirect=True)


@pytest.fixture
def env(seeded_url: str, template: SimpleNamespace) -> Iterator[Any]:
    db = Database(seeded_url)
    app = create_app(db, meta={"name": "El Paso", "center": [31.76, -106.43]})
    with TestClient(app):  # lifespan: the hub is started as in service
        yield SimpleNamespace(app=app, h=template.headers)
    db.dispose()


def _fuzz(op: Any, mode: GenerationMode, headers: dict[str, str]) -> list[str]:
    failures: list[str] = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=op.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        try:
            case.call_and_validate(
                headers=headers, checks=[not_a_server_error, response_schema_conformance]
            )
        except Exception as e:  # collected, so one run reports every operation
            failures.append(f"{op.label} ({mode.value}): {str(e)[:600]}")

    try:
        run()
    except Unsatisfiable:  # nothing to break: an operation without parameters or body
        assert mode is GenerationMode.NEGATIVE, op.label
    return failures


@pytest.mark.parametrize("role", ["operator", "analyst", "partner", "admin"])
def test_no_server_error_and_answers_match_the_schema(env: Any, role: str) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", env.app)
    ops = [r.ok() for r in schema.get_all_operations()]  # type: ignore[union-attr]  # Err fails
    assert len(ops) > 20
    failures: list[str] = []
    # Broken requests get past authorisation only for a role that may call everything;
    # for the others FastAPI answers 403 before it reads them: once is enough.
    modes = [GenerationMode.POSITIVE]
    if role == "admin":
        modes.append(GenerationMode.NEGATIVE)
    for op in ops:
        if op.label == "POST /api/token" and role != "admin":
            continue  # password hashing is slow on purpose: one role is enough
        for mode in modes:
            failures += _fuzz(op, mode, env.h[role])
    assert not failures, "\n\n".join(failures)
