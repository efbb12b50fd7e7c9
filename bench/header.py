"""The header in Chromium: how tall it is on a phone, and how many tab stops come before the
first question of a questionnaire page.

    PYTHONPATH=$PWD .venv/bin/python bench/header.py

Serves this checkout's app (SQLite in a temporary directory) on 127.0.0.1 and prints, per
language: the height of the page's header and where the content starts at 375 px wide, whether
the main menu's items share one line at 1280 px, how far pages scroll sideways at 375 px, and the
number of tab stops before the first question of step 1 of the self-assessment.
"""

from __future__ import annotations

import logging
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.assessment_helpers import BASE, STEP  # noqa: E402
from tests.conftest import CHROMIUM, LiveServer, make_app, migrate_fresh  # noqa: E402

PAGES = {
    "da": ("/da/", "/da/vaerktoejskasse/", "/da/betalingssimulator"),
    "sv": ("/sv/", "/sv/verktygslada/", "/sv/betalningssimulator"),
}
# The main menu's items, in the header of before (ul.main-nav-list) or after (DKFDS's .mainmenu).
MENU_ITEMS = ".navigation-menu .mainmenu > li:not(.more-option), .main-nav-list > li"
FIRST_QUESTION = "#step-form .question input, #step-form .question textarea"


def new_assessment(app, lang: str) -> str:  # type: ignore[no-untyped-def]
    from app.assessment import service

    with app.test_request_context(f"/{lang}/"):
        return service.start("kommune", lang, "Eksempel Kommune", "Tidlig hjælp", "").token


def header_figures(page: Page) -> tuple[float, float]:
    """The first header's height and the top of the main content, in CSS pixels."""
    return page.evaluate(
        """() => [document.querySelector('header').getBoundingClientRect().height,
                  document.getElementById('main-content').getBoundingClientRect().top]"""
    )


def tab_stops_before(page: Page, selector: str, limit: int = 100) -> int:
    """The tab stops before the first element matching selector, from the top of the page."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return presses - 1
    return limit


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(f"sqlite:///{tmp}/header.db", WTF_CSRF_ENABLED=True, TESTING=False)
        migrate_fresh(app)
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        with LiveServer(app) as server, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            for lang in ("da", "sv"):
                token = new_assessment(app, lang)
                step = f"{BASE[lang]}/{token}/{STEP[lang]}/1"
                phone = browser.new_page(viewport={"width": 375, "height": 800})
                for path in (*PAGES[lang], step):
                    phone.goto(server.url + path)
                    height, top = header_figures(phone)
                    wide = phone.evaluate("document.documentElement.scrollWidth")
                    shown = path if path != step else f"{BASE[lang]}/…/{STEP[lang]}/1"
                    print(
                        f"{lang} 375 px {shown}: header {height:.0f} px, content at {top:.0f} px,"
                        f" scrollWidth {wide}"
                    )
                phone.close()
                desktop = browser.new_page(viewport={"width": 1280, "height": 800})
                desktop.goto(server.url + PAGES[lang][0])
                tops = desktop.eval_on_selector_all(
                    MENU_ITEMS,
                    "items => items.filter(i => i.offsetParent !== null)"
                    ".map(i => Math.round(i.getBoundingClientRect().top))",
                )
                print(f"{lang} 1280 px main menu: {len(tops)} items on {len(set(tops))} line(s)")
                desktop.goto(server.url + step)
                stops = tab_stops_before(desktop, FIRST_QUESTION)
                print(f"{lang} 1280 px step 1: {stops} tab stops before the first question")
                desktop.close()
            browser.close()


if __name__ == "__main__":
    main()
