"""Tickets: a customer's purchase is one ticket of sale lines.

New columns on `sale`: `ticket` (the ticket's client-made id; every earlier sale becomes a
one-line ticket of its own id), `kind` (product, custom amount, collected pre-order),
`label`, `offline` and `beyond_stock`; `product` may be empty (a custom amount has none).
SQLite cannot ALTER a column's NOT NULL: the constraint is dropped in the stored schema,
the documented way for removing a NOT NULL constraint (no row changes on disk)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean, ForeignKey, Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-11-26T00:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Sale lines grouped in tickets; custom amounts; offline sales flagged"

_NOT_NULL = '"product" INTEGER NOT NULL REFERENCES "product"'
_NULL = '"product" INTEGER REFERENCES "product"'


class Sale(Table, tablename="sale", schema=None):
    pass


async def _sqlite_product_null(backwards: bool) -> None:
    old, new = (_NULL, _NOT_NULL) if backwards else (_NOT_NULL, _NULL)
    version = (await Sale.raw("PRAGMA schema_version"))[0]["schema_version"]
    await Sale.raw("PRAGMA writable_schema = ON")
    await Sale.raw(
        "UPDATE sqlite_master SET sql = replace(sql, {}, {}) WHERE type = 'table' AND name = 'sale'",
        old,
        new,
    )
    await Sale.raw(f"PRAGMA schema_version = {int(version) + 1}")
    await Sale.raw("PRAGMA writable_schema = OFF")


class _Manager(MigrationManager):
    async def _run_alter_columns(self, backwards: bool = False) -> None:
        if engine_finder().engine_type == "sqlite":
            await _sqlite_product_null(backwards)
        else:
            await super()._run_alter_columns(backwards=backwards)
        if not backwards:  # each earlier sale is a one-line ticket of its own id
            await Sale.raw("UPDATE sale SET ticket = client_id WHERE ticket = ''")
            await Sale.raw("UPDATE sale SET kind = 'preorder' WHERE method = 'online'")


def _params(**extra):
    return {
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
        **extra,
    }


async def forwards():
    manager = _Manager(migration_id=ID, app_name="market", description=DESCRIPTION)

    def varchar(name: str, length: int, default: str, index: bool = False) -> None:
        manager.add_column(
            table_class_name="Sale",
            tablename="sale",
            column_name=name,
            db_column_name=name,
            column_class_name="Varchar",
            column_class=Varchar,
            params=_params(length=length, default=default, index=index),
            schema=None,
        )

    def boolean(name: str) -> None:
        manager.add_column(
            table_class_name="Sale",
            tablename="sale",
            column_name=name,
            db_column_name=name,
            column_class_name="Boolean",
            column_class=Boolean,
            params=_params(default=False),
            schema=None,
        )

    varchar("ticket", 36, "", index=True)
    varchar("kind", 8, "product")
    varchar("label", 60, "")
    boolean("offline")
    boolean("beyond_stock")
    manager.alter_column(
        table_class_name="Sale",
        tablename="sale",
        column_name="product",
        db_column_name="product",
        params={"null": True},
        old_params={"null": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )
    return manager
