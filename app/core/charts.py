"""Charts drawn with matplotlib's object API (never pyplot), imported only when a chart is drawn."""

from __future__ import annotations

import logging
import math
import re
import textwrap
import threading
from collections import OrderedDict
from io import BytesIO, StringIO
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
# Clip paths are named by a hash of their shape and this salt (matplotlib's default is a random
# salt per drawing): the same chart is drawn the same every time, and a kept radar frame (below)
# names its clip path as the scores drawn onto it do.
SVG_HASHSALT = "charts"
# The parts of a radar that change from one result to the next, by the SVG id they are drawn as.
RADAR_AREA, RADAR_PREVIOUS, RADAR_SCORES, RADAR_HEADING = "area", "previous", "scores", "heading"
_log = logging.getLogger(__name__)


# Room around the radar's circle, in inches, whatever the figure's size: the dimension labels
# (wrapped after LABEL_WRAP characters) and the title need the same room on screen and in print.
RADAR_SIDE, RADAR_TOP, RADAR_BOTTOM, RADAR_TITLE_ROOM = 1.275, 0.55, 0.55, 0.65
LABEL_WRAP = 16
# On the result page the radar is shown at 4/3 of its size in points (the CSS's 72rem for 540
# pt), so that 9 pt renders at 12 CSS px: the smallest text the page's tests allow.
RADAR_LABEL_PT, RADAR_TICK_PT, RADAR_TITLE_PT = 9, 9, 11


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
        axes.plot(
            closed,
            [*previous, previous[0]],
            color="#767676",
            linewidth=1.5,
            linestyle="--",
            gid=RADAR_PREVIOUS,
        )
    axes.plot(closed, [*scores, scores[0]], color="#0059b3", linewidth=2.5, gid=RADAR_SCORES)
    axes.fill(closed, [*scores, scores[0]], color="#0059b3", alpha=0.18, gid=RADAR_AREA)
    top = _radar_frame(axes, labels, angles, title, width)
    axes.title.set_gid(RADAR_HEADING)
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
        _radar_title(axes, title, width)
        top += RADAR_TITLE_ROOM
    return top


def _radar_title(axes, title: str, width: float) -> None:  # type: ignore[no-untyped-def]
    characters = int(width * 72 / (RADAR_TITLE_PT * 0.65))  # a line of the title font
    lines = textwrap.wrap(title, characters, max_lines=2, placeholder=" …") or [""]
    axes.set_title("\n".join(lines), fontsize=RADAR_TITLE_PT, pad=24, parse_math=False)


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
    return _inline_svg(_drawn_svg(figure), title, description, element_id)


def _svg_settings() -> None:
    import matplotlib

    # Text stays text (not glyph outlines): a third of the size, faster, and selectable.
    # The same values are set every time, so these global settings cannot race between threads.
    matplotlib.rcParams["svg.fonttype"] = "none"
    matplotlib.rcParams["svg.hashsalt"] = SVG_HASHSALT


def _drawn_svg(figure) -> str:  # type: ignore[no-untyped-def]
    """The figure as matplotlib writes it to an SVG file."""
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    _svg_settings()
    buffer = BytesIO()
    FigureCanvasSVG(figure).print_svg(buffer, metadata=SVG_METADATA)
    return buffer.getvalue().decode("utf-8")


SVG_METADATA = {"Date": None, "Creator": None}


def _inline_svg(svg: str, title: str, description: str, element_id: str) -> str:
    """An SVG file made fit for a page: no CSS or RDF, ids of its own, a title, a description."""
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


def radar_svg(
    labels: list[str],
    scores: list[float],
    previous: list[float] | None,
    title: str | None,
    size: tuple[float, float],
    svg_title: str,
    description: str,
    element_id: str,
) -> str:
    """The same SVG as `figure_svg(radar_figure(labels, scores, previous, title, size), ...)`.

    A radar's frame (circle, grid, scale, dimension labels) is the same for every result of a
    questionnaire in a language: it is drawn once and kept, and a new result draws only its
    polygons and its title onto it, a tenth of the work of drawing the whole figure.
    """
    key = (tuple(labels), tuple(size), title is not None)
    with _FRAMES_LOCK:  # a kept frame is one matplotlib figure: one drawing at a time
        frame = _FRAMES.get(key)
        if frame is None:
            frame = _FRAMES[key] = RadarFrame(labels, size, title is not None)
            while len(_FRAMES) > FRAMES_KEPT:
                _FRAMES.popitem(last=False)
        else:
            _FRAMES.move_to_end(key)
        drawn = frame.draw(scores, previous, title)
    if drawn is None:  # not expected: the frame and the drawing onto it disagree
        _log.warning("radar frame not usable; drawing the whole radar")
        drawn = _drawn_svg(radar_figure(labels, scores, previous, title, size))
    return _inline_svg(drawn, svg_title, description, element_id)


# Kept frames: per questionnaire version, language, screen or print, with or without a title.
FRAMES_KEPT = 32
_FRAMES: OrderedDict[tuple, RadarFrame] = OrderedDict()
_FRAMES_LOCK = threading.Lock()
_CLIP_REF = re.compile(r"url\(#([^)]+)\)")


class RadarFrame:
    """A drawn radar figure whose changing parts are cut out of its SVG and drawn anew per result.

    matplotlib draws each part into a group with its id (RADAR_AREA and so on); the frame's SVG
    is kept in pieces around them, and a result's parts, drawn by the same figure, go between.
    """

    PARTS = (RADAR_AREA, RADAR_PREVIOUS, RADAR_SCORES, RADAR_HEADING)

    def __init__(self, labels: list[str], size: tuple[float, float], titled: bool) -> None:
        count = len(labels)
        placeholder = [50.0] * count
        self.size = size
        self.figure = radar_figure(labels, placeholder, placeholder, "–" if titled else None, size)
        self.axes = self.figure.axes[0]
        self.angles = [2 * math.pi * i / count for i in range(count)]
        self.artists = {a.get_gid(): a for a in [*self.axes.lines, *self.axes.patches]}
        self.artists[RADAR_HEADING] = self.axes.title
        # What the title's place depends on besides the title: the axes' extents with their
        # labels, as the frame's drawing measures them before it places its title.
        self.axis_boxes: dict[str, object] = {}
        for name in ("xaxis", "yaxis"):
            axis = getattr(self.axes, name)
            axis.get_tightbbox = self._recording(name, axis.get_tightbbox)
        try:
            svg = _drawn_svg(self.figure)
        finally:
            del self.axes.xaxis.get_tightbbox, self.axes.yaxis.get_tightbbox
        self.clips = set(_CLIP_REF.findall(svg))
        found = ((_group_span(svg, gid), gid) for gid in self.PARTS)
        spans = sorted((span, gid) for span, gid in found if span is not None)
        # The frame's SVG between the parts, and the part that goes after each piece.
        self.pieces: list[tuple[str, str | None]] = []
        done = 0
        for (start, end), gid in spans:
            self.pieces.append((svg[done:start], gid))
            done = end
        self.pieces.append((svg[done:], None))

    def _recording(self, name: str, measure):  # type: ignore[no-untyped-def]
        def recorded(*args, **kwargs):  # type: ignore[no-untyped-def]
            box = measure(*args, **kwargs)
            self.axis_boxes.setdefault(name, box)
            return box

        return recorded

    def draw(self, scores: list[float], previous: list[float] | None, title: str | None):  # type: ignore[no-untyped-def]
        """This frame's SVG with the result's parts drawn in, or None if it cannot be done."""
        import numpy as np
        from matplotlib.backends.backend_mixed import MixedModeRenderer
        from matplotlib.backends.backend_svg import RendererSVG

        closed = [*self.angles, self.angles[0]]
        self.artists[RADAR_SCORES].set_data(closed, [*scores, scores[0]])
        self.artists[RADAR_AREA].set_xy(np.column_stack([closed, [*scores, scores[0]]]))
        self.artists[RADAR_PREVIOUS].set_visible(bool(previous))
        if previous:
            self.artists[RADAR_PREVIOUS].set_data(closed, [*previous, previous[0]])
        if title is not None:
            _radar_title(self.axes, title, self.size[0])

        _svg_settings()
        figure = self.figure
        width, height = figure.get_size_inches()
        buffer = StringIO()
        svg_renderer = RendererSVG(width * 72, height * 72, buffer, image_dpi=figure.dpi)
        renderer = MixedModeRenderer(figure, width, height, figure.dpi, svg_renderer)
        # The same nesting as in the whole drawing, so that the same indentation.
        renderer.open_group("figure", gid=figure.get_gid())
        renderer.open_group("axes", gid=self.axes.get_gid())
        if title is not None:
            self._place_title(renderer)
        for gid in self.PARTS:
            self.artists[gid].draw(renderer)
        drawn = buffer.getvalue()

        if not set(_CLIP_REF.findall(drawn)) <= self.clips:
            return None
        parts = {}
        for gid in self.PARTS:
            span = _group_span(drawn, gid)
            parts[gid] = "" if span is None else drawn[span[0] : span[1]]
        return "".join(piece + (parts[gid] if gid else "") for piece, gid in self.pieces)

    def _place_title(self, renderer) -> None:  # type: ignore[no-untyped-def]
        """Place the title as Axes.draw does, with the axes' extents measured when the frame was."""
        axes = self.axes
        for name in ("xaxis", "yaxis"):
            if name not in self.axis_boxes:  # not measured by the frame's drawing
                self.axis_boxes[name] = getattr(axes, name).get_tightbbox(renderer)
        xbox, ybox = self.axis_boxes["xaxis"], self.axis_boxes["yaxis"]
        axes.xaxis.get_tightbbox = lambda *args, **kwargs: xbox
        axes.yaxis.get_tightbbox = lambda *args, **kwargs: ybox
        try:
            axes._update_title_position(renderer)
        finally:
            del axes.xaxis.get_tightbbox, axes.yaxis.get_tightbbox


def _group_span(svg: str, gid: str) -> tuple[int, int] | None:
    """Where the SVG group with this id is, from the start of its line past its closing tag."""
    opening = svg.find(f'<g id="{gid}">')
    if opening < 0:
        return None
    start = svg.rfind("\n", 0, opening) + 1
    end = svg.index("</g>\n", opening) + len("</g>\n")
    if "<g" in svg[opening + 2 : end]:
        raise ValueError(f"the SVG group {gid} holds groups of its own")
    return start, end


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
