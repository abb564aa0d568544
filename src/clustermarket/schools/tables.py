from enum import Enum

from piccolo.columns import ForeignKey, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table


class Phase(str, Enum):
    infant = "infant"
    junior = "junior"
    primary = "primary"
    high = "high"


class Cluster(Table):
    """A group of schools that share one market; one installation serves many (issue 15)."""

    name = Varchar(length=120)
    slug = Varchar(length=60, unique=True)
    # Lower-case; names the cluster when CLUSTER_ROUTING=host (unique index `cluster_host`).
    host = Varchar(length=253, null=True, default=None)
    # Its own look and market (the settings page, /admin/cluster); "" is the default.
    market_name = Varchar(length=120, default="")
    market_place = Varchar(length=200, default="")
    colour_primary = Varchar(length=7, default="")  # "#1d5e3b"
    colour_accent = Varchar(length=7, default="")
    logo_name = Varchar(length=80, default="")  # under <MEDIA_DIR>/<slug>/


class School(Table):
    cluster = ForeignKey(references=Cluster, null=False, on_delete=OnDelete.restrict, index=True)
    name = Varchar(length=120)
    slug = Varchar(length=60, unique=True)
    phase = Varchar(length=10, choices=Phase)
