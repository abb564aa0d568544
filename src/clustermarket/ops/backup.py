"""`backup DIR` and `restore DIR`: the database and the uploaded images, consistent while
the app is serving.

- SQLite: the online backup API copies a consistent snapshot page by page while writers go
  on (WAL keeps readers and the one writer apart).
- PostgreSQL: `pg_dump --format=custom` reads in one snapshot transaction; `pg_restore`
  brings it back (apt package `postgresql-client`).
- Images: `DATA_DIR/media` is copied after the database, so every image the database names
  was already there (files are never changed in place, only added).
Each backup is a folder `cluster-market-<UTC time>` holding `manifest.json`; the time of the
last one is kept in `DATA_DIR/last_backup.json` for `check --deploy`."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from clustermarket.settings import Settings
from clustermarket.timeutil import now

SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
MEDIA = "media"
MANIFEST = "manifest.json"


class BackupError(Exception):
    """The backup or restore cannot be done; the message says why, in one line."""


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(f"{name} is not installed (apt-get install postgresql-client)")
    return path


def _run(args: list[str]) -> None:
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {done.stderr.strip()[:500]}")


def _sqlite_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source, timeout=30) as src, sqlite3.connect(target) as dst:
        src.backup(dst)  # one step: a snapshot; in WAL mode the writers go on meanwhile
    src.close()
    dst.close()


def last_backup_file(settings: Settings) -> Path:
    return settings.data_dir / "last_backup.json"


def last_backup_at(settings: Settings) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(json.loads(last_backup_file(settings).read_text())["at"])
    except (OSError, ValueError, KeyError):
        return None


def backup(settings: Settings, into: Path) -> Path:
    """Make a backup folder under `into`; returns its path."""
    at = now()
    folder = into / f"cluster-market-{at:%Y%m%d-%H%M%S}"
    folder.mkdir(parents=True, exist_ok=False)
    if settings.is_postgres:
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--file",
              str(folder / PG_FILE), settings.database_url])  # fmt: skip
    else:
        _sqlite_copy(settings.sqlite_path, folder / SQLITE_FILE)
    if settings.media_dir.is_dir():
        shutil.copytree(settings.media_dir, folder / MEDIA)
    manifest: dict[str, Any] = {
        "at": at.isoformat(),
        "engine": "postgresql" if settings.is_postgres else "sqlite",
        "database": PG_FILE if settings.is_postgres else SQLITE_FILE,
        "media_files": sum(1 for p in (folder / MEDIA).rglob("*") if p.is_file()),
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2))
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    last_backup_file(settings).write_text(json.dumps({"at": at.isoformat(), "path": str(folder)}))
    return folder


def restore(settings: Settings, folder: Path) -> dict[str, Any]:
    """Bring a backup back into the configured database and media folder (replacing what is
    there: stop the app first)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError):
        raise BackupError(f"{folder} is not a backup folder (no {MANIFEST})") from None
    engine = "postgresql" if settings.is_postgres else "sqlite"
    if manifest.get("engine") != engine:
        raise BackupError(f"This backup is of {manifest.get('engine')}, DATABASE_URL is {engine}")
    if settings.is_postgres:
        _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
              "--dbname", settings.database_url, str(folder / PG_FILE)])  # fmt: skip
    else:
        target = settings.sqlite_path
        for extra in (Path(f"{target}-wal"), Path(f"{target}-shm")):
            extra.unlink(missing_ok=True)
        _sqlite_copy(folder / SQLITE_FILE, target)
    if (folder / MEDIA).is_dir():
        shutil.copytree(folder / MEDIA, settings.media_dir, dirs_exist_ok=True)
    return manifest
