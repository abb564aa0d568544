"""Buyer e-mails through the configured SMTP server (none configured: none sent).

An e-mail goes out when an order becomes reserved, paid or refunded, once per status: a
conditional UPDATE of `emailed_status` decides who sends, so a repeated event sends nothing.
Sending is best effort and after the order's own transaction: a mail server that is down
never undoes a payment. The receipt page stays the buyer's record."""

from __future__ import annotations

import asyncio
import logging
import smtplib
from email.message import EmailMessage
from typing import Any

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


def receipt_message(settings: Settings, order: dict[str, Any]) -> EmailMessage:
    word, news = NEWS[OrderStatus(order["status"])]
    lines = "\n".join(
        f"  {x['quantity']} x {x['product_name']} ({x['team_name']})  "
        f"{format_pence(x['amount_pence'])}"
        for x in order["lines"]
    )
    return buyer_message(
        settings,
        order,
        f"Your Cluster Market order {order['id']} is {word}",
        f"{news}\n\n"
        f"Market: {uk_date(order['day_date'])}, {order['day_location']}\n{lines}\n"
        f"  Total {format_pence(order['total_pence'])}\n\n"
        f"Your order page (keep this link private):\n"
        f"{settings.public_url}/orders/{order['token']}\n\nAylsham Cluster Market\n",
    )


def buyer_message(
    settings: Settings, order: dict[str, Any], subject: str, body: str
) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = settings.mail_from
    message["To"] = order["buyer_email"]
    message.set_content(f"Hello {order['buyer_name']},\n\n{body}")
    return message


def _send(settings: Settings, message: EmailMessage) -> None:
    with smtplib.SMTP(settings.smtp_host or "", settings.smtp_port, timeout=10) as smtp:
        if settings.smtp_port == 587:
            smtp.starttls()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password or "")
        smtp.send_message(message)


async def notify_buyer(settings: Settings, order_id: int | None) -> bool:
    """E-mail the buyer about the order's current status, if not done yet; True if sent."""
    from clustermarket.orders.services import order_by_id

    if not settings.smtp_host or order_id is None:
        return False
    order = await order_by_id(order_id)
    if order is None or order["status"] not in NEWS or order["emailed_status"] == order["status"]:
        return False
    claimed = (
        await Order.update({Order.emailed_status: order["status"]})
        .where(
            (Order.id == order_id)
            & (Order.status == order["status"])
            & (Order.emailed_status != order["status"])
        )
        .returning(Order.id)
    )
    if not claimed:
        return False
    try:
        await asyncio.to_thread(_send, settings, receipt_message(settings, order))
    except (OSError, smtplib.SMTPException) as error:
        log.warning("Receipt e-mail for order %s not sent: %s", order_id, type(error).__name__)
        return False
    return True
