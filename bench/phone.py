"""The result, the simulator and check-your-answers on a phone (375 px wide), in Chromium.

    PYTHONPATH=$PWD .venv/bin/python bench/phone.py

Serves this checkout's app (SQLite in a temporary directory) on 127.0.0.1 and prints, per page
and language: how far the page scrolls sideways, the charts shown, the smallest chart text as
rendered (CSS px), and the page's height; for check-your-answers also with every section open.
"""

from __future__ import annotations

import logging
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import CHROMIUM, LiveServer, make_app, migrate_fresh  # noqa: E402
from tests.phone_helpers import (  # noqa: E402
    PAGE_HEIGHT,
    PHONE,
    SIDEWAYS,
    SIMULATOR,
    SMALLEST_CHART_TEXT,
    VISIBLE_CHARTS,
    assessments,
)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(f"sqlite:///{tmp}/phone.db", WTF_CSRF_ENABLED=True, TESTING=False)
        migrate_fresh(app)
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        with LiveServer(app) as server, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page(viewport=PHONE)
            for lang in ("da", "sv"):
                paths = {**assessments(app, lang), "simulator": SIMULATOR[lang]}
                for name, path in paths.items():
                    page.goto(server.url + path)
                    smallest = page.evaluate(SMALLEST_CHART_TEXT)
                    text = (
                        "no chart" if smallest is None else f"smallest chart text {smallest:.1f} px"
                    )
                    print(
                        f"{lang} {name}: sideways {page.evaluate(SIDEWAYS)} px,"
                        f" charts {page.evaluate(VISIBLE_CHARTS)}, {text},"
                        f" height {page.evaluate(PAGE_HEIGHT)} px"
                    )
                    if "answers" in name and page.locator("details.answers-fold").count():
                        page.evaluate(
                            "document.querySelectorAll('details.answers-fold')"
                            ".forEach(d => d.open = true)"
                        )
                        print(f"{lang} {name}, every section open: {page.evaluate(PAGE_HEIGHT)} px")
            browser.close()


if __name__ == "__main__":
    main()
