"""The signed-in home page: each group the user looks after, with its figures and charts; for staff, failed mail.

It sits at the top, beside mailing: it draws each feature's figures (groups,
the review queue, the outbox) and no feature below needs to know of another.
"""
from flask import Blueprint, render_template
from flask_login import current_user, login_required

from webapp.dashboard.services import overview
from webapp.signed_in_pages import kept_for_the_reader

bp = Blueprint("dashboard", __name__)


@bp.route("/dashboard")
@login_required
@kept_for_the_reader
def index():
    return render_template("dashboard/index.html", **overview(current_user))
