"""UUID text made from bytes (uuids.py) is exactly what the `uuid` module writes: a ticket's
line ids must stay the same for the same ticket, whichever code made them (a repeated ticket
records nothing twice), and request ids must read as UUIDs."""

from __future__ import annotations

import uuid

from clustermarket.market.tickets import line_id
from clustermarket.uuids import name_uuid, random_uuid


def test_a_tickets_line_ids_are_the_uuid5_they_always_were() -> None:
    ticket = "3f2a0c8e-1a2b-4c3d-9e8f-0123456789ab"
    assert line_id(ticket, 0) == "5a3dff9f-bd13-59cd-acd7-dd1091f0a3b7"
    for _ in range(200):
        ticket = str(uuid.uuid4())
        for n in (0, 1, 29):
            assert line_id(ticket, n) == str(uuid.uuid5(uuid.UUID(ticket), f"line-{n}"))
    assert name_uuid(ticket.upper(), "x") == str(uuid.uuid5(uuid.UUID(ticket), "x"))


def test_random_ids_are_version_4_uuids_written_as_uuid_writes_them() -> None:
    made = {random_uuid() for _ in range(500)}
    assert len(made) == 500
    for text in made:
        parsed = uuid.UUID(text)
        assert str(parsed) == text and parsed.version == 4 and parsed.variant == uuid.RFC_4122
