"""Content, search index and questionnaires are built once per release and read back after."""

from __future__ import annotations

import shutil
from pathlib import Path

from app import built_content
from app.core import built
from tests.conftest import FIXTURE_CONTENT, ROOT, make_app


class Counted:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> dict:
        self.calls += 1
        return {"pages": ["værktøjskasse", "<b>"], "n": self.calls}


def test_a_second_start_reads_what_the_first_built(tmp_path):
    build = Counted()
    first = built.load_or_build(tmp_path, "k1", build)
    second = built.load_or_build(tmp_path, "k1", build)
    assert build.calls == 1 and second == first


def test_a_change_to_any_content_file_names_another_file(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    before = built.fingerprint(content, ROOT / "questionnaires")
    page = next(content.rglob("*.md"))
    page.write_text(page.read_text() + "\nEn ny sætning.\n")
    assert built.fingerprint(content, ROOT / "questionnaires") != before


def test_a_file_cut_short_is_built_again(tmp_path):
    build = Counted()
    built.load_or_build(tmp_path, "k1", build)
    stored = tmp_path / "built-k1.pickle"
    stored.write_bytes(stored.read_bytes()[:10])
    assert built.load_or_build(tmp_path, "k1", build)["n"] == 2


def test_a_folder_that_cannot_be_written_costs_only_time(tmp_path):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    build = Counted()
    assert built.load_or_build(blocked / "built", "k1", build)["n"] == 1
    assert built.load_or_build(blocked / "built", "k1", build)["n"] == 2
    assert list(tmp_path.glob("**/*.tmp")) == []


def test_only_the_newest_releases_are_kept(tmp_path):
    for key in range(built.KEEP + 2):
        built.load_or_build(tmp_path, f"k{key}", Counted())
    assert len(list(tmp_path.glob("built-*.pickle"))) == built.KEEP


def test_the_app_serves_the_same_pages_from_the_kept_build(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'a.db'}")
    fresh = make_app(f"sqlite:///{tmp_path / 'b.db'}", KEEP_BUILT_CONTENT=False)
    kept = built_content(app)
    assert Path(app.instance_path, "built").is_dir()
    library, search, questionnaires = kept
    assert library.pages.keys() == fresh.extensions["library"].pages.keys()
    for key, page in fresh.extensions["library"].pages.items():
        assert library.pages[key].html == page.html
    assert questionnaires == fresh.extensions["questionnaires"]
    query = ("da", "betalingsmodel")
    assert [h.document.ref for h in search.search(*query)] == [
        h.document.ref for h in fresh.extensions["search"].search(*query)
    ]
    client = app.test_client()
    assert client.get("/da/vaerktoejskasse/").get_data() == (
        fresh.test_client().get("/da/vaerktoejskasse/").get_data()
    )
