"""The dashboard's charts with matplotlib's object API: sendings per month, and score spreads.

Drawn into SVG by app/core/charts.figure_svg, like the radar. Every text may come from data, so
none is parsed as math. The pages show the same numbers as tables.
"""

from __future__ import annotations

import textwrap

from app.core.spread import Spread

BLUE, ORANGE, GREY, INK = "#0059b3", "#b35900", "#767676", "#1a1a1a"
COLOURS = (BLUE, ORANGE, GREY)
LABEL_PT, TICK_PT = 9, 8


def month_bars(months: list[str], series: list[tuple[str, list[int]]], axis_label: str):  # type: ignore[no-untyped-def]
    """Bars per month, one stacked part per series (a role), with a legend."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7.5, 3.2), dpi=100)
    axes = figure.add_subplot()
    bottoms = [0] * len(months)
    positions = list(range(len(months)))
    for (name, values), colour in zip(series, COLOURS, strict=False):
        axes.bar(positions, values, bottom=bottoms, color=colour, label=name, width=0.7)
        bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
    axes.set_xticks(positions)
    axes.set_xticklabels(months, fontsize=TICK_PT, rotation=45, ha="right", parse_math=False)
    axes.set_ylabel(axis_label, fontsize=LABEL_PT, parse_math=False)
    axes.tick_params(axis="y", labelsize=TICK_PT)
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.spines[["top", "right"]].set_visible(False)
    if series:
        legend = axes.legend(fontsize=TICK_PT, frameon=False, loc="upper left")
        for text in legend.get_texts():
            text.set_parse_math(False)
    figure.subplots_adjust(left=0.09, right=0.98, top=0.95, bottom=0.28)
    return figure


def spread_boxes(
    labels: list[str],
    spreads: list[Spread | None],
    axis_label: str,
    whiskers: bool = True,
    own: list[float | None] | None = None,
    own_label: str = "",
):  # type: ignore[no-untyped-def]
    """One horizontal box per dimension: quartiles and median, whiskers to the extremes.

    Without whiskers only the quartiles show (what respondents may see of others). `own` marks
    one respondent's scores beside the boxes.
    """
    from matplotlib.figure import Figure

    rows = len(labels)
    figure = Figure(figsize=(7.5, 0.45 * rows + 1.1), dpi=100)
    axes = figure.add_subplot()
    stats, positions = [], []
    for index, s in enumerate(spreads):
        if s is None:
            continue
        low, high = (s.minimum, s.maximum) if whiskers else (s.q1, s.q3)
        stats.append({"med": s.median, "q1": s.q1, "q3": s.q3, "whislo": low, "whishi": high})
        positions.append(rows - index)
    if stats:
        axes.bxp(
            stats,
            positions=positions,
            orientation="horizontal",
            showfliers=False,
            widths=0.5,
            patch_artist=True,
            boxprops={"facecolor": "#cfe2f5", "edgecolor": BLUE},
            medianprops={"color": INK, "linewidth": 2},
            whiskerprops={"color": BLUE},
            capprops={"color": BLUE},
        )
    if own:
        points = [(score, rows - i) for i, score in enumerate(own) if score is not None]
        if points:
            axes.scatter(
                [p[0] for p in points],
                [p[1] for p in points],
                marker="D",
                color=ORANGE,
                zorder=3,
                label=own_label,
            )
            legend = axes.legend(fontsize=TICK_PT, frameon=False, loc="lower right")
            for text in legend.get_texts():
                text.set_parse_math(False)
    axes.set_xlim(0, 100)
    axes.set_ylim(0.4, rows + 0.6)
    axes.set_yticks(list(range(rows, 0, -1)))
    wrapped = [textwrap.shorten(label, 34, placeholder=" …") for label in labels]
    axes.set_yticklabels(wrapped, fontsize=TICK_PT, parse_math=False)
    axes.set_xlabel(axis_label, fontsize=LABEL_PT, parse_math=False)
    axes.tick_params(axis="x", labelsize=TICK_PT)
    axes.grid(axis="x", color="#d0d0d0", linewidth=0.5)
    axes.set_axisbelow(True)
    axes.spines[["top", "right"]].set_visible(False)
    figure.subplots_adjust(
        left=0.36, right=0.97, top=1 - 0.25 / (0.45 * rows + 1.1), bottom=0.6 / (0.45 * rows + 1.1)
    )
    return figure
