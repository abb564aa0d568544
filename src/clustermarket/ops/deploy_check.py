"""`check --deploy`: the unsafe production settings, each with a stable id and a one-line fix
(in the spirit of Django's `check --deploy`). Errors stop `make run` in production;
warnings are shown."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from clustermarket.ops.backup import last_backup_at
from clustermarket.settings import Settings
from clustermarket.timeutil import now

BACKUP_MAX_AGE = dt.timedelta(hours=26)  # nightly, with two hours' slack


@dataclass(frozen=True)
class Problem:
    id: str
    level: str  # "error" or "warning"
    message: str
    fix: str

    def line(self) -> str:
        return f"{self.level.upper():7} {self.id}: {self.message} Fix: {self.fix}"


def _writable(folder: Path) -> bool:
    """Try it: make the folder if missing and write a scratch file in it (root passes any
    permission test, not a read-only disk)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-check-"):
            return True
    except OSError:
        return False


def deploy_problems(
    settings: Settings, env: dict[str, str] | None = None, workers: int | None = None
) -> list[Problem]:
    env = dict(os.environ if env is None else env)
    workers = workers or settings.web_workers
    found: list[Problem] = []

    def problem(id_: str, level: str, message: str, fix: str) -> None:
        found.append(Problem(id_, level, message, fix))

    if not env.get("SECRET_KEY", "").strip():
        problem(
            "secret-key-default",
            "error",
            "SECRET_KEY is the generated development key.",
            "set SECRET_KEY to a random string of 32+ characters (python -c 'import "
            "secrets; print(secrets.token_urlsafe(48))').",
        )
    if not settings.https:
        problem(
            "public-url-http",
            "error",
            f"PUBLIC_URL is {settings.public_url} (not https).",
            "set PUBLIC_URL=https://your.domain and terminate TLS at the proxy.",
        )
    if workers > 1 and not settings.is_postgres:
        problem(
            "sqlite-several-workers",
            "error",
            f"SQLite with {workers} workers.",
            "set DATABASE_URL=postgresql://... or run one worker.",
        )
    if workers > 1 and not settings.redis_url:
        problem(
            "no-redis-several-workers",
            "error",
            f"{workers} workers without REDIS_URL: sessions and limits are per worker.",
            "set REDIS_URL=redis://127.0.0.1:6379/0 and run python -m clustermarket worker.",
        )
    if settings.stripe_secret_key and not settings.stripe_webhook_secret:
        problem(
            "stripe-no-webhook-secret",
            "error",
            "STRIPE_SECRET_KEY is set but STRIPE_WEBHOOK_SECRET is not: no order gets paid.",
            "set STRIPE_WEBHOOK_SECRET=whsec_... from the Stripe webhook endpoint.",
        )
    if settings.smtp_host and settings.smtp_port != 587:
        problem(
            "mail-no-tls",
            "warning",
            f"SMTP_HOST on port {settings.smtp_port}: e-mails go without TLS.",
            "use the mail server's submission port: SMTP_PORT=587 (STARTTLS).",
        )
    if not _writable(settings.media_dir):
        problem(
            "media-not-writable",
            "error",
            f"The media folder {settings.media_dir} is not writable: uploads fail.",
            "chown the folder to the app's user, or set DATA_DIR to a writable folder.",
        )
    last = last_backup_at(settings)
    if last is None or now() - last > BACKUP_MAX_AGE:
        when = "never" if last is None else f"last at {last:%Y-%m-%d %H:%M} UTC"
        problem(
            "backup-too-old",
            "warning",
            f"No backup in the last 26 hours ({when}).",
            "schedule python -m clustermarket backup DIR nightly (see README).",
        )
    return found
