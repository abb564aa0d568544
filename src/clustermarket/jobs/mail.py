"""Sending one e-mail through the configured SMTP server (from a job, never a request)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from urllib.parse import urlsplit

from clustermarket.settings import Settings


def mail_host(settings: Settings) -> str:
    """The host part of stable Message-IDs: the site's own name."""
    return urlsplit(settings.public_url).hostname or "localhost"


def send_email(settings: Settings, message: EmailMessage) -> None:
    """Blocking: run it with `asyncio.to_thread`. A mail server error raises (retry later)."""
    with smtplib.SMTP(settings.smtp_host or "", settings.smtp_port, timeout=10) as smtp:
        if settings.smtp_port == 587:
            smtp.starttls()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password or "")
        smtp.send_message(message)
