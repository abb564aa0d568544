"""Backfill for the hoarding limits (data, not schema): what existing pre-orders took counts
against the stalls' pre-order allowances, and old orders count towards the per-e-mail limits.
Runs after the market migration that added `stall_stock.preordered` (orders depends on market)
and after the schema migration just before this one (raw steps run before a migration's own
column changes, so this is a migration of its own)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Serial
from piccolo.table import Table

ID = "2026-11-26T00:23:18:000000"
VERSION = "1.38.0"
DESCRIPTION = "count existing pre-orders against the allowances; e-mail keys"


class Order(Table, tablename="pre_order"):  # frozen: only used to run the SQL below
    id = Serial(primary_key=True)


BACKFILL_PREORDERED = """
UPDATE stall_stock SET preordered = COALESCE((
    SELECT SUM(l.quantity) FROM order_line l JOIN pre_order o ON o.id = l."order"
    WHERE l.stall = stall_stock.stall AND l.product = stall_stock.product
      AND (o.status IN ('reserved', 'pending_payment', 'paid', 'collected')
           OR l.collected_at IS NOT NULL)
), 0)
"""
BACKFILL_BUYER_KEY = "UPDATE pre_order SET buyer_key = LOWER(TRIM(buyer_email))"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="orders", description=DESCRIPTION)

    async def backfill():
        await Order.raw(BACKFILL_PREORDERED)
        await Order.raw(BACKFILL_BUYER_KEY)

    manager.add_raw(backfill)
    return manager
