from flask import Blueprint, render_template, request

from webapp.audit.services import latest
from webapp.permissions import staff_required

bp = Blueprint("audit", __name__)

PAGE_SIZE = 100
LAST_PAGE = 1_000_000  # beyond any log: a larger number is read as this, not handed to the database


@bp.route("/staff/audit")
@staff_required
def index():
    page = min(max(request.args.get("page", 1, type=int), 1), LAST_PAGE)
    events = latest(offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE + 1)
    return render_template("audit/index.html", events=events[:PAGE_SIZE], page=page,
                           has_more=len(events) > PAGE_SIZE)
