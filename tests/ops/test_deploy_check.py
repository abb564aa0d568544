"""`check --deploy` names each unsafe production setting by a stable id with a one-line fix,
lists none for a correct production set-up, and `make run` in production refuses to start
on an error."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from pathlib import Path

import pytest

from clustermarket.ops.deploy_check import deploy_problems
from clustermarket.settings import PROJECT_ROOT, load_settings
from clustermarket.timeutil import now

GOOD_KEY = "a-production-secret-key-0123456789-abcdef"


def production_env(data_dir: Path, **changes: str) -> dict[str, str]:
    env = {
        "APP_ENV": "production",
        "SECRET_KEY": GOOD_KEY,
        "PUBLIC_URL": "https://market.example.org",
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": "postgresql://cm@127.0.0.1:5432/clustermarket",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "STRIPE_SECRET_KEY": "sk_live_x",
        "STRIPE_WEBHOOK_SECRET": "whsec_x",
        "SMTP_HOST": "mail.example.org",
        "SMTP_PORT": "587",
        "WEB_CONCURRENCY": "4",
    }
    env.update(changes)
    return {k: v for k, v in env.items() if v}


def ids(env: dict[str, str], workers: int | None = None) -> list[str]:
    return [p.id for p in deploy_problems(load_settings(env), env, workers)]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data folder with last night's backup recorded."""
    (tmp_path / "last_backup.json").write_text(json.dumps({"at": now().isoformat()}))
    return tmp_path


def test_a_correct_production_configuration_lists_nothing(data_dir) -> None:
    assert ids(production_env(data_dir)) == []


def test_the_demo_settings_list_the_expected_ids(tmp_path) -> None:
    env = {"DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"}
    assert ids(env, workers=4) == [
        "secret-key-default",
        "public-url-http",
        "sqlite-several-workers",
        "no-redis-several-workers",
        "backup-too-old",
    ]
    assert ids(env, workers=1) == ["secret-key-default", "public-url-http", "backup-too-old"]


def test_secret_key_default(data_dir) -> None:
    env = production_env(data_dir, APP_ENV="development", SECRET_KEY="")
    assert ids(env) == ["secret-key-default"]


def test_public_url_http(data_dir) -> None:
    env = production_env(data_dir, APP_ENV="development", PUBLIC_URL="http://market.example.org")
    assert ids(env) == ["public-url-http"]


def test_sqlite_several_workers(data_dir) -> None:
    env = production_env(data_dir, DATABASE_URL=f"sqlite:///{data_dir}/db.sqlite3")
    assert ids(env) == ["sqlite-several-workers"]
    assert ids({**env, "WEB_CONCURRENCY": "1"}) == []


def test_no_redis_several_workers(data_dir) -> None:
    assert ids(production_env(data_dir, REDIS_URL="")) == ["no-redis-several-workers"]


def test_stripe_no_webhook_secret(data_dir) -> None:
    problems = deploy_problems(
        load_settings(env := production_env(data_dir, STRIPE_WEBHOOK_SECRET="")), env
    )
    assert [(p.id, p.level) for p in problems] == [("stripe-no-webhook-secret", "error")]
    assert "STRIPE_WEBHOOK_SECRET=whsec_" in problems[0].fix


def test_mail_no_tls(data_dir) -> None:
    assert ids(production_env(data_dir, SMTP_PORT="25")) == ["mail-no-tls"]


def test_media_not_writable(data_dir) -> None:
    blocker = data_dir / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    env = production_env(data_dir, DATA_DIR=str(blocker))
    assert "media-not-writable" in ids(env)


def test_backup_too_old(data_dir) -> None:
    stale = (now() - dt.timedelta(hours=27)).isoformat()
    (data_dir / "last_backup.json").write_text(json.dumps({"at": stale}))
    [problem] = deploy_problems(load_settings(env := production_env(data_dir)), env)
    assert problem.id == "backup-too-old" and problem.level == "warning"
    assert "backup DIR nightly" in problem.fix


def test_make_run_in_production_refuses_to_start_on_an_error(data_dir) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS"))},
        **production_env(data_dir, DATABASE_URL=f"sqlite:///{data_dir}/db.sqlite3", REDIS_URL=""),
        "PASSWORD_HASH_PROFILE": "standard",
    }
    done = subprocess.run(
        ["make", "-s", "run", "WORKERS=3", "PORT=1"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "sqlite-several-workers" in done.stdout and "no-redis-several-workers" in done.stdout
    assert "Refusing to start in production" in done.stdout
    assert not (data_dir / "db.sqlite3").exists()  # not even migrated
