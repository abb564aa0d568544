from enum import Enum

from piccolo.columns import Boolean, Date, ForeignKey, Integer, Time, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from clustermarket.accounts.tables import User
from clustermarket.catalogue.tables import Product
from clustermarket.schools.tables import Cluster
from clustermarket.teams.tables import Team


class MarketStatus(str, Enum):
    planned = "planned"
    open = "open"
    closed = "closed"


class MarketDay(Table):
    """A monthly market. `opens`/`closes` are wall-clock times in UK time on `date`."""

    cluster = ForeignKey(references=Cluster, null=False, on_delete=OnDelete.restrict, index=True)
    date = Date(index=True)
    location = Varchar(length=200)
    opens = Time()
    closes = Time()
    status = Varchar(length=10, choices=MarketStatus, default=MarketStatus.planned)


class Stall(Table):
    """A team's stall on a market day. The team opens it with a cash float and closes it by
    counting the tin; both amounts are pence."""

    market_day = ForeignKey(
        references=MarketDay, null=False, on_delete=OnDelete.cascade, index=True
    )
    team = ForeignKey(references=Team, null=False, on_delete=OnDelete.restrict, index=True)
    pitch = Varchar(length=60, default="")  # where on the market place, e.g. "By the church"
    float_pence = Integer(null=True, default=None)
    opened_at = Timestamptz(null=True, default=None)
    counted_cash_pence = Integer(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    # Running takings of the sales that stand, kept by triggers on `sale` (migration
    # 2026-11-26T03:40): per method, and how many tickets (a ticket of several lines is one).
    taken_cash_pence = Integer(default=0)
    taken_card_pence = Integer(default=0)
    taken_online_pence = Integer(default=0)
    taken_tickets = Integer(default=0)


class StallStock(Table):
    """How many of a product a stall brought, and how many are left. `left` only ever moves
    by a conditional UPDATE, so it never goes below zero."""

    stall = ForeignKey(references=Stall, null=False, on_delete=OnDelete.cascade, index=True)
    product = ForeignKey(references=Product, null=False, on_delete=OnDelete.restrict, index=True)
    brought = Integer(default=0)
    left = Integer(default=0)
    # How many may be pre-ordered (the rest is kept for selling at the stall), set by the
    # team; NULL means the default, half of what is brought (rounded down).
    preorder_allowance = Integer(null=True, default=None)
    # Units taken by pre-orders that were not given back (held or collected); moves only with
    # `left`, in the same conditional UPDATE, so it never passes the allowance.
    preordered = Integer(default=0)


class PaymentMethod(str, Enum):
    cash = "cash"
    card = "card"  # the school's own card reader
    online = "online"  # a paid pre-order collected at the stall


class SaleKind(str, Enum):
    product = "product"
    custom = "custom"  # a custom amount (e.g. a donation): no product, no stock
    preorder = "preorder"  # a pre-order line collected at the stall (undone via the order)


class Sale(Table):
    """One line of a ticket (a customer's purchase). `ticket` and `client_id` are made on the
    phone, so a retried request records nothing new. Price and cost are copied at the moment
    of sale. A voided sale is kept."""

    client_id = Varchar(length=36, unique=True)
    # Indexed with the stall (ticket, stall) and by stall (stall, id): migrations
    # market_2026_11_27t05_40_00_000000 and market_2026_11_26t07_00_00_000000.
    ticket = Varchar(length=36, default="")  # the ticket's id, shared by its lines
    stall = ForeignKey(references=Stall, null=False, on_delete=OnDelete.cascade)
    product = ForeignKey(references=Product, null=True, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=8, choices=SaleKind, default=SaleKind.product)
    label = Varchar(length=60, default="")  # a custom amount's words, e.g. "Donation"
    offline = Boolean(default=False)  # made on the phone without a signal, sent later
    beyond_stock = Boolean(default=False)  # sold offline beyond the counted stock: flagged
    quantity = Integer()
    unit_price_pence = Integer()
    amount_pence = Integer()  # quantity × unit price
    cost_pence = Integer()  # quantity × unit cost, for profit
    method = Varchar(length=8, choices=PaymentMethod)
    tendered_pence = Integer(null=True, default=None)  # cash handed over, for the change
    recorded_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null, index=True)
    recorded_at = Timestamptz(index=True)
    voided_at = Timestamptz(null=True, default=None)
    voided_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null, index=True)


class SaleTotal(Table):
    """Running totals of the sales that stand, per stall, product, kind, words, unit price and
    payment method: what the reports sum instead of every sale. Kept by triggers on `sale` in
    the same transaction as every insert, void, un-void or delete (migration
    market_2026_11_26t05_00_00_000000). `lines` counts the standing sale lines (a row at 0 is
    left out of the reports and counts no ticket); `tickets` counts the stall's tickets paid
    that way, each on a row with lines (only sums over a stall and method mean anything)."""

    stall = ForeignKey(references=Stall, null=False, on_delete=OnDelete.cascade, index=True)
    product = ForeignKey(references=Product, null=True, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=8, choices=SaleKind, default=SaleKind.product)
    label = Varchar(length=60, default="")
    unit_price_pence = Integer()
    method = Varchar(length=8, choices=PaymentMethod)
    lines = Integer(default=0)
    quantity = Integer(default=0)
    amount_pence = Integer(default=0)
    cost_pence = Integer(default=0)
    tickets = Integer(default=0)


class StallMethodTotal(Table):
    """The running totals per stall and payment method (units count goods, not custom
    amounts): what the teams, schools, methods and cluster reports sum. Kept by triggers on
    `sale_total` (migration market_2026_11_26t06_50_00_000000); (stall, method) is unique.
    A row at no line counts nothing."""

    stall = ForeignKey(references=Stall, null=False, on_delete=OnDelete.cascade, index=True)
    method = Varchar(length=8, default="")
    lines = Integer(default=0)
    units = Integer(default=0)
    amount_pence = Integer(default=0)
    cost_pence = Integer(default=0)
    tickets = Integer(default=0)


class SaleYearTotal(Table):
    """The running totals per cluster, school year (1 September to 31 August, named by the
    year it starts in), team, product (0: a custom amount), words and unit price: what the
    products report reads for the whole school years of its range. Kept by triggers on
    `sale_total` and on a market day's date (migration market_2026_11_26t13_00_00_000000);
    the key is unique. A row at no line counts nothing."""

    cluster = Integer(default=0)
    school_year = Integer(default=0)
    team = Integer(default=0)
    product = Integer(default=0)
    label = Varchar(length=60, default="")
    unit_price_pence = Integer(default=0)
    lines = Integer(default=0)
    quantity = Integer(default=0)
    amount_pence = Integer(default=0)
    cost_pence = Integer(default=0)


class ExpenseKind(str, Enum):
    materials = "materials"
    stall_fee = "stall_fee"
    other = "other"
    startup = "startup"  # start-up money the team must pay back


class Expense(Table):
    """A team's cost in pence, for one market day or for the business as a whole."""

    team = ForeignKey(references=Team, null=False, on_delete=OnDelete.cascade, index=True)
    market_day = ForeignKey(
        references=MarketDay, null=True, on_delete=OnDelete.set_null, index=True
    )
    kind = Varchar(length=12, choices=ExpenseKind)
    description = Varchar(length=200, default="")
    amount_pence = Integer()
    recorded_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null, index=True)
    recorded_at = Timestamptz()
