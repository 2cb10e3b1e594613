from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from webapp.accounts.sessions import recent_sign_in_required
from webapp.groups import services
from webapp.groups.forms import ContactsForm, GroupForm
from webapp.permissions import staff_required
from webapp.public_pages import public_page

bp = Blueprint("groups", __name__)


@bp.route("/")
@public_page
def home():
    return render_template("groups/home.html", groups=services.directory())


@bp.route("/groups")
@public_page
def directory():
    return render_template("groups/directory.html", groups=services.directory())


def _contacts_form(group, users, formdata=None):
    form = ContactsForm(prefix=f"g{group.id}", formdata=formdata)
    form.contacts.choices = [SelectChoice(u.id, f"{u.name} <{u.email}>") for u in users]
    form.listed.choices = [SelectChoice("", _("The first of the contacts"))] + \
        [SelectChoice(u.id, u.name) for u in users]
    if formdata is None:
        form.contacts.data = services.contact_user_ids(group)
        form.listed.data = services.listed_user_id(group)
    return form


@bp.route("/staff/groups", methods=["GET", "POST"])
@staff_required
@recent_sign_in_required(methods={"POST"})
def contacts():
    users = services.active_users()
    groups = services.all_groups()
    if request.method == "POST":
        group = next((g for g in groups if str(g.id) == request.form.get("group_id")), None) or abort(404)
        form = _contacts_form(group, users, formdata=request.form)
        if form.validate_on_submit():
            try:
                services.set_contacts_by_id(group, form.contacts.data, listed_id=form.listed.data,
                                            actor=current_user)
            except services.NoContactLeft:
                flash(_("%(group)s must keep at least one contact person: nothing was changed.", group=group.name),
                      "error")
            except services.ListedNotAContact:
                flash(_("The contact named publicly must be one of the group's contacts: nothing was changed."),
                      "error")
            else:
                flash(_("Contacts of %(group)s saved.", group=group.name), "success")
        else:
            flash(_("Those contacts could not be saved."), "error")
        return redirect(url_for("groups.contacts"))
    forms = {group.id: _contacts_form(group, users) for group in groups}
    return render_template("groups/contacts.html", groups=groups, forms=forms)


GROUP_FIELDS = ("name", "slug", "summary", "description", "accomplishments", "name_es", "summary_es",
                "description_es", "accomplishments_es", "join_policy", "active")


@bp.route("/staff/groups/new", methods=["GET", "POST"], defaults={"slug": None})
@bp.route("/staff/groups/<slug>/edit", methods=["GET", "POST"])
@staff_required
def edit(slug):
    group = services.by_slug(slug) if slug else None
    if slug and group is None:
        abort(404)
    form = GroupForm(obj=group)
    if group is not None and request.method == "GET":
        form.join_policy.data = group.join_policy.value
    if form.validate_on_submit():
        try:
            saved = services.save_group(group, actor=current_user, **{f: getattr(form, f).data for f in GROUP_FIELDS})
        except services.SlugTaken:
            form.slug.errors.append(_("Another group already has this address."))
        else:
            flash(_("%(group)s saved.", group=saved.name), "success")
            return redirect(url_for("groups.contacts"))
    status = 400 if request.method == "POST" else 200
    return render_template("groups/edit.html", form=form, group=group), status
