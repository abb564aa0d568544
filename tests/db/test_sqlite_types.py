"""SQLite's values read through the app's converters (sqlite_types.py) come out as Piccolo's
own converters make them, for every shape SQLite can hand over, and are the ones in place."""

from __future__ import annotations

import sqlite3
from decimal import InvalidOperation

import pytest
from piccolo.engine import sqlite as piccolo_sqlite

from clustermarket import (
    db_connections,  # noqa: F401  (the app's engine module: registers them)
    sqlite_types,
)

SAMPLES = {
    "INTEGER": [
        b"0",
        b"-5",
        b"42",
        b"12345678901234567890",
        b"1.0",
        b"1.5",
        b"-2.7",
        b"1e3",
        b" 7",
    ],
    "BOOLEAN": [b"1", b"0", b"2", b""],
    "DATE": [b"2026-11-27", b"2024-02-29"],
    "TIMESTAMP": [b"2026-11-27 02:04:52.879211", b"2026-11-27T02:04:52", b"2026-03-29 01:30:00"],
    "TIMESTAMPTZ": [
        b"2026-11-27 02:04:52.879211+00:00",
        b"2026-03-29 01:30:00+01:00",  # Piccolo sets the zone, it does not convert
        b"2026-11-27 02:04:52",
    ],
}
PICCOLO = {
    "INTEGER": piccolo_sqlite.convert_int_out,
    "BOOLEAN": piccolo_sqlite.convert_boolean_out,
    "DATE": piccolo_sqlite.convert_date_out,
    "TIMESTAMP": piccolo_sqlite.convert_timestamp_out,
    "TIMESTAMPTZ": piccolo_sqlite.convert_timestamptz_out,
}


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_each_value_converts_as_piccolo_converts_it(kind: str) -> None:
    ours, theirs = sqlite_types.CONVERTERS[kind], PICCOLO[kind]
    for value in SAMPLES[kind]:
        mine, piccolos = ours(value), theirs(value)
        assert (mine, type(mine)) == (piccolos, type(piccolos)), value
        if hasattr(mine, "tzinfo"):
            assert mine.tzinfo == piccolos.tzinfo, value


def test_text_that_is_no_number_is_refused_as_piccolo_refuses_it() -> None:
    for converter in (sqlite_types.integer_out, piccolo_sqlite.convert_int_out):
        with pytest.raises(InvalidOperation):
            converter(b"hello")


def test_the_apps_converters_are_the_ones_sqlite_uses() -> None:
    for kind, converter in sqlite_types.CONVERTERS.items():
        assert sqlite3.converters[kind] is converter, kind


def test_a_row_read_with_declared_types_comes_back_typed() -> None:
    connection = sqlite3.connect(":memory:", detect_types=sqlite3.PARSE_DECLTYPES)
    connection.execute(
        "CREATE TABLE t (n INTEGER, f BOOLEAN, d DATE, at TIMESTAMPTZ, price INTEGER)"
    )
    connection.execute(
        "INSERT INTO t VALUES (7, 1, '2026-11-27', '2026-11-27 02:04:52.879211+00:00', 2.0)"
    )
    n, flag, day, at, price = connection.execute("SELECT * FROM t").fetchone()
    assert (n, flag, price) == (7, True, 2) and type(price) is int
    assert day.isoformat() == "2026-11-27"
    assert at.isoformat() == "2026-11-27T02:04:52.879211+00:00"
