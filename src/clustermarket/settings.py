"""Typed settings read from the environment, validated once at start-up.

Every setting has a safe development default, except that production mode
(`APP_ENV=production`) insists on an explicit `SECRET_KEY` and an https `PUBLIC_URL`.
A wrong value raises `SettingsError` whose message is one line naming the setting.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class SettingsError(ValueError):
    """A setting is missing or wrong; the message names it."""


@dataclass(frozen=True)
class Settings:
    app_env: str
    data_dir: Path
    database_url: str
    database_pool_size: int
    secret_key: str
    public_url: str
    redis_url: str | None
    stripe_secret_key: str | None
    stripe_publishable_key: str | None
    stripe_webhook_secret: str | None
    stripe_api_base: str | None
    password_hash_profile: str
    login_limit_per_address: int
    login_limit_per_username: int
    login_flood_per_address: int = 300
    image_decode_slots: int = 2
    image_max_pixels: int = 16_000_000
    # Buyer e-mails (issue 6): sent only when SMTP_HOST is set.
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    mail_from: str = "Cluster Market <market@localhost>"
    # Background jobs (issue 14): run by a loop in each app process (the embedded default),
    # or only by `python -m clustermarket worker` (SAQ) when REDIS_URL is set.
    jobs_in_app: bool = True
    web_workers: int = 1  # WEB_CONCURRENCY: how many app processes serve (for check --deploy)
    # Hoarding limits for reservations paid at the stall without a mail server (issue 16).
    reservations_per_buyer: int = 2
    reserved_units_per_product: int = 4
    # How a request names its cluster (issue 15): single | host | path (web/clusters.py).
    cluster_routing: str = "single"
    # Templates read again when their file changes (a stat of each one on every render): on
    # in development, off in production; the benchmarks turn it off to time what production
    # runs (TEMPLATES_RELOAD).
    templates_reload: bool = True

    @property
    def production(self) -> bool:
        return self.app_env == "production"

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgresql://", "postgres://"))

    @property
    def sqlite_path(self) -> Path:
        return Path(self.database_url.removeprefix("sqlite:///"))

    @property
    def https(self) -> bool:
        return self.public_url.startswith("https://")

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def stripe_enabled(self) -> bool:
        return bool(self.stripe_secret_key and self.stripe_webhook_secret)


def _int(env: dict[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}")
    return value


def _flag(env: dict[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw not in ("0", "1", "true", "false", "yes", "no"):
        raise SettingsError(f"{name} must be 1 or 0, not {raw!r}")
    return raw in ("1", "true", "yes")


def _secret_key(env: dict[str, str], app_env: str, data_dir: Path) -> str:
    key = env.get("SECRET_KEY", "").strip()
    if key:
        if len(key) < 32:
            raise SettingsError("SECRET_KEY must be at least 32 characters long")
        return key
    if app_env == "production":
        raise SettingsError("SECRET_KEY is required when APP_ENV=production")
    # Development: make one once and keep it, so sessions survive a restart.
    key_file = data_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def _database_url(env: dict[str, str], data_dir: Path) -> str:
    url = env.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{data_dir / 'clustermarket.sqlite3'}"
    if url.startswith("sqlite:///"):
        if url == "sqlite:///":
            raise SettingsError("DATABASE_URL needs a file path after sqlite:///")
        return url
    if url.startswith(("postgresql://", "postgres://")):
        parts = urlsplit(url)
        if not parts.hostname and not parts.path.strip("/"):
            raise SettingsError("DATABASE_URL must name a PostgreSQL host or database")
        return url
    raise SettingsError(
        f"DATABASE_URL must start with sqlite:/// or postgresql:// (got {url.split(':', 1)[0]!r})"
    )


def load_settings(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    app_env = env.get("APP_ENV", "development").strip() or "development"
    if app_env not in ("development", "production", "test"):
        raise SettingsError("APP_ENV must be development, production or test")
    data_dir = Path(env.get("DATA_DIR", "").strip() or PROJECT_ROOT / "data").resolve()

    public_url = env.get("PUBLIC_URL", "").strip().rstrip("/") or "http://127.0.0.1:8000"
    if not public_url.startswith(("http://", "https://")):
        raise SettingsError("PUBLIC_URL must start with http:// or https://")
    if app_env == "production" and not public_url.startswith("https://"):
        raise SettingsError("PUBLIC_URL must be an https:// address when APP_ENV=production")

    redis_url = env.get("REDIS_URL", "").strip() or None
    if redis_url and not redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise SettingsError("REDIS_URL must start with redis://, rediss:// or unix://")

    profile = env.get("PASSWORD_HASH_PROFILE", "").strip() or "standard"
    if profile not in ("standard", "fast"):
        raise SettingsError("PASSWORD_HASH_PROFILE must be standard or fast")
    if profile == "fast" and app_env == "production":
        raise SettingsError("PASSWORD_HASH_PROFILE=fast is only for tests, not production")

    stripe_secret = env.get("STRIPE_SECRET_KEY", "").strip() or None
    if stripe_secret and not stripe_secret.startswith(("sk_", "rk_")):
        raise SettingsError("STRIPE_SECRET_KEY must start with sk_ or rk_")
    webhook_secret = env.get("STRIPE_WEBHOOK_SECRET", "").strip() or None
    if webhook_secret and not webhook_secret.startswith("whsec_"):
        raise SettingsError("STRIPE_WEBHOOK_SECRET must start with whsec_")

    cluster_routing = env.get("CLUSTER_ROUTING", "").strip().lower() or "single"
    if cluster_routing not in ("single", "host", "path"):
        raise SettingsError(
            f"CLUSTER_ROUTING must be single, host or path (got {cluster_routing!r})"
        )

    return Settings(
        app_env=app_env,
        data_dir=data_dir,
        database_url=_database_url(env, data_dir),
        database_pool_size=_int(env, "DATABASE_POOL_SIZE", 10),
        secret_key=_secret_key(env, app_env, data_dir),
        public_url=public_url,
        redis_url=redis_url,
        stripe_secret_key=stripe_secret,
        stripe_publishable_key=env.get("STRIPE_PUBLISHABLE_KEY", "").strip() or None,
        stripe_webhook_secret=webhook_secret,
        stripe_api_base=env.get("STRIPE_API_BASE", "").strip() or None,
        password_hash_profile=profile,
        login_limit_per_address=_int(env, "LOGIN_LIMIT_PER_ADDRESS", 60, minimum=1),
        login_limit_per_username=_int(env, "LOGIN_LIMIT_PER_USERNAME", 10, minimum=1),
        login_flood_per_address=_int(env, "LOGIN_FLOOD_PER_ADDRESS", 300, minimum=1),
        image_decode_slots=_int(env, "IMAGE_DECODE_SLOTS", 2, minimum=1),
        image_max_pixels=_int(env, "IMAGE_MAX_PIXELS", 16_000_000, minimum=1_000_000),
        smtp_host=env.get("SMTP_HOST", "").strip() or None,
        smtp_port=_int(env, "SMTP_PORT", 25, minimum=1),
        smtp_username=env.get("SMTP_USERNAME", "").strip() or None,
        smtp_password=env.get("SMTP_PASSWORD", "") or None,
        mail_from=env.get("MAIL_FROM", "").strip() or "Cluster Market <market@localhost>",
        jobs_in_app=_flag(env, "JOBS_IN_APP", default=not redis_url),
        web_workers=_int(env, "WEB_CONCURRENCY", 1, minimum=1),
        reservations_per_buyer=_int(env, "RESERVATIONS_PER_BUYER", 2, minimum=1),
        reserved_units_per_product=_int(env, "RESERVED_UNITS_PER_PRODUCT", 4, minimum=1),
        cluster_routing=cluster_routing,
        templates_reload=_flag(env, "TEMPLATES_RELOAD", default=app_env != "production"),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
