from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from webapp import permissions
from webapp.audit.services import latest

bp = Blueprint("audit", __name__)

PAGE_SIZE = 100


@bp.route("/staff/audit")
@login_required
def index():
    if not permissions.is_staff(current_user):
        abort(403)
    page = max(request.args.get("page", 1, type=int), 1)
    events = latest(offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE + 1)
    return render_template("audit/index.html", events=events[:PAGE_SIZE], page=page,
                           has_more=len(events) > PAGE_SIZE)
