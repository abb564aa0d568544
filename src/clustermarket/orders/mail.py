"""Buyer e-mails through the configured SMTP server (none configured: none sent).

An e-mail goes out when an order becomes reserved, paid or refunded, once per status (and,
for a reservation to confirm by e-mail, the confirmation link when it is placed). The
order's write transaction calls `queue_receipt`, which writes an outbox job (key
`receipt-<order>-<status>`, so a repeated event queues nothing) in that same transaction;
the job runner sends it later (`send_receipt`), so no request waits on the mail server, and a
mail server that is down only delays the e-mail (the job is retried). The order is marked
e-mailed only after the server took the message; the Message-ID is stable per order and
status, so a retry after an unclear failure is recognisable as the same e-mail.
"""

from __future__ import annotations

import asyncio
import logging
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

from clustermarket.jobs.mail import send_email
from clustermarket.jobs.outbox import enqueue
from clustermarket.money import format_pence
from clustermarket.orders.tables import Order, OrderStatus
from clustermarket.settings import Settings
from clustermarket.timeutil import uk_date

log = logging.getLogger("clustermarket.orders.mail")

NEWS = {
    OrderStatus.reserved: (
        "reserved",
        "We are keeping your order for you: pay by cash or card when you collect it at the stall.",
    ),
    OrderStatus.paid: (
        "paid",
        "Thank you: your payment went through. Collect your order at the stall on the day.",
    ),
    OrderStatus.refunded: ("refunded", "Your order is refunded; the money goes back to your card."),
}


def message_id(settings: Settings, order_id: int, status: str) -> str:
    host = urlsplit(settings.public_url).hostname or "localhost"
    return f"<order-{order_id}-{status}@{host}>"


def receipt_message(
    settings: Settings, order: dict[str, Any], status: str | None = None
) -> EmailMessage:
    status = status or order["status"]
    word, news = NEWS[OrderStatus(status)]
    lines = "\n".join(
        f"  {x['quantity']} x {x['product_name']} ({x['team_name']})  "
        f"{format_pence(x['amount_pence'])}"
        for x in order["lines"]
    )
    return buyer_message(
        settings,
        order,
        status,
        f"Your Cluster Market order {order['id']} is {word}",
        f"{news}\n\n"
        f"Market: {uk_date(order['day_date'])}, {order['day_location']}\n{lines}\n"
        f"  Total {format_pence(order['total_pence'])}\n\n"
        f"Your order page (keep this link private):\n"
        f"{settings.public_url}/orders/{order['token']}\n\nAylsham Cluster Market\n",
    )


def buyer_message(
    settings: Settings, order: dict[str, Any], status: str, subject: str, body: str
) -> EmailMessage:
    """An e-mail to the buyer about the order's `status` (its Message-ID is stable per both)."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = settings.mail_from
    message["To"] = order["buyer_email"]
    message["Message-ID"] = message_id(settings, order["id"], status)
    message.set_content(f"Hello {order['buyer_name']},\n\n{body}")
    return message


def _send(settings: Settings, message: EmailMessage) -> None:
    send_email(settings, message)


async def queue_receipt(order_id: int | None) -> None:
    """Inside the order's write transaction: queue the e-mail about its status now."""
    if order_id is None:
        return
    row = await Order.select(Order.status).where(Order.id == order_id).first()
    if row and row["status"] == OrderStatus.unconfirmed:
        # The buyer confirms from this e-mail (orders/reservations.py) before anything is held.
        await enqueue("orders.confirmation", {"order_id": order_id}, key=f"confirmation-{order_id}")
    elif row and row["status"] in NEWS:
        status = row["status"]
        await enqueue(
            "orders.receipt",
            {"order_id": order_id, "status": status},
            key=f"receipt-{order_id}-{status}",
        )


async def send_receipt(settings: Settings, order_id: int, status: str) -> bool:
    """The job: e-mail the buyer the news of `status`; True if sent. A mail server error
    raises, so the job is tried again later."""
    from clustermarket.orders.reading import order_by_id

    if not settings.smtp_host:
        return False
    order = await order_by_id(order_id)
    if order is None or order["emailed_status"] == status:
        return False  # gone, or sent already (the job's own record was lost in a crash)
    await asyncio.to_thread(_send, settings, receipt_message(settings, order, status))
    await Order.update({Order.emailed_status: status}).where(Order.id == order_id)
    log.info("Receipt e-mail for order %s (%s) sent", order_id, status)
    return True
