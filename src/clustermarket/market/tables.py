from enum import Enum

from piccolo.columns import Date, ForeignKey, Time, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from clustermarket.schools.tables import Cluster


class MarketStatus(str, Enum):
    planned = "planned"
    open = "open"
    closed = "closed"


class MarketDay(Table):
    """A monthly market. `opens`/`closes` are wall-clock times in UK time on `date`."""

    cluster = ForeignKey(references=Cluster, null=False, on_delete=OnDelete.restrict)
    date = Date(index=True)
    location = Varchar(length=200)
    opens = Time()
    closes = Time()
    status = Varchar(length=10, choices=MarketStatus, default=MarketStatus.planned)
