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
    """A group of schools that share one market; the Aylsham cluster today, others later."""

    name = Varchar(length=120)
    slug = Varchar(length=60, unique=True)


class School(Table):
    cluster = ForeignKey(references=Cluster, null=False, on_delete=OnDelete.restrict, index=True)
    name = Varchar(length=120)
    slug = Varchar(length=60, unique=True)
    phase = Varchar(length=10, choices=Phase)
