"""The portfolio dashboard: the sent assessments in figures, for logged-in advisors."""

from __future__ import annotations

from flask import g, render_template
from flask_login import login_required

from app.advisor.routes import bp
from app.i18n import localized_route
from app.review.portfolio import dashboard_view


@localized_route(bp, "/{advisor}/{dashboard}")
@login_required
def dashboard():
    """Sendings per month, role and level; score spreads; the most frequent findings."""
    return render_template("views/advisor/dashboard.html", view=dashboard_view(g.lang))
