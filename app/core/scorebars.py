"""The result's scores as horizontal bars, for a phone: where the radar's labels would be 5 px.

The radar is 540 units wide and its labels 8 and 9 units tall; on a phone's 343 CSS px they
render at 5 and 6 px. These bars are NARROW units wide, so their text renders at about FONT px
there, and a dimension's name, however long, wraps over the whole width above its bar. The page
shows the bars or the radar by a media query, and the table under both has the same numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.core.svgchart import (
    BLUE,
    FONT,
    GREY,
    GRID,
    LINE,
    NARROW,
    open_svg,
    text_element,
    wrapped_lines,
)

BAR = 18  # a score's bar, in units
PREVIOUS_BAR = 6  # the previous assessment's thinner bar under it
LEFT, RIGHT = 4, 44  # room for the score after a full bar
TICKS = (0, 20, 40, 60, 80, 100)


@dataclass(frozen=True)
class ScoreBar:
    """One dimension: its name, its score 0–100 (None: no score), the score as shown, and the
    previous assessment's score, if there is one."""

    label: str
    score: float | None
    shown: str
    previous: float | None = None


def score_bars_svg(
    rows: Sequence[ScoreBar], *, title: str, description: str, element_id: str
) -> str:
    """A bar per dimension from 0 to 100, its name above it and its score after it."""
    span = NARROW - LEFT - RIGHT

    def x(value: float) -> float:
        return LEFT + max(0.0, min(100.0, value)) / 100 * span

    with_previous = any(row.previous is not None for row in rows)
    body: list[str] = []
    y = 8.0
    for row in rows:
        for line in wrapped_lines(row.label, NARROW - LEFT):
            y += LINE
            body.append(text_element(LEFT, y, line, "start"))
        y += 6
        if row.score is not None:
            body.append(
                f'<rect x="{LEFT}" y="{y:.1f}" width="{x(row.score) - LEFT:.1f}" height="{BAR}"'
                f' fill="{BLUE}"/>'
            )
        end = x(row.score or 0)
        body.append(
            text_element(end + 6, y + BAR / 2 + FONT * 0.35, row.shown, "start", font_weight="600")
        )
        y += BAR
        if with_previous:
            if row.previous is not None:
                body.append(
                    f'<rect x="{LEFT}" y="{y + 2:.1f}" width="{x(row.previous) - LEFT:.1f}"'
                    f' height="{PREVIOUS_BAR}" fill="{GREY}"/>'
                )
            y += 2 + PREVIOUS_BAR
        y += 10
    bottom = y + 4
    height = round(bottom + 8 + FONT * 1.2)
    parts = open_svg(element_id, NARROW, height, title, description)
    for tick in TICKS:  # the scale, behind the bars
        parts.append(
            f'<line x1="{x(tick):.1f}" y1="8" x2="{x(tick):.1f}" y2="{bottom:.1f}"'
            f' stroke="{GRID}" stroke-width="1"/>'
        )
        anchor = "start" if tick == 0 else "middle"
        parts.append(text_element(x(tick), bottom + 4 + FONT, f"{tick}", anchor))
    parts += body
    parts.append("</svg>")
    return "".join(parts)
