"""The overview's chart: messages per day as an SVG bar chart drawn on the server (no script)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 220, 44, 26, 12


def nice_top(value: int) -> int:
    """The axis top: 1, 2 or 5 times a power of ten, at least `value` (and at least 1)."""
    top = 1
    while True:
        for step in (1, 2, 5):
            if top * step >= value:
                return top * step
        top *= 10


def bars(days: Sequence[tuple[str, int]]) -> str:
    """One bar per day (YYYY-MM-DD, count); each bar has a title with its day and count."""
    count = max(len(days), 1)
    top = nice_top(max((n for _, n in days), default=0))
    plot_w, plot_h = WIDTH - LEFT - 8, HEIGHT - BOTTOM - TOP
    slot = plot_w / count
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img"'
        f' aria-label="Messages per day, last {count} days" xmlns="http://www.w3.org/2000/svg">'
    ]
    for fraction in (0, 0.5, 1):
        y = TOP + plot_h * (1 - fraction)
        label = f"{round(top * fraction):,}"
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - 8}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(
            f'<text class="axis" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{label}</text>'
        )
    for index, (day, n) in enumerate(days):
        h = plot_h * n / top
        x = LEFT + index * slot + slot * 0.15
        y = TOP + plot_h - h
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}">'
            f"<title>{escape(day)}: {n:,} messages</title></rect>"
        )
    for index in sorted({0, count // 2, count - 1}):
        if index < len(days):
            x = LEFT + index * slot + slot / 2
            parts.append(
                f'<text class="axis" x="{x:.1f}" y="{HEIGHT - 8}" text-anchor="middle">'
                f"{escape(days[index][0][5:])}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)
