"""Server-rendered bar charts: the numbers become SVG geometry here, the template draws it."""

from __future__ import annotations

from typing import Any

from clustermarket.money import format_pence

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 260
BAR_SPACE = 330
VALUE_WIDTH = 90


def bar_chart(title: str, bars: list[tuple[str, int, str]], money: bool = True) -> dict[str, Any]:
    """Horizontal bars from (label, value, css kind); negative values run left of the axis."""
    biggest_up = max([v for _, v, _ in bars if v > 0], default=0)
    biggest_down = max([-v for _, v, _ in bars if v < 0], default=0)
    scale = BAR_SPACE / ((biggest_up + biggest_down) or 1)
    axis = LABEL_WIDTH + biggest_down * scale
    rows = []
    for i, (label, value, kind) in enumerate(bars):
        width = abs(value) * scale
        y = i * (BAR_HEIGHT + GAP)
        rows.append(  # the attributes as the SVG writes them: the template only places them
            {
                "label": label if len(label) <= 34 else label[:33] + "…",
                "y": y,
                "text_y": y + BAR_HEIGHT - 6,
                "x": f"{axis - width if value < 0 else axis:.1f}",
                "width": f"{max(width, 1 if value else 0):.1f}",
                "kind": kind if value >= 0 else "loss",
                "text": format_pence(value) if money else str(value),
            }
        )
    return {
        "title": title,
        "rows": rows,
        "axis": f"{axis:.1f}",
        "label_width": LABEL_WIDTH,
        "label_x": LABEL_WIDTH - 6,
        "value_x": LABEL_WIDTH + BAR_SPACE + 6,
        "bar_height": BAR_HEIGHT,
        "width": LABEL_WIDTH + BAR_SPACE + VALUE_WIDTH,
        "height": max(len(rows), 1) * (BAR_HEIGHT + GAP),
    }
