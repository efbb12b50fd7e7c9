"""A radar drawn onto a kept frame is the radar a whole new drawing makes, to the byte."""

from __future__ import annotations

import sys
import threading
import xml.etree.ElementTree as ET

import pytest

from app.core import charts
from app.core.charts import figure_svg, radar_figure, radar_svg

LABELS = [
    "Målgruppe og behov",
    "Indsats og virkning",
    "Økonomi og gevinster",
    "Data og måling",
    "Organisering og samarbejde",
    "Risiko og robusthed",
]
OTHER_LABELS = ["Behov", "Data", "Læring", "Samarbejde og ledelse på tværs"]
SCREEN, PRINT = (7.5, 7.5), (6.3, 4.4)
EVIL = "<script>alert('x')</script> & \"quoted\" $5 $\\alpha$ </g>"
LONG = "Aarhus Kommune, Socialforvaltningen – " + "Tidlig indsats for unge hjemløse " * 4
# (labels, scores, previous, title, size): results drawn one after another, several on a frame.
RESULTS = [
    (LABELS, [55, 70, 40, 80, 65, 30], None, "Bench Kommune – Bench", SCREEN),
    (LABELS, [0, 100, 0, 100, 0, 100], [10, 20, 30, 40, 50, 60], EVIL, SCREEN),
    (OTHER_LABELS, [12.5, 33.3, 99.9, 1], None, "Malmö stad – Unga vuxna", SCREEN),
    (LABELS, [1, 2, 3, 4, 5, 6], None, LONG, SCREEN),
    (LABELS, [12.5, 33.3, 99.9, 1, 2, 3], [5, 5, 5, 5, 5, 5], None, PRINT),
    (LABELS, [100, 100, 100, 100, 100, 100], None, None, PRINT),
    (LABELS, [50, 60, 70, 80, 90, 100], [], "", SCREEN),
    (OTHER_LABELS, [40, 0, 80, 20], [30, 30, 30, 30], "Gyllene ÅÄÖ – gjq", SCREEN),
    (LABELS, [55, 70, 40, 80, 65, 30], None, "Bench Kommune – Bench", SCREEN),
]
SVG = "{http://www.w3.org/2000/svg}"


def fresh(labels, scores, previous, title, size, element_id="radar"):
    figure = radar_figure(labels, scores, previous, title, size)
    return figure_svg(figure, "Parathed <&>", "Point 0–100 <&>", element_id)


def kept(labels, scores, previous, title, size, element_id="radar"):
    return radar_svg(
        labels, scores, previous, title, size, "Parathed <&>", "Point 0–100 <&>", element_id
    )


@pytest.fixture
def no_frames():
    with charts._FRAMES_LOCK:
        charts._FRAMES.clear()
    yield
    with charts._FRAMES_LOCK:
        charts._FRAMES.clear()


def test_each_result_drawn_onto_a_kept_frame_is_byte_identical_to_a_whole_drawing(no_frames):
    for result in RESULTS:
        assert kept(*result) == fresh(*result), result[1:4]
    # One frame per labels, size and whether there is a title: the results above share them.
    assert len(charts._FRAMES) == 3


def test_the_kept_radar_shows_this_results_scores_and_title_not_the_last_ones(no_frames):
    first = kept(LABELS, [10, 20, 30, 40, 50, 60], [5] * 6, "Første kommune", SCREEN)
    second = kept(LABELS, [90, 80, 70, 60, 50, 40], None, "Anden kommune", SCREEN)
    assert "Første kommune" in first and "Første kommune" not in second
    assert "Anden kommune" in second
    assert 'id="radar-previous"' in first and 'id="radar-previous"' not in second
    assert path_of(first, "radar-scores") != path_of(second, "radar-scores")
    # The frame is unchanged: the same result drawn again is the same drawing as at first.
    assert kept(LABELS, [10, 20, 30, 40, 50, 60], [5] * 6, "Første kommune", SCREEN) == first


def test_user_text_in_a_kept_radar_is_escaped_and_read_back_as_typed(no_frames):
    kept(*RESULTS[0])  # the frame exists: the title below is drawn onto it
    svg = kept(LABELS, [50] * 6, None, EVIL, SCREEN)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    root = ET.fromstring(svg)  # noqa: S314 (our own output) well-formed: the </g> closed nothing
    heading = root.find(f".//{SVG}g[@id='radar-heading']")
    assert heading.find(f"{SVG}text").text == EVIL
    assert root.find(f"{SVG}title").text == "Parathed <&>"
    assert root.find(f"{SVG}desc").text == "Point 0–100 <&>"
    assert root.get("aria-labelledby") == "radar-title radar-desc"
    assert "style" not in svg


def test_results_drawn_at_once_in_threads_each_get_their_own_radar(no_frames):
    results = [
        (LABELS, [i * 10, 100 - i * 10, 50, 40, 30, 20], None, f"Kommune {i}", SCREEN)
        for i in range(6)
    ]
    expected = [fresh(*result) for result in results]
    kept(*RESULTS[0])  # one kept frame, which all the threads draw onto
    drawn: dict[int, list[str]] = {i: [] for i in range(len(results))}

    def draw(index: int) -> None:
        for _ in range(4):
            drawn[index].append(kept(*results[index]))

    threads = [threading.Thread(target=draw, args=(i,)) for i in range(len(results))]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # threads take turns often, in the middle of a drawing
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert [drawn[i] for i in range(len(results))] == [[svg] * 4 for svg in expected]


def test_a_radar_is_drawn_the_same_every_time(no_frames):
    # Clip paths are named by a fixed salt: two drawings of one figure name theirs alike.
    assert fresh(*RESULTS[1]) == fresh(*RESULTS[1])
    assert 'clip-path="url(#radar-p' in fresh(*RESULTS[1])


def path_of(svg: str, group_id: str) -> str:
    group = ET.fromstring(svg).find(  # noqa: S314 (our own output)
        f".//{SVG}g[@id='{group_id}']"
    )
    return group.find(f"{SVG}path").get("d")
