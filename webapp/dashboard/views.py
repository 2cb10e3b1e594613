"""The signed-in home page: each group the user looks after, with what waits there; for staff, failed mail.

It sits at the top, beside mailing: it draws each feature's figures (groups,
the review queue, the outbox) and no feature below needs to know of another.
"""
from flask import Blueprint, render_template
from flask_login import current_user, login_required

from webapp.groups import services as groups
from webapp.membership import review_queries
from webapp.outbox import queries as outbox_queries
from webapp.permissions import is_staff

bp = Blueprint("dashboard", __name__)


@bp.route("/dashboard")
@login_required
def index():
    my_groups = groups.groups_looked_after_by(current_user)
    failed = outbox_queries.failed_recently(days=7) if is_staff(current_user) else None
    return render_template("dashboard/index.html", groups=my_groups, failed_mail=failed,
                           waiting_by_group=review_queries.waiting_by_group(my_groups))
