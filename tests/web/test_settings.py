"""Settings: safe defaults, and a wrong setting stops start-up with one line naming it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from clustermarket.settings import PROJECT_ROOT, SettingsError, load_settings


def test_defaults_are_sqlite_in_the_data_folder(tmp_path: Path) -> None:
    settings = load_settings({"DATA_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'clustermarket.sqlite3'}"
    assert not settings.is_postgres
    assert settings.redis_url is None
    assert not settings.stripe_enabled
    # A development secret key is made once and kept.
    assert len(settings.secret_key) >= 32
    assert load_settings({"DATA_DIR": str(tmp_path)}).secret_key == settings.secret_key


def test_postgres_url_selects_postgres(tmp_path: Path) -> None:
    settings = load_settings(
        {"DATA_DIR": str(tmp_path), "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/test"}
    )
    assert settings.is_postgres


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"DATABASE_URL": "mysql://localhost/x"}, "DATABASE_URL"),
        ({"APP_ENV": "production", "PUBLIC_URL": "https://m.example"}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"APP_ENV": "production", "SECRET_KEY": "x" * 40}, "PUBLIC_URL"),
        ({"REDIS_URL": "http://localhost"}, "REDIS_URL"),
        ({"DATABASE_POOL_SIZE": "many"}, "DATABASE_POOL_SIZE"),
        ({"STRIPE_SECRET_KEY": "pk_live_x"}, "STRIPE_SECRET_KEY"),
        ({"APP_ENV": "staging"}, "APP_ENV"),
    ],
)
def test_a_wrong_setting_is_named(tmp_path: Path, env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        load_settings({"DATA_DIR": str(tmp_path), **env})


def test_app_start_up_stops_with_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": "mysql://localhost/x", "DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", "import app"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "Setting error: DATABASE_URL must start with sqlite:/// or postgresql:// (got 'mysql')"
    ]
