"""Rows cheap to render write the same page (issue 17, target 5): every `{{ }}` of the app's
templates is escaped as markupsafe escapes it (without a Markup object per value), production
does not look for changed templates on every render, and the order lists and reports show
the same text after their per-row work moved out of the templates."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from enum import IntEnum

import pytest
from jinja2 import Environment
from markupsafe import Markup, escape

from clustermarket.orders.lists import status_text
from clustermarket.orders.tables import OrderStatus
from clustermarket.reports.services import REPORTS, _shown_rows
from clustermarket.settings import load_settings
from clustermarket.web.templating import output_escape, template_config
from tests.conftest import sign_in
from tests.web.test_row_queries import STATUSES, add_orders, order_world


class Level(IntEnum):
    LOW = 1


class Shown:
    def __str__(self) -> str:
        return 'Fish & "chips" <b>'


class Safe:
    def __html__(self) -> str:
        return "<em>kept</em>"


VALUES = [
    "plain",
    "<script>alert('x') & \"y\"</script>",
    "",
    0,
    -12,
    10**30,
    True,
    None,
    1.5,
    Decimal("2.50"),
    Level.LOW,
    Markup("<b>safe</b>"),
    Safe(),
    Shown(),
    dt.date(2026, 11, 26),
    ["<a>"],
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_an_output_is_escaped_as_markupsafe_escapes_it(value) -> None:
    assert output_escape(value) == str(escape(value))


# Outputs, a macro (its text stays Markup: not escaped twice), a `{% set %}` block, a call
# block, filters, a constant, `| safe`, `| e` and `~` joins.
SOURCE = """{% macro row(item, extra="x") -%}
<td data-label="{{ extra }}">{{ item.name }}</td><td>{{ item.count }}</td>{{ caller() if caller }}
{%- endmacro %}
{% set block %}<i>{{ title }}</i>{% endset %}
{{ block }}{{ "<const>" }}{{ raw | safe }}{{ raw | e }}{{ raw ~ "&" ~ 3 }}{{ none_value }}
{% for item in items %}{{ row(item) }}
{% call row(item, "<y>") %}{{ item.name | upper }}{% endcall %}
{% endfor %}{{ price }}{{ flag }}{{ markup }}"""


def test_the_app_writes_a_template_as_jinja_would() -> None:
    app_env = template_config().engine_instance.engine
    plain = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    context = {
        "title": "Tom & Jerry",
        "raw": "<b>bold</b>",
        "none_value": None,
        "items": [{"name": "<Candle>", "count": 3}, {"name": 'Soap "bar"', "count": 0}],
        "price": Decimal("1.50"),
        "flag": False,
        "markup": Markup("<br>"),
    }
    ours = app_env.from_string(SOURCE)
    assert ours.root_render_func.__globals__["escape"] is output_escape
    written = ours.render(context)
    assert written == plain.from_string(SOURCE).render(context)
    assert "&lt;Candle&gt;" in written and "&amp;lt;" not in written  # escaped once


def test_templates_are_read_once_in_production() -> None:
    assert template_config(reload=False).engine_instance.engine.auto_reload is False
    assert template_config().engine_instance.engine.auto_reload is True  # development
    base = {"APP_ENV": "development", "DATA_DIR": "/tmp/x"}
    assert load_settings(base).templates_reload is True
    assert load_settings({**base, "TEMPLATES_RELOAD": "0"}).templates_reload is False
    production = {
        "APP_ENV": "production",
        "SECRET_KEY": "k" * 40,
        "PUBLIC_URL": "https://market.example",
        "DATA_DIR": "/tmp/x",
    }
    assert load_settings(production).templates_reload is False


def test_a_status_reads_as_words() -> None:
    assert status_text("pending_payment") == "pending payment"
    assert [status_text(s.value) for s in OrderStatus] == [
        s.value.replace("_", " ") for s in OrderStatus
    ]


async def test_the_order_lists_show_each_status_in_words(client) -> None:
    buyer, stalls = await order_world()
    await add_orders(len(STATUSES), buyer, stalls)

    await sign_in(client, "admin")
    staff = (await client.get("/staff/orders")).text
    shown = re.findall(r'<td data-label="Status">([^<]*)</td>', staff)
    assert sorted(shown) == sorted(s.replace("_", " ") for s in STATUSES)

    client.cookies.clear()
    await sign_in(client, "jpatel")
    mine = (await client.get("/my/orders")).text
    shown = re.findall(r'<span class="status status-([a-z_]+)">([^<]*)</span>', mine)
    assert sorted(shown) == sorted((s, s.replace("_", " ").capitalize()) for s in STATUSES)
    assert "Pending payment" in mine
    # each order's lines, a comma between them (one to three lines an order)
    lines = re.findall(r'<p class="muted">([^<]*)</p>', mine)
    assert {
        "1 × Thing 0",
        "1 × Thing 0, 2 × Thing 1",
        "1 × Thing 0, 2 × Thing 1, 3 × Thing 2",
    } == set(lines)


def test_a_report_row_is_its_first_cell_then_each_cell_beside_its_heading() -> None:
    row = {
        "market_day": dt.date(2026, 11, 26),
        "team": "Eco <Team>",
        "school": None,
        "units": 12,
        "takings_pence": -123456,
    }
    assert _shown_rows(REPORTS["teams"], [row]) == [
        (
            "26 Nov 2026",
            [
                ("Team", "Eco <Team>"),
                ("School", "–"),
                ("Units sold", "12"),
                ("Takings", "-£1,234.56"),
            ],
        )
    ]
