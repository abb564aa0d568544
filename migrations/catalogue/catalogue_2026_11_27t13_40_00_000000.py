"""The rows that wait for a teacher, indexed on their own (issue 17, target 5: the moderation
queue at scale on SQLite); see `clustermarket.db.waiting_indexes`."""

from clustermarket.db import waiting_indexes

ID = "2026-11-27T13:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Index the rows that wait for moderation"


async def forwards():
    return waiting_indexes(ID, "catalogue", ("product",))
