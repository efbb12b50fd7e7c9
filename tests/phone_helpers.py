"""What a phone shows: pages made for the browser tests at 375 px, and what is measured on them.

Shared by tests/test_phone_browser.py and bench/phone.py (which prints the figures).
"""

from __future__ import annotations

from flask import Flask, url_for

PHONE = {"width": 375, "height": 740}
SIMULATOR = {
    # Cohorts, payment goals and savings: every chart and the widest tables the simulator has.
    "da": "/da/betalingssimulator?participants=&participants_per_year=10&years=3&success_rate=60"
    "&baseline_rate=15&target_rate=50&cost_per_participant=40.000&investor=private"
    "&payment_rule=per_success&payment_cap=2.000.000&goal_1=Bolig&goal_payment_1=40.000"
    "&goal_rate_1=50&goal_lag_1=2&savings_municipality=50.000&savings_state=10.000"
    "&discount_rate=3,5",
    "sv": "/sv/betalningssimulator?participants=&participants_per_year=10&years=3"
    "&success_rate=60&baseline_rate=15&target_rate=50&cost_per_participant=40 000"
    "&payment_rule=per_success&payment_per_success=90 000&savings_municipality=150 000",
}
NOTE = "Vi har målt det i 2024 og gentager målingen hvert halve år med samme spørgeskema."

# The smallest rendered font size of the chart text a reader can see, in CSS px: the computed
# font size (in the SVG's units) times the scale the SVG is drawn at (its screen matrix).
SMALLEST_CHART_TEXT = """() => {
  const sizes = [];
  for (const text of document.querySelectorAll('svg text')) {
    if (!text.checkVisibility() || !text.textContent.trim()) continue;
    const m = text.getScreenCTM();
    sizes.push(parseFloat(getComputedStyle(text).fontSize) * Math.hypot(m.a, m.b));
  }
  return sizes.length ? Math.min(...sizes) : null;
}"""
VISIBLE_CHARTS = """() => [...document.querySelectorAll('svg.chart')]
  .filter(s => s.checkVisibility()).map(s => s.id)"""
SIDEWAYS = "() => document.documentElement.scrollWidth - window.innerWidth"
PAGE_HEIGHT = "() => document.documentElement.scrollHeight"


def assessments(app: Flask, lang: str) -> dict[str, str]:
    """A submitted result with a previous one (the widest scores table), and a finished draft
    with notes: the paths of the result and of both check-your-answers pages."""
    from app.assessment import service
    from tests.assessment_helpers import form_value

    with app.test_request_context(f"/{lang}/"):
        questionnaire = app.extensions["questionnaires"]["kommune"]
        first = service.start("kommune", lang, "Eksempel Kommune", "Tidlig hjælp", "")
        answers = {q.id: form_value(q, "worst") for q in questionnaire.questions.values()}
        notes = {qid: NOTE for i, qid in enumerate(answers) if i % 3 == 0}
        service.save_page(first, list(answers), answers, notes)
        service.submit(first)
        second = service.new_version(service.find(first.token))
        better = {q.id: form_value(q, "best") for q in questionnaire.questions.values()}
        service.save_page(second, list(better), better, notes)
        draft_token = second.token
        service.submit(service.find(second.token))
        draft = service.new_version(service.find(draft_token))
        return {
            "result": url_for("assessment.result", token=draft_token, lang_code=lang),
            "submitted answers": url_for("assessment.answers", token=draft_token, lang_code=lang),
            "answers": url_for("assessment.answers", token=draft.token, lang_code=lang),
        }
