"""Charts drawn with matplotlib's object API (never pyplot), imported only when a chart is drawn."""

from __future__ import annotations

import math
import re
import textwrap
from io import BytesIO
from xml.sax.saxutils import escape

STYLE_ATTR = re.compile(r'style="([^"]*)"')
STYLE_ELEMENT = re.compile(r"<style[^>]*>.*?</style>", re.DOTALL)
# matplotlib writes RDF metadata even when every key is None; RDF is not allowed in HTML's SVG.
METADATA_ELEMENT = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)
ID_ATTR = re.compile(r'\b(id)="([^"]+)"')
HREF_ATTR = re.compile(r'\b(xlink:href|href)="#([^"]+)"')
URL_REF = re.compile(r"url\(#([^)]+)\)")
PRESENTATION = {
    "fill",
    "fill-opacity",
    "stroke",
    "stroke-width",
    "stroke-opacity",
    "stroke-linejoin",
    "stroke-linecap",
    "stroke-dasharray",
    "stroke-dashoffset",
    "stroke-miterlimit",
    "opacity",
    "clip-path",
    "font-size",
    "font-family",
    "font-weight",
    "font-style",
    "text-anchor",
}


# Room around the radar's circle, in inches, whatever the figure's size: the dimension labels
# (wrapped after LABEL_WRAP characters) and the title need the same room on screen and in print.
RADAR_SIDE, RADAR_TOP, RADAR_BOTTOM, RADAR_TITLE_ROOM = 1.275, 0.55, 0.55, 0.65
LABEL_WRAP = 16
RADAR_LABEL_PT, RADAR_TICK_PT, RADAR_TITLE_PT = 9, 8, 11


def radar_figure(
    labels: list[str],
    scores: list[float],
    previous: list[float] | None,
    title: str | None,
    size: tuple[float, float] = (7.5, 7.5),
):  # type: ignore[no-untyped-def]
    """A radar of dimension scores 0–100 (and the previous assessment's, if any).

    `size` is width and height in inches; fonts are in points, so drawn at the size it is
    printed, every label prints at its nominal size. Without a title the circle gets its room.
    """
    from matplotlib.figure import Figure

    width, height = size
    figure = Figure(figsize=size, dpi=100)
    axes = figure.add_subplot(projection="polar")
    axes.set_theta_offset(math.pi / 2)  # first dimension at the top, then clockwise
    axes.set_theta_direction(-1)
    count = len(labels)
    angles = [2 * math.pi * i / count for i in range(count)]
    closed = [*angles, angles[0]]
    if previous:
        axes.plot(closed, [*previous, previous[0]], color="#767676", linewidth=1.5, linestyle="--")
    axes.plot(closed, [*scores, scores[0]], color="#0059b3", linewidth=2.5)
    axes.fill(closed, [*scores, scores[0]], color="#0059b3", alpha=0.18)
    top = _radar_frame(axes, labels, angles, title, width)
    # Fixed margins, wide enough for long labels: tight_layout would cost a third of the time.
    figure.subplots_adjust(
        left=RADAR_SIDE / width,
        right=1 - RADAR_SIDE / width,
        top=1 - top / height,
        bottom=RADAR_BOTTOM / height,
    )
    return figure


# Each party of an overlay differs in line style and marker as well as in colour (WCAG 1.4.1).
OVERLAY_STYLES = (
    ("#0059b3", "solid", "o"),
    ("#b34700", "dashed", "s"),
    ("#2e7d32", "dotted", "^"),
    ("#6a1b9a", "dashdot", "D"),
    ("#454545", (0, (5, 1, 1, 1, 1, 1)), "v"),
)
OVERLAY_LEGEND_ROOM = 0.3  # inches per legend row below the circle


def _radar_frame(
    axes, labels: list[str], angles: list[float], title: str | None, width: float
) -> float:  # type: ignore[no-untyped-def]
    """The scale, the dimension labels and the title of a radar; the room its top needs (inches).

    Labels and the title come from data and users: never parse them as math ($ is common).
    """
    axes.set_ylim(0, 100)
    axes.set_yticks([20, 40, 60, 80, 100])
    axes.set_yticklabels(["20", "40", "60", "80", "100"], fontsize=RADAR_TICK_PT, color="#454545")
    axes.set_xticks(angles)
    wrapped = [textwrap.fill(label, LABEL_WRAP, break_long_words=False) for label in labels]
    axes.set_xticklabels(wrapped, fontsize=RADAR_LABEL_PT, parse_math=False)
    # Labels grow away from the circle (left of it on the left, right of it on the right).
    for label, angle in zip(axes.get_xticklabels(), angles, strict=True):
        side = math.sin(angle)
        label.set_horizontalalignment(
            "center" if abs(side) < 0.01 else "left" if side > 0 else "right"
        )
    axes.tick_params(axis="x", pad=4)
    top = RADAR_TOP
    if title is not None:
        characters = int(width * 72 / (RADAR_TITLE_PT * 0.65))  # a line of the title font
        lines = textwrap.wrap(title, characters, max_lines=2, placeholder=" …") or [""]
        axes.set_title("\n".join(lines), fontsize=RADAR_TITLE_PT, pad=24, parse_math=False)
        top += RADAR_TITLE_ROOM
    return top


def radar_overlay_figure(
    labels: list[str],
    series: list[tuple[str, list[float | None]]],
    title: str | None,
    size: tuple[float, float] = (7.5, 8.0),
):  # type: ignore[no-untyped-def]
    """Several radars of scores 0–100 on one circle, one per named series, with a legend.

    A missing score leaves a gap in its line (the table beside the chart says so).
    """
    from matplotlib.figure import Figure

    width, height = size
    figure = Figure(figsize=size, dpi=100)
    axes = figure.add_subplot(projection="polar")
    axes.set_theta_offset(math.pi / 2)
    axes.set_theta_direction(-1)
    count = len(labels)
    angles = [2 * math.pi * i / max(count, 1) for i in range(count)]
    closed = [*angles, angles[0]] if angles else []
    for index, (name, values) in enumerate(series):
        colour, line, marker = OVERLAY_STYLES[index % len(OVERLAY_STYLES)]
        points = [math.nan if v is None else v for v in values]
        axes.plot(
            closed,
            [*points, points[0]] if points else [],
            color=colour,
            linewidth=2,
            linestyle=line,
            marker=marker,
            markersize=6,
            label=name,
        )
    top = _radar_frame(axes, labels, angles, title, width)
    columns = 2
    rows = max(1, math.ceil(len(series) / columns))
    legend = figure.legend(
        loc="lower center",
        ncols=columns,
        fontsize=RADAR_LABEL_PT,
        frameon=False,
        handlelength=3,
    )
    for text in legend.get_texts():  # organisation names are typed by people: no math
        text.set_parse_math(False)
    bottom = RADAR_BOTTOM + rows * OVERLAY_LEGEND_ROOM
    figure.subplots_adjust(
        left=RADAR_SIDE / width,
        right=1 - RADAR_SIDE / width,
        top=1 - top / height,
        bottom=bottom / height,
    )
    return figure


def figure_png(figure) -> bytes:  # type: ignore[no-untyped-def]
    """The figure as PNG bytes, through the Agg canvas."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    buffer = BytesIO()
    FigureCanvasAgg(figure).print_png(buffer)
    return buffer.getvalue()


def figure_svg(figure, title: str, description: str, element_id: str) -> str:  # type: ignore[no-untyped-def]
    """The figure as inline SVG with a title and description, and no inline CSS (for the CSP)."""
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    # Text stays text (not glyph outlines): a third of the size, faster, and selectable.
    # The same value is set every time, so this global setting cannot race between threads.
    matplotlib.rcParams["svg.fonttype"] = "none"
    buffer = BytesIO()
    FigureCanvasSVG(figure).print_svg(buffer, metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue().decode("utf-8")
    svg = svg[svg.index("<svg") :]
    svg = STYLE_ELEMENT.sub("", svg)
    svg = METADATA_ELEMENT.sub("", svg)
    svg = STYLE_ATTR.sub(lambda m: presentation_attributes(m.group(1)), svg)
    # Several charts on one page must not share ids (glyphs are reused by reference).
    svg = ID_ATTR.sub(lambda m: f'{m.group(1)}="{element_id}-{m.group(2)}"', svg)
    svg = HREF_ATTR.sub(lambda m: f'{m.group(1)}="#{element_id}-{m.group(2)}"', svg)
    svg = URL_REF.sub(lambda m: f"url(#{element_id}-{m.group(1)})", svg)
    head_end = svg.index(">") + 1
    opening = svg[:head_end].replace(
        "<svg ",
        f'<svg role="img" aria-labelledby="{element_id}-title {element_id}-desc" '
        f'class="chart" id="{element_id}" ',
        1,
    )
    extra = (
        f'<title id="{element_id}-title">{escape(title)}</title>'
        f'<desc id="{element_id}-desc">{escape(description)}</desc>'
    )
    return opening + extra + svg[head_end:]


def sized(svg: str, width: str, height: str) -> str:
    """The same SVG with its own width and height set (WeasyPrint sizes inline SVG by these)."""
    head_end = svg.index(">")
    head = re.sub(r'\swidth="[^"]*"', f' width="{width}"', svg[:head_end], count=1)
    head = re.sub(r'\sheight="[^"]*"', f' height="{height}"', head, count=1)
    return head + svg[head_end:]


def presentation_attributes(style: str) -> str:
    """Turn `style="fill: #fff; stroke: none"` into `fill="#fff" stroke="none"`."""
    parts = []
    for declaration in style.split(";"):
        if ":" not in declaration:
            continue
        name, value = (x.strip() for x in declaration.split(":", 1))
        if name in PRESENTATION:
            parts.append(f'{name}="{escape(value, {chr(34): "&quot;"})}"')
    return " ".join(parts)
