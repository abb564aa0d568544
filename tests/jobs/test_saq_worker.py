"""Several workers: with REDIS_URL set, the SAQ worker (`python -m clustermarket worker`)
runs the outbox: its relay hands due rows to SAQ and its task claims each row, so an e-mail
queued with a reservation (its confirmation link) arrives once, with no app process running jobs."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace

from clustermarket.jobs.outbox import enqueue
from clustermarket.jobs.saq_engine import saq_worker
from clustermarket.jobs.tables import Job, JobStatus
from tests.conftest import REDIS_TEST_URL, make_client
from tests.market.helpers import open_market
from tests.orders.helpers import check_out, fill_basket, order_row


async def test_the_saq_worker_sends_a_queued_email_once(sink) -> None:
    market = await open_market()
    async with make_client(
        redis_url=REDIS_TEST_URL, jobs_in_app=False, smtp_host="127.0.0.1", smtp_port=sink.port
    ) as client:
        await fill_basket(client, market.day, {market.candle: 1})
        await check_out(client)
        settings = client.app.state.settings
    sink.up()
    # The same news queued again (say, by a second app worker) is still one job.
    order = await order_row()
    assert not await enqueue(
        "orders.confirmation", {"order_id": order["id"]}, key=f"confirmation-{order['id']}"
    )
    worker = saq_worker(replace(settings), queue=f"test-{uuid.uuid4().hex[:8]}")
    await worker.queue.connect()
    running = asyncio.create_task(worker.start())
    try:
        for _ in range(100):
            job = await Job.select().where(Job.kind == "orders.confirmation").first()
            if job["status"] == JobStatus.done:
                break
            await asyncio.sleep(0.2)
    finally:
        await worker.stop()
        running.cancel()
        await worker.queue.disconnect()
    assert job["status"] == JobStatus.done and job["attempts"] == 1
    assert [m["Subject"] for m in sink.messages] == [
        f"Please confirm your Cluster Market order {order['id']}"
    ]
