"""The operator can see and follow what happens: /health names a job queue that does not
answer, every request is logged once with a request id, and the admin's dashboard shows the
queue and the last backup."""

from __future__ import annotations

import json
import logging
import os
import uuid

import pytest
from piccolo.engine.postgres import PostgresEngine

from clustermarket.accounts.tables import Role
from clustermarket.jobs.outbox import enqueue
from clustermarket.jobs.tables import Job, JobStatus
from clustermarket.timeutil import now
from tests.conftest import make_client, make_user, sign_in

REQUESTS = "clustermarket.requests"


@pytest.fixture
def job_table_down():
    """Only the job table points at a PostgreSQL on a closed port."""
    saved = Job._meta.db
    Job._meta.db = PostgresEngine(
        config={"dsn": "postgresql://postgres@127.0.0.1:1/none", "timeout": 2}
    )
    yield
    Job._meta.db = saved


def request_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == REQUESTS]


async def test_health_names_the_queue_when_its_table_does_not_answer(client, job_table_down):
    health = await client.get("/health")
    assert health.status_code == 503
    assert health.json() == {"status": "unavailable", "down": ["queue"]}


async def test_health_checks_the_queues_redis_when_redis_is_configured() -> None:
    redis_url = os.environ.get("TEST_REDIS_URL")
    if not redis_url:
        pytest.skip("TEST_REDIS_URL is not set")
    async with make_client(redis_url=redis_url, jobs_in_app=False) as client:
        health = await client.get("/health")
    assert health.status_code == 200 and health.json() == {"status": "ok"}


async def test_each_request_is_logged_once_with_its_id_route_status_and_time(client, caplog):
    caplog.set_level(logging.INFO, logger=REQUESTS)
    response = await client.get("/health")
    rid = response.headers["x-request-id"]
    assert uuid.UUID(rid)
    [line] = request_lines(caplog)
    assert line.startswith(f"rid={rid} GET /health 200 ")
    assert line.endswith("ms") and float(line.split()[-1][:-2]) >= 0


async def test_a_sane_incoming_request_id_is_kept_and_a_strange_one_replaced(client) -> None:
    kept = await client.get("/health", headers={"X-Request-ID": "proxy-1234abcd"})
    assert kept.headers["x-request-id"] == "proxy-1234abcd"
    strange = await client.get("/health", headers={"X-Request-ID": "evil id\twith spaces"})
    assert uuid.UUID(strange.headers["x-request-id"])


async def test_the_log_names_the_route_not_ids_or_query_strings(client, caplog) -> None:
    caplog.set_level(logging.INFO, logger=REQUESTS)
    await client.get("/teams/4242/workspace?token=s3cret-token", follow_redirects=False)
    await client.get("/no-such-page?reset=another-secret")
    lines = request_lines(caplog)
    assert len(lines) == 2
    assert " GET /teams/{team_id}/workspace " in lines[0]
    assert " GET /no-such-page 404 " in lines[1]
    assert not any("secret" in line or "4242" in line for line in lines)


async def test_the_admins_dashboard_shows_the_queue_and_the_last_backup(tmp_path) -> None:
    await make_user("admin1", role=Role.admin, school=None)
    await enqueue("orders.receipt", {"order_id": 1}, key="waiting-one")
    await enqueue("orders.receipt", {"order_id": 2}, key="failed-one")
    await Job.update({Job.status: JobStatus.failed}).where(Job.key == "failed-one")
    async with make_client(data_dir=tmp_path, jobs_in_app=False) as client:
        await sign_in(client, "admin1")
        page = (await client.get("/dashboard")).text
        assert "Background jobs: 1 waiting, 1 failed." in page
        assert "Last backup: none yet." in page
        (tmp_path / "last_backup.json").write_text(json.dumps({"at": now().isoformat()}))
        page = (await client.get("/dashboard")).text
        assert "Last backup: none yet." not in page
        assert "Last backup: " in page


async def test_a_teacher_does_not_see_the_queue(client) -> None:
    await make_user("teach1", role=Role.teacher)
    await sign_in(client, "teach1")
    page = (await client.get("/dashboard")).text
    assert "Background jobs" not in page and "Last backup" not in page
