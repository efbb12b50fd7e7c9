"""A programme's parties, what their results share, and how each party's result moved."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.core.charts import figure_svg, radar_overlay_figure
from app.core.programme import (
    OVERALL,
    Entry,
    change_between,
    matches,
    other_dimensions,
    pairs,
    parties,
    shared_dimensions,
    steps,
    suggested_first,
)

DAY = datetime(2026, 3, 1, tzinfo=UTC)


def result(overall: float, **dimensions: float | None) -> dict:
    return {
        "overall": overall,
        "dimensions": [{"id": k, "score": v} for k, v in dimensions.items()],
    }


def entry(sending: int, role: str, name: str, days: int, version: int = 1, **scores) -> Entry:
    return Entry(sending, role, name, DAY + timedelta(days=days), version, result(50, **scores), {})


def test_parties_are_the_authority_first_then_each_supplier_by_name():
    found = parties(
        [
            entry(1, "leverandoer", "Nærvær ApS", 0),
            entry(2, "kommune", "Aarhus Kommune", 1),
            entry(3, "leverandoer", "Bedre Liv", 2),
            entry(4, "leverandoer", "nærvær  aps", 5),  # the same supplier, typed differently
        ]
    )
    assert [(p.role, p.organisation, len(p.entries)) for p in found] == [
        ("kommune", "Aarhus Kommune", 1),
        ("leverandoer", "Bedre Liv", 1),
        ("leverandoer", "nærvær  aps", 2),
    ]
    assert found[2].latest.sending_id == 4
    assert [(a.organisation, s.organisation) for a, s in pairs(found)] == [
        ("Aarhus Kommune", "Bedre Liv"),
        ("Aarhus Kommune", "nærvær  aps"),
    ]


def test_a_sendings_versions_stay_in_order_even_when_a_later_one_is_dated_earlier():
    # Version 2 dated by its sending (first sent) and version 1 by when it was kept.
    found = parties([entry(7, "kommune", "K", 0, 2), entry(7, "kommune", "K", 3, 1)])
    assert [e.version for e in found[0].entries] == [1, 2]


def test_only_dimensions_every_party_has_are_overlaid_and_the_rest_are_listed_apart():
    authority = result(50, welfare=40, organisation=60)
    supplier = result(50, organisation=70, obligations=80, welfare=30)
    assert shared_dimensions([authority, supplier]) == ["welfare", "organisation"]
    assert other_dimensions([authority, supplier]) == [[], ["obligations"]]
    assert shared_dimensions([]) == []


def test_the_change_between_two_results_per_dimension_and_overall():
    before = result(40, welfare=40, organisation=None)
    after = {**result(55, welfare=65.5, organisation=50, learning=20)}
    rows = change_between(before, after)
    assert [(r.dimension, r.before, r.after, r.difference) for r in rows] == [
        ("welfare", 40, 65.5, 25.5),
        ("organisation", None, 50, None),
        ("learning", None, 20, None),
        (OVERALL, 40, 55, 15),
    ]


def test_steps_go_from_each_entry_to_the_next():
    party = parties(
        [
            entry(1, "kommune", "K", 0, welfare=20),
            entry(2, "kommune", "K", 10, welfare=50),
            entry(3, "kommune", "K", 20, welfare=45),
        ]
    )[0]
    moved = [
        (s.before.sending_id, s.after.sending_id, s.changes[0].difference) for s in steps(party)
    ]
    assert moved == [(1, 2, 30), (2, 3, -5)]
    assert steps(parties([entry(1, "kommune", "K", 0)])[0]) == []


def test_programmes_named_like_the_typed_programme_are_suggested_first():
    programmes = [(1, "Unge hjemløse"), (2, "Tidlig hjælp i Aarhus"), (3, "Aarhus: tidlig HJÆLP")]
    suggested, others = suggested_first(programmes, "  Tidlig   hjælp ")
    assert suggested == [(3, "Aarhus: tidlig HJÆLP"), (2, "Tidlig hjælp i Aarhus")]
    assert others == [(1, "Unge hjemløse")]
    assert matches("TIDLIG HJÆLP", "tidlig hjælp")
    assert not matches("Ab", "Abc")  # too short to count as part of a name
    assert not matches("", "x") and not matches("Unge", "Ældre")


def test_the_overlay_chart_has_one_line_and_legend_entry_per_party_and_no_math_in_names():
    figure = radar_overlay_figure(
        ["Behov", "Data", "Læring"],
        [("Kommune: $5 <b>", [40, None, 80]), ("Leverandør: Nærvær", [60, 70, 20])],
        None,
    )
    axes = figure.axes[0]
    lines = axes.get_lines()
    assert [line.get_label() for line in lines] == ["Kommune: $5 <b>", "Leverandør: Nærvær"]
    assert lines[0].get_linestyle() != lines[1].get_linestyle()
    assert lines[0].get_color() != lines[1].get_color()
    svg = figure_svg(figure, "Titel", "Beskrivelse", "overlay")
    assert "Kommune: $5 &lt;b&gt;" in svg and "<b>" not in svg
