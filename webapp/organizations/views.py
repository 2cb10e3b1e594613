from flask import Blueprint, render_template

from webapp.organizations import services

bp = Blueprint("organizations", __name__)


@bp.route("/organizations")
def directory():
    return render_template("organizations/directory.html", organizations=services.listed_members())
