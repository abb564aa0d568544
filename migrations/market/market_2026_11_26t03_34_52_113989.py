from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.column_types import ForeignKey
from piccolo.columns.column_types import Varchar

ID = "2026-11-26T03:34:52:113989"
VERSION = "1.38.0"
DESCRIPTION = "Indexes on foreign keys and filter columns (issue 17)"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="market", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="Expense",
        tablename="expense",
        column_name="team",
        db_column_name="team",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Expense",
        tablename="expense",
        column_name="market_day",
        db_column_name="market_day",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Expense",
        tablename="expense",
        column_name="recorded_by",
        db_column_name="recorded_by",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="MarketDay",
        tablename="market_day",
        column_name="cluster",
        db_column_name="cluster",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Sale",
        tablename="sale",
        column_name="stall",
        db_column_name="stall",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Sale",
        tablename="sale",
        column_name="product",
        db_column_name="product",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Sale",
        tablename="sale",
        column_name="recorded_by",
        db_column_name="recorded_by",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Sale",
        tablename="sale",
        column_name="voided_by",
        db_column_name="voided_by",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Sale",
        tablename="sale",
        column_name="kind",
        db_column_name="kind",
        params={
            "choices": Enum(
                "SaleKind",
                {
                    "product": "product",
                    "custom": "custom",
                    "preorder": "preorder",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Stall",
        tablename="stall",
        column_name="market_day",
        db_column_name="market_day",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Stall",
        tablename="stall",
        column_name="team",
        db_column_name="team",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="StallStock",
        tablename="stall_stock",
        column_name="stall",
        db_column_name="stall",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="StallStock",
        tablename="stall_stock",
        column_name="product",
        db_column_name="product",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    return manager
