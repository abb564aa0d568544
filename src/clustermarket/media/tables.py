from enum import Enum

from piccolo.columns import Boolean, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from clustermarket.accounts.tables import User
from clustermarket.teams.tables import Team


class PhotoOwner(str, Enum):
    product = "product"
    project = "project"


class Photo(Table):
    """An uploaded photo, already re-encoded without metadata, under a random file name.

    Like impact tallies, rows have a draft flag and a published flag (approval copies the
    one to the other). `held`: the uploader has no photo consent on record, so the photo is
    published only when a teacher has looked at it and released it."""

    team = ForeignKey(references=Team, null=False, on_delete=OnDelete.cascade, index=True)
    owner_type = Varchar(length=10, choices=PhotoOwner)
    owner_id = Integer(index=True)
    file_name = Varchar(length=64, unique=True)
    thumb_name = Varchar(length=64, unique=True)
    width = Integer()
    height = Integer()
    alt_text = Varchar(length=200, default="")
    uploaded_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null, index=True)
    held = Boolean(default=False)
    in_draft = Boolean(default=True)
    published = Boolean(default=False)
    created_at = Timestamptz()
