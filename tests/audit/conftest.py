"""The outside audit kept in the suite. Modules that use the `world` fixture share one
migrated database with the demo data (built once per module), instead of a fresh database
per test; every other test here starts from a clean database as elsewhere."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from clustermarket.server import create_app
from clustermarket.settings import get_settings
from tests.audit.counts import COUNTS, LABELS
from tests.audit.world import World, build_world_rows, close_world, sign_in_roles
from tests.conftest import _tables, reset_database

# The fuzz's example counts: "ci" (the default) keeps the run short and repeatable;
# HYPOTHESIS_PROFILE=deep for a longer hunt.
_FUZZ = {"deadline": None, "database": None, "suppress_health_check": list(HealthCheck)}
settings.register_profile("ci", max_examples=15, derandomize=True, **_FUZZ)
settings.register_profile("deep", max_examples=300, **_FUZZ)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
async def clean_db(request: pytest.FixtureRequest, seed_rows: dict[Any, list]) -> None:
    """The per-test wipe, except for tests of the shared world (the module built it)."""
    if "world" not in request.fixturenames:
        await reset_database(seed_rows)


@pytest.fixture(scope="session")
async def world_rows(seed_rows: dict[Any, list]) -> tuple[dict[str, Any], dict[Any, list]]:
    """The world's rows, built once through the app's services and kept to restore."""
    await reset_database(seed_rows)
    ids = await build_world_rows()
    return ids, {table: await table.select() for table in _tables()}


@pytest.fixture(scope="module")
async def world(world_rows: tuple[dict[str, Any], dict[Any, list]]) -> AsyncIterator[World]:
    """Each module starts from the world as built (restored row by row), signed in afresh."""
    ids, rows = world_rows
    await reset_database(rows)
    built = await sign_in_roles(ids, lambda: create_app(get_settings()))
    yield built
    await close_world(built)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not COUNTS:
        return
    terminalreporter.section("audit counts")
    for key, label in LABELS.items():
        if COUNTS.get(key):
            terminalreporter.write_line(f"{COUNTS[key]:>6}  {label}")
    if os.environ.get("AUDIT_COUNTS_FILE"):
        with open(os.environ["AUDIT_COUNTS_FILE"], "w") as out:
            out.writelines(f"{key} {COUNTS[key]}\n" for key in LABELS if COUNTS.get(key))
