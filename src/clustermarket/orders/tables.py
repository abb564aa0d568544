from enum import Enum

from piccolo.columns import Boolean, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from clustermarket.accounts.tables import User
from clustermarket.catalogue.tables import Product
from clustermarket.market.tables import MarketDay, Stall


class OrderStatus(str, Enum):  # noqa: UP042 - like the other domains' choices
    unconfirmed = "unconfirmed"  # a reservation waiting for the buyer's e-mail link: holds nothing
    reserved = "reserved"  # no online payment: stock held, paid at the stall
    pending_payment = "pending_payment"  # a Checkout Session is open: stock held
    paid = "paid"
    collected = "collected"
    expired = "expired"
    cancelled = "cancelled"
    refunded = "refunded"


# Statuses whose stock is held at the stalls; leaving them gives the stock back (once).
HOLDING = (OrderStatus.reserved, OrderStatus.pending_payment, OrderStatus.paid)


class Order(Table, tablename="pre_order"):
    """A community pre-order for one market day. `token` makes the buyer's private receipt
    link; `online` says whether it is paid through Stripe or at the stall."""

    market_day = ForeignKey(
        references=MarketDay, null=False, on_delete=OnDelete.restrict, index=True
    )
    token = Varchar(length=64, unique=True)
    buyer_name = Varchar(length=100)
    buyer_email = Varchar(length=254)
    status = Varchar(length=16, choices=OrderStatus, index=True)
    online = Boolean(default=False)
    total_pence = Integer()
    stripe_session_id = Varchar(length=255, null=True, default=None, unique=True)
    stripe_checkout_url = Varchar(length=2000, null=True, default=None)
    stripe_payment_intent = Varchar(length=255, null=True, default=None, index=True)
    stripe_refund_id = Varchar(length=255, null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    paid_at = Timestamptz(null=True, default=None)
    collected_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)  # expired, cancelled or refunded
    closed_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null, index=True)
    emailed_status = Varchar(length=16, default="")  # the status the buyer was last e-mailed
    # Hoarding limits (orders/reservations.py): the e-mail address made comparable and a keyed
    # hash of the client address, never the address itself.
    buyer_key = Varchar(length=254, default="", index=True)
    address_key = Varchar(length=64, default="", index=True)
    # The single-use link that confirms an unconfirmed reservation, and when it stops working
    # (random, so unique in practice; SQLite cannot add a UNIQUE column to a table).
    confirm_token = Varchar(length=64, null=True, default=None, index=True)
    confirm_expires_at = Timestamptz(null=True, default=None)


class OrderLine(Table):
    """One product of an order, at the stall that brings it; the price is copied from the
    database when the order is placed. A line is collected at its stall."""

    order = ForeignKey(references=Order, null=False, on_delete=OnDelete.cascade, index=True)
    stall = ForeignKey(references=Stall, null=False, on_delete=OnDelete.restrict, index=True)
    product = ForeignKey(references=Product, null=False, on_delete=OnDelete.restrict, index=True)
    product_name = Varchar(length=120)
    quantity = Integer()
    unit_price_pence = Integer()
    collected_at = Timestamptz(null=True, default=None)
    collected_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null, index=True)
    # A teacher of the stall's school gave the line's stock back (the buyer's receipt says so).
    released_at = Timestamptz(null=True, default=None)
    released_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null, index=True)


class OrderSchool(Table, tablename="order_school"):
    """An order with lines at a school's stalls, and how many: one row per (order, school),
    kept by triggers on `order_line` (migration 2026-11-26T19:30), so a teacher's list walks
    their school's orders newest first by its unique index (school, order) and stops at the
    page, instead of searching every order line."""

    order = Integer()
    school = Integer()
    lines = Integer(default=0)


class OrderSchoolCount(Table, tablename="order_school_count"):
    """How many orders have a line at each school's stalls (rows of `order_school`), kept by
    triggers on `order_school`: the teacher's list reads its true total from one row."""

    school = Integer(unique=True)
    orders = Integer(default=0)


class OrderClusterCount(Table, tablename="order_cluster_count"):
    """How many pre-orders each cluster's market days have, kept by triggers on `pre_order`
    (migration 2026-11-26T23:00): the cluster admin's list reads its true total from one row
    instead of counting every order of the cluster."""

    cluster = Integer(unique=True)
    orders = Integer(default=0)


class StripeEvent(Table):
    """Every verified Stripe webhook event, recorded once, in the same transaction as its
    effect: a second delivery of the same id changes nothing."""

    event_id = Varchar(length=255, unique=True)
    type = Varchar(length=100)
    order = ForeignKey(references=Order, null=True, on_delete=OnDelete.set_null, index=True)
    payment_intent = Varchar(length=255, null=True, default=None, index=True)
    received_at = Timestamptz()


class PreOrderWindow(Table, tablename="pre_order_window"):
    """When a market day takes pre-orders, and how many (set by the admin). No row, or empty
    columns: open until the market is over, no cap. `orders_taken` counts the orders placed,
    raised by one conditional UPDATE, so the cap holds under concurrent checkouts."""

    market_day = ForeignKey(
        references=MarketDay, null=False, unique=True, on_delete=OnDelete.cascade, index=True
    )
    opens_at = Timestamptz(null=True, default=None)
    closes_at = Timestamptz(null=True, default=None)
    max_orders = Integer(null=True, default=None)
    orders_taken = Integer(default=0)
    member_discount_percent = Integer(null=True, default=None)  # co-op members, 1 to 50


class BuyerAccount(Table, tablename="pre_order_buyer"):
    """The signed-in community account an order was placed from ("My orders"). Its own table,
    so an order placed signed out stays as it was: private receipt link only."""

    order = ForeignKey(
        references=Order, null=False, unique=True, on_delete=OnDelete.cascade, index=True
    )
    account = ForeignKey(references=User, null=False, index=True, on_delete=OnDelete.cascade)
    # The order's `created_at`, copied by triggers (migration 2026-11-27T02:30; whatever an
    # insert says): "My orders" walks the index (account, created_at, id) newest first.
    created_at = Timestamptz(null=True, default=None)


class MemberPrice(Table, tablename="pre_order_member_price"):
    """A line sold at the co-op member price: the full price it would have had and the
    discount, so the reports can show takings at full price and the discount given."""

    line = ForeignKey(
        references=OrderLine, null=False, unique=True, on_delete=OnDelete.cascade, index=True
    )
    full_unit_price_pence = Integer()
    percent = Integer()
