"""The simulator's charts as SVG written directly: bars, a line, bars side by side, and steps.

matplotlib took 0.7 s to draw both for a group of 10,000 (a bar patch per payment, a layout
pass, its SVG writer); writing the few elements these charts need takes a millisecond or two, so
a new scenario costs no more than a page. Text is escaped, sizes are in viewBox units, and the
charts scale with the page (class "chart"). Every chart has a title and a description, and the
page shows the same numbers as a table.

A chart 750 units wide shrinks to less than half on a phone, and its text with it (6 px). Drawn
`narrow`, the same chart is NARROW units wide, so that its text renders at about FONT CSS px on a
phone: fewer ticks, titles wrapped, keys stacked. The page shows one of the two by a media query.
"""

from __future__ import annotations

import itertools
import math
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

BLUE = "#0059b3"
GREEN = "#358000"
RED = "#b51d09"
INK = "#1a1a1a"
GREY = "#454545"
GRID = "#d0d0d0"
FONT = 14  # viewBox units; the chart is 750 units wide
NARROW = 340  # units: a chart for a phone's 343 CSS px, where its text renders at FONT px
LINE = FONT * 1.3  # from one line of text to the next


@dataclass(frozen=True)
class Frame:
    """Where the plotting area lies inside the drawing, and the data range it shows."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    x_min: float
    x_max: float
    y_min: float
    y_max: float

    def x(self, value: float) -> float:
        """The drawing's x for a data value."""
        span = (self.x_max - self.x_min) or 1
        return self.left + (value - self.x_min) / span * (self.width - self.left - self.right)

    def y(self, value: float) -> float:
        """The drawing's y for a data value (upwards)."""
        span = (self.y_max - self.y_min) or 1
        return self.height - self.bottom - (value - self.y_min) / span * self.plot_height

    @property
    def plot_height(self) -> float:
        return self.height - self.top - self.bottom


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About `count` round tick values (steps of 1, 2, 2.5 or 5 times a power of ten)."""
    if high <= low:
        return [low]
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.ceil(low / step) * step
    ticks = []
    value = first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    return ticks


def covering_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round ticks from at or below low to at or above high, so that no bar reaches past them."""
    ticks = nice_ticks(low, high, count)
    if len(ticks) < 2:
        return ticks
    step = ticks[1] - ticks[0]
    while ticks[0] > low + step * 1e-9:
        ticks.insert(0, round(ticks[0] - step, 10))
    while ticks[-1] < high - step * 1e-9:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def text_element(
    x: float, y: float, content: str, anchor: str = "middle", **attributes: str
) -> str:
    extra = "".join(f' {name.replace("_", "-")}="{value}"' for name, value in attributes.items())
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{FONT}"'
        f' fill="{INK}"{extra}>{escape(content)}</text>'
    )


def wrapped_lines(text: str, room: float, bold: bool = False) -> list[str]:
    """A text in lines that fit `room` units (by an average character's width)."""
    per_character = FONT * (0.6 if bold else 0.55)
    return textwrap.wrap(text, max(8, int(room / per_character)), break_long_words=False) or [""]


def _fitting_ticks(
    frame: Frame, x_format: Callable[[float], str], count: int, inside: bool = True
) -> list[float]:
    """Round x ticks, as many as `count` whose labels do not run into each other (at least 2)."""
    for tried in range(count, 1, -1):
        ticks = [t for t in nice_ticks(frame.x_min, frame.x_max, tried)
                 if t >= frame.x_min and (t <= frame.x_max or not inside)]  # fmt: skip
        widest = max((len(x_format(t)) for t in ticks), default=0) * FONT * 0.55
        if len(ticks) < 2 or frame.x(ticks[1]) - frame.x(ticks[0]) >= widest + 12:
            return ticks
    return ticks


def _title_lines(lines: Sequence[str], x: float, y: float) -> list[str]:
    """A title over one or more lines, its first line's baseline at y."""
    return [text_element(x, y + i * LINE, line, font_weight="600") for i, line in enumerate(lines)]


def open_svg(element_id: str, width: int, height: int, title: str, description: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" id="{element_id}"'
        f' viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
        f' aria-labelledby="{element_id}-title {element_id}-desc">',
        f'<title id="{element_id}-title">{escape(title)}</title>',
        f'<desc id="{element_id}-desc">{escape(description)}</desc>',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]


def _axes(
    frame: Frame,
    x_ticks: Sequence[float],
    y_ticks: Sequence[float],
    x_format: Callable[[float], str],
    y_format: Callable[[float], str],
    x_label: str,
    y_label: str,
    title: str,
    vertical_grid: bool,
    title_y: float | None = None,
    x_label_y: float | None = None,
) -> list[str]:
    """Grid lines, tick labels, axis labels and the title (just above the plot unless placed;
    an empty title is drawn by the caller)."""
    parts = []
    bottom = frame.height - frame.bottom
    right = frame.width - frame.right
    for value in y_ticks:
        y = frame.y(value)
        parts.append(
            f'<line x1="{frame.left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}"'
            f' stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(text_element(frame.left - 8, y + FONT * 0.35, y_format(value), "end"))
    for value in x_ticks:
        x = frame.x(value)
        if vertical_grid:
            parts.append(
                f'<line x1="{x:.1f}" y1="{frame.top}" x2="{x:.1f}" y2="{bottom}"'
                f' stroke="{GRID}" stroke-width="1"/>'
            )
        parts.append(
            f'<line x1="{x:.1f}" y1="{bottom}" x2="{x:.1f}" y2="{bottom + 5}"'
            f' stroke="{GREY}" stroke-width="1"/>'
        )
        parts.append(text_element(x, bottom + 5 + FONT * 1.1, x_format(value)))
    parts.append(
        f'<path d="M{frame.left},{frame.top} V{bottom} H{right}" fill="none"'
        f' stroke="{GREY}" stroke-width="1"/>'
    )
    middle = (frame.left + right) / 2
    parts.append(
        text_element(middle, frame.height - 10 if x_label_y is None else x_label_y, x_label)
    )
    y_middle = frame.top + frame.plot_height / 2
    if y_label:
        parts.append(
            text_element(18, y_middle, y_label, transform=f"rotate(-90 18 {y_middle:.1f})")
        )
    if title:
        parts.append(
            text_element(
                middle, frame.top - 14 if title_y is None else title_y, title, font_weight="600"
            )
        )
    return parts


def bar_chart_svg(
    bars: Sequence[tuple[float, float]],
    *,
    title: str,
    description: str,
    x_label: str,
    y_label: str,
    element_id: str,
    x_format: Callable[[float], str],
    y_format: Callable[[float], str],
    narrow: bool = False,
) -> str:
    """Bars at their x values (for example each possible payment and its probability in %)."""
    xs = sorted(x for x, _ in bars)
    gaps = [b - a for a, b in itertools.pairwise(xs) if b > a]
    gap = min(gaps) if gaps else max(abs(xs[0]), 1) if xs else 1
    top = max((y for _, y in bars), default=0)
    y_ticks = nice_ticks(0, top or 1)
    x_range = (xs[0] - gap / 2 if xs else 0, xs[-1] + gap / 2 if xs else 1)
    y_max = max(y_ticks[-1], top) or 1
    lines = wrapped_lines(title, NARROW - 16, bold=True) if narrow else []
    if narrow:
        head = round(20 + len(lines) * LINE)
        frame = Frame(NARROW, head + 260, 56, 16, head, 64, *x_range, 0, y_max)
    else:
        frame = Frame(750, 380, 80, 24, 44, 64, *x_range, 0, y_max)
    parts = open_svg(element_id, frame.width, frame.height, title, description)
    x_ticks = _fitting_ticks(frame, x_format, 4 if narrow else 6)
    parts += _axes(frame, x_ticks, y_ticks, x_format, y_format, x_label, y_label,
                   "" if narrow else title, vertical_grid=False)  # fmt: skip
    parts += _title_lines(lines, frame.width / 2, 22)
    width = max(1.0, min(60.0, (frame.x(gap) - frame.x(0)) * 0.8))
    base = frame.y(0)
    for x, y in bars:
        height = base - frame.y(y)
        if height <= 0:
            continue
        parts.append(
            f'<rect x="{frame.x(x) - width / 2:.1f}" y="{frame.y(y):.1f}" width="{width:.1f}"'
            f' height="{height:.1f}" fill="{BLUE}"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class LineLabels:
    """The texts of the line chart, in the page's language."""

    title: str
    description: str
    x: str
    y: str
    curve: str
    level: str
    mark: str
    current: str


def line_chart_svg(
    points: Sequence[tuple[float, float]],
    *,
    level: float,
    mark: float,
    current: tuple[float, float] | None,
    labels: LineLabels,
    element_id: str,
    x_format: Callable[[float], str],
    narrow: bool = False,
) -> str:
    """A line of y (0–100) against x, with a dashed level, a dotted mark and the current point.

    The key is in the plot's lower right corner, or under the chart when drawn narrow."""
    xs = [x for x, _ in points]
    lines = wrapped_lines(labels.title, NARROW - 16, bold=True) if narrow else []
    key_rows = 3 + (current is not None)
    if narrow:
        head = round(20 + len(lines) * LINE)
        below = 64 + key_rows * 22 + 16
        frame = Frame(NARROW, head + 240 + below, 56, 16, head, below, min(xs), max(xs), 0, 102)
    else:
        frame = Frame(750, 400, 70, 24, 44, 64, min(xs), max(xs), 0, 102)
    parts = open_svg(element_id, frame.width, frame.height, labels.title, labels.description)
    x_ticks = _fitting_ticks(frame, x_format, 4 if narrow else 6, inside=False)
    plot_bottom = frame.height - frame.bottom
    parts += _axes(frame, x_ticks, [0, 20, 40, 60, 80, 100], x_format, lambda v: f"{v:.0f}",
                   labels.x, labels.y, "" if narrow else labels.title, vertical_grid=True,
                   x_label_y=plot_bottom + 54 if narrow else None)  # fmt: skip
    parts += _title_lines(lines, frame.width / 2, 22)
    path = " ".join(f"{frame.x(x):.1f},{frame.y(y):.1f}" for x, y in points)
    parts.append(f'<polyline points="{path}" fill="none" stroke="{BLUE}" stroke-width="2"/>')
    y = frame.y(level)
    right = frame.width - frame.right
    parts.append(
        f'<line x1="{frame.left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="{GREEN}"'
        ' stroke-width="2" stroke-dasharray="8 5"/>'
    )
    if frame.x_min <= mark <= frame.x_max:
        x = frame.x(mark)
        parts.append(
            f'<line x1="{x:.1f}" y1="{frame.top}" x2="{x:.1f}" y2="{plot_bottom}"'
            f' stroke="{RED}" stroke-width="2" stroke-dasharray="2 4"/>'
        )
    if current is not None:
        parts.append(
            f'<circle cx="{frame.x(current[0]):.1f}" cy="{frame.y(current[1]):.1f}" r="6"'
            f' fill="{INK}"/>'
        )
    parts += _legend(frame, labels, current is not None, under=plot_bottom + 70 if narrow else None)
    parts.append("</svg>")
    return "".join(parts)


def _legend(
    frame: Frame, labels: LineLabels, with_current: bool, under: float | None = None
) -> list[str]:
    """A key in the lower right corner of the plotting area, or from `under` down on the left."""
    entries = [
        (f'stroke="{BLUE}" stroke-width="2"', labels.curve),
        (f'stroke="{GREEN}" stroke-width="2" stroke-dasharray="8 5"', labels.level),
        (f'stroke="{RED}" stroke-width="2" stroke-dasharray="2 4"', labels.mark),
    ]
    longest = max(len(text) for _, text in [*entries, ("", labels.current)])
    box_width = 44 + longest * FONT * 0.55
    rows = len(entries) + (1 if with_current else 0)
    if under is None:
        x0 = frame.width - frame.right - box_width - 8
        y0 = frame.height - frame.bottom - rows * 22 - 14
        parts = [
            f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{box_width:.1f}" height="{rows * 22 + 8}"'
            f' fill="#ffffff" fill-opacity="0.9" stroke="{GRID}"/>'
        ]
    else:
        x0, y0, parts = 0.0, under, []
    for i, (style, text) in enumerate(entries):
        y = y0 + 16 + i * 22
        parts.append(
            f'<line x1="{x0 + 8:.1f}" y1="{y:.1f}" x2="{x0 + 34:.1f}" y2="{y:.1f}" {style}/>'
        )
        parts.append(text_element(x0 + 40, y + FONT * 0.35, text, "start"))
    if with_current:
        y = y0 + 16 + len(entries) * 22
        parts.append(f'<circle cx="{x0 + 21:.1f}" cy="{y:.1f}" r="6" fill="{INK}"/>')
        parts.append(text_element(x0 + 40, y + FONT * 0.35, labels.current, "start"))
    return parts


@dataclass(frozen=True)
class Series:
    """One named row of values in a chart with several, and how it is drawn."""

    label: str
    values: Sequence[float]
    colour: str
    dash: str = ""  # a line's stroke-dasharray; bars are told apart by colour and their order


SERIES_COLOURS = (BLUE, "#a34700", GREEN)  # each at least 4.5:1 against white
SERIES_DASHES = ("", "9 5", "2 4")


def _key(
    x0: float, y: float, series: Sequence[Series], as_lines: bool, stacked: bool = False
) -> list[str]:
    """A key in one row, left to right in the order the series are drawn (or one under the
    other, `stacked`)."""
    parts = []
    x = x0
    for index, item in enumerate(series):
        if stacked:
            x, y = x0, y + (22 if index else 0)
        if as_lines:
            dash = f' stroke-dasharray="{item.dash}"' if item.dash else ""
            parts.append(
                f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{x + 28:.1f}" y2="{y:.1f}"'
                f' stroke="{item.colour}" stroke-width="3"{dash}/>'
            )
        else:
            parts.append(
                f'<rect x="{x + 8:.1f}" y="{y - 7:.1f}" width="14" height="14"'
                f' fill="{item.colour}"/>'
            )
        parts.append(text_element(x + 34, y + FONT * 0.35, item.label, "start"))
        x += 34 + len(item.label) * FONT * 0.55 + 24
    return parts


def grouped_bar_chart_svg(
    categories: Sequence[int],
    series: Sequence[Series],
    *,
    title: str,
    description: str,
    x_label: str,
    y_label: str,
    element_id: str,
    y_format: Callable[[float], str],
    narrow: bool = False,
) -> str:
    """Bars side by side for each category (for example a year's cost, payments and savings).

    Values may be below zero; the bars of a category keep the order of the key.
    """
    values = [v for item in series for v in item.values]
    low, high = min([0.0, *values]), max([0.0, *values])
    y_ticks = covering_ticks(low, high or 1, 4 if narrow else 5)
    x_range = (-0.5, len(categories) - 0.5)
    y_range = (min(low, y_ticks[0]), max(high, y_ticks[-1]) or 1)
    lines = wrapped_lines(title, NARROW - 16, bold=True) if narrow else []
    if narrow:
        # Amounts need the room left of the plot: the y axis is named above it, not beside it.
        head = round(20 + len(lines) * LINE + len(series) * 22 + 8 + LINE)
        frame = Frame(NARROW, head + 240, 88, 16, head, 64, *x_range, *y_range)
    else:
        frame = Frame(750, 400, 96, 24, 76, 64, *x_range, *y_range)
    every = max(1, math.ceil(len(categories) / (6 if narrow else 15)))
    x_ticks = [float(i) for i in range(0, len(categories), every)]
    parts = open_svg(element_id, frame.width, frame.height, title, description)
    parts += _axes(frame, x_ticks, y_ticks, lambda i: str(categories[round(i)]), y_format,
                   x_label, "" if narrow else y_label, "" if narrow else title,
                   vertical_grid=False, title_y=26)  # fmt: skip
    if narrow:
        parts += _title_lines(lines, frame.width / 2, 22)
        key_top = 22 + len(lines) * LINE - 4
        parts += _key(0, key_top, series, as_lines=False, stacked=True)
        parts.append(text_element(0, frame.top - 18, y_label, "start"))
    else:
        parts += _key(frame.left - 8, frame.top - 20, series, as_lines=False)
    group = (frame.x(1) - frame.x(0)) * 0.8
    width = max(1.0, group / max(1, len(series)))
    zero = frame.y(0)
    if low < 0:
        parts.append(
            f'<line x1="{frame.left}" y1="{zero:.1f}" x2="{frame.width - frame.right}"'
            f' y2="{zero:.1f}" stroke="{INK}" stroke-width="1"/>'
        )
    for s_index, item in enumerate(series):
        for i, value in enumerate(item.values):
            if not value:
                continue
            x = frame.x(i) - group / 2 + s_index * width
            top, bottom = sorted((frame.y(value), zero))
            parts.append(
                f'<rect x="{x:.1f}" y="{top:.1f}" width="{width:.1f}"'
                f' height="{max(0.5, bottom - top):.1f}" fill="{item.colour}"/>'
            )
    parts.append("</svg>")
    return "".join(parts)


def step_lines_svg(
    lines: Sequence[tuple[Series, Sequence[float]]],
    *,
    title: str,
    description: str,
    x_label: str,
    y_label: str,
    element_id: str,
    x_format: Callable[[float], str],
    narrow: bool = False,
) -> str:
    """Cumulative probabilities (0–100) as steps: for each line its values (Series.values, the
    amounts, ascending) and the cumulative percentage reached at each.

    Drawn narrow, the title wraps and the key stacks above the plot."""
    xs = [x for item, _ in lines for x in item.values]
    low, high = (min(xs), max(xs)) if xs else (0.0, 1.0)
    pad = (high - low) * 0.03 or max(abs(high), 1) * 0.05
    title_lines = wrapped_lines(title, NARROW - 16, bold=True) if narrow else []
    if narrow:
        head = round(20 + len(title_lines) * LINE + len(lines) * 22 + 16)
        # Room on the right for half of a last tick label (an amount of millions).
        frame = Frame(NARROW, head + 240, 56, 40, head, 64, low - pad, high + pad, 0, 102)
    else:
        frame = Frame(750, 420, 70, 24, 76, 64, low - pad, high + pad, 0, 102)
    parts = open_svg(element_id, frame.width, frame.height, title, description)
    # A tick whose label would run past the drawing's edge is left out.
    x_ticks = [t for t in _fitting_ticks(frame, x_format, 3 if narrow else 6)
               if frame.x(t) + len(x_format(t)) * FONT * 0.55 / 2 <= frame.width]  # fmt: skip
    parts += _axes(frame, x_ticks, [0, 20, 40, 60, 80, 100], x_format, lambda v: f"{v:.0f}",
                   x_label, y_label, "" if narrow else title, vertical_grid=True,
                   title_y=26)  # fmt: skip
    series = [item for item, _ in lines]
    if narrow:
        parts += _title_lines(title_lines, frame.width / 2, 22)
        parts += _key(0, 22 + len(title_lines) * LINE - 4, series, as_lines=True, stacked=True)
    else:
        parts += _key(frame.left, frame.top - 20, series, as_lines=True)
    for item, cumulative in lines:
        points = [(frame.x_min, 0.0)]
        for x, c in zip(item.values, cumulative, strict=True):
            points += [(x, points[-1][1]), (x, c)]
        points.append((frame.x_max, points[-1][1]))
        path = " ".join(f"{frame.x(x):.1f},{frame.y(y):.1f}" for x, y in points)
        dash = f' stroke-dasharray="{item.dash}"' if item.dash else ""
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{item.colour}" stroke-width="3"'
            f' stroke-linejoin="round"{dash}/>'
        )
    parts.append("</svg>")
    return "".join(parts)
