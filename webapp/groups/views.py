from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from webapp import permissions
from webapp.groups import services
from webapp.groups.forms import ContactsForm

bp = Blueprint("groups", __name__)


@bp.route("/")
def home():
    return render_template("groups/home.html", groups=services.directory())


@bp.route("/groups")
def directory():
    return render_template("groups/directory.html", groups=services.directory())


@bp.route("/dashboard")
@login_required
def dashboard():
    return render_template("groups/dashboard.html", groups=services.groups_looked_after_by(current_user))


def _contacts_form(group, users, formdata=None):
    form = ContactsForm(prefix=f"g{group.id}", formdata=formdata)
    form.contacts.choices = [SelectChoice(u.id, f"{u.name} <{u.email}>") for u in users]
    if formdata is None:
        form.contacts.data = services.contact_user_ids(group)
    return form


@bp.route("/staff/groups", methods=["GET", "POST"])
@login_required
def contacts():
    if not permissions.is_staff(current_user):
        abort(403)
    users = services.active_users()
    groups = services.all_groups()
    if request.method == "POST":
        group = next((g for g in groups if str(g.id) == request.form.get("group_id")), None) or abort(404)
        form = _contacts_form(group, users, formdata=request.form)
        if form.validate_on_submit():
            services.set_contacts_by_id(group, form.contacts.data, actor=current_user)
            flash(_("Contacts of %(group)s saved.", group=group.name), "success")
        else:
            flash(_("Those contacts could not be saved."), "error")
        return redirect(url_for("groups.contacts"))
    forms = {group.id: _contacts_form(group, users) for group in groups}
    return render_template("groups/contacts.html", groups=groups, forms=forms)
