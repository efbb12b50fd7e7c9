"""The SVG charts written by hand: well-formed, titled, escaped, and drawn where the numbers say."""

from __future__ import annotations

import re
from xml.etree import ElementTree

from app.core.svgchart import Series, covering_ticks, grouped_bar_chart_svg, step_lines_svg

SVG = "{http://www.w3.org/2000/svg}"


def parsed(svg: str) -> ElementTree.Element:
    root = ElementTree.fromstring(svg)  # noqa: S314 (our own output)
    assert root.get("role") == "img"
    labelled = root.get("aria-labelledby").split()
    assert [root.find(f"{SVG}title").get("id"), root.find(f"{SVG}desc").get("id")] == labelled
    return root


def bars(root: ElementTree.Element, colour: str) -> list[ElementTree.Element]:
    return [rect for rect in root.iter(f"{SVG}rect") if rect.get("fill") == colour]


def test_ticks_cover_the_values_so_that_no_bar_reaches_past_the_axis():
    assert covering_ticks(0, 1_134_000) == [0, 250_000, 500_000, 750_000, 1_000_000, 1_250_000]
    ticks = covering_ticks(-72_382, 486_000)
    assert ticks[0] <= -72_382 and ticks[-1] >= 486_000


def test_bars_side_by_side_keep_their_order_and_go_below_zero():
    svg = grouped_bar_chart_svg(
        [0, 1, 2],
        [Series("Cost <a>", [100, 0, 0], "#111111"), Series("Paid", [0, 80, -20], "#222222")],
        title="Amounts & years", description="Bars", x_label="Year", y_label="kr.",
        element_id="flow", y_format=str,
    )  # fmt: skip
    root = parsed(svg)
    assert "Cost &lt;a&gt;" in svg and "Amounts &amp; years" in svg
    cost, paid = bars(root, "#111111"), bars(root, "#222222")
    assert len(cost) == 2 and len(paid) == 3  # a key each, and the amounts that are not zero
    (_key, year_0), (_key, year_1, year_2) = cost, paid
    assert float(year_0.get("x")) < float(year_1.get("x")) < float(year_2.get("x"))
    # The negative bar hangs from the zero line, which lies above the axis.
    zero = float(year_1.get("y")) + float(year_1.get("height"))
    assert float(year_2.get("y")) == zero or abs(float(year_2.get("y")) - zero) < 0.2
    assert zero < 400 - 64
    assert [t.text for t in root.iter(f"{SVG}text") if t.text in ("0", "1", "2")][-3:] == [
        "0", "1", "2"
    ]  # fmt: skip


def test_step_lines_rise_from_zero_to_each_cumulative_percentage():
    svg = step_lines_svg(
        [(Series("A", [0, 100, 200], "#0059b3"), [25, 75, 100]),
         (Series("B", [50, 150], "#a34700", "9 5"), [40, 100])],
        title="Payments", description="Steps", x_label="kr.", y_label="%", element_id="cdf",
        x_format=lambda v: f"{v:.0f}",
    )  # fmt: skip
    root = parsed(svg)
    lines = list(root.iter(f"{SVG}polyline"))
    assert [line.get("stroke") for line in lines] == ["#0059b3", "#a34700"]
    assert lines[1].get("stroke-dasharray") == "9 5" and lines[0].get("stroke-dasharray") is None
    points = [tuple(map(float, p.split(","))) for p in lines[0].get("points").split()]
    ys = [y for _, y in points]
    assert ys == sorted(ys, reverse=True), "a cumulative line only rises (y grows downwards)"
    xs = [x for x, _ in points]
    assert xs == sorted(xs)
    assert len(re.findall(r"<line [^>]*stroke-width=\"3\"", svg)) == 2, "a key entry per line"


def test_step_lines_drawn_for_a_phone_keep_every_tick_label_inside_the_drawing():
    millions = [600_000 + 50_000 * i for i in range(71)]
    svg = step_lines_svg(
        [(Series("Scenarie A", millions, "#0059b3"), [100 * (i + 1) / 71 for i in range(71)])],
        title="Sandsynligheden for, at den samlede udbetaling højst bliver et beløb",
        description="Steps", x_label="kr.", y_label="%", element_id="cdf-narrow",
        x_format=lambda v: f"{v:,.0f}".replace(",", "."), narrow=True,
    )  # fmt: skip
    root = parsed(svg)
    width = float(root.get("viewBox").split()[2])
    assert width == 340
    labels = [t for t in root.iter(f"{SVG}text") if t.text and t.text.endswith(".000")]
    assert len(labels) >= 2, "at least two amounts on the axis"
    for label in labels:
        half = len(label.text) * 14 * 0.55 / 2
        assert half <= float(label.get("x")) <= width - half, label.text
    # The title wraps instead of running out of the drawing, and the key names the line.
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    assert "Scenarie A" in texts
    assert all(len(text) * 14 * 0.6 <= width for text in texts)
