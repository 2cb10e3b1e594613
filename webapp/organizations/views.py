from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.form_fields import PageArgs
from webapp.organizations import services
from webapp.organizations.forms import OrganizationForm
from webapp.organizations.models import CoalitionStatus
from webapp.permissions import staff_required
from webapp.public_pages import public_page
from webapp.signed_in_pages import kept_for_the_reader

bp = Blueprint("organizations", __name__)

FIELDS = ("name", "website", "location", "kind", "coalition_status", "listed")


@bp.route("/organizations")
@public_page
def directory():
    return render_template("organizations/directory.html", organizations=services.listed_members())


@bp.route("/staff/organizations")
@staff_required
@kept_for_the_reader
def manage():
    status = request.args.get("status")
    if status not in {s.value for s in CoalitionStatus}:
        status = None
    paging = PageArgs(request.args)
    if not paging.validate():
        abort(400)
    page = services.organizations_page(status, paging.number())
    return render_template("organizations/manage.html", organizations=page.items, page=page,
                           status=status, statuses=CoalitionStatus)


@bp.route("/staff/organizations/<int:organization_id>", methods=["GET", "POST"])
@staff_required
def edit(organization_id):
    organization = services.get(organization_id) or abort(404)
    form = OrganizationForm(obj=organization)
    if request.method == "GET":
        form.coalition_status.data = organization.coalition_status.value
    if form.validate_on_submit():
        try:
            services.update(organization, actor=current_user, **{f: getattr(form, f).data for f in FIELDS})
        except services.NameTaken:
            form.name.errors.append(_("Another organization already has this name."))
        else:
            flash(_("%(name)s saved.", name=organization.name), "success")
            return redirect(url_for("organizations.manage"))
    status = 400 if request.method == "POST" else 200
    return render_template("organizations/edit.html", form=form, organization=organization), status
