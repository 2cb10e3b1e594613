"""Staff pages for a person's data: find them, read or download everything held about them, erase them."""
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.accounts.sessions import recent_sign_in_required
from webapp.bounces.forms import KIND_LABELS as BOUNCE_KINDS
from webapp.outbox.forms import KIND_LABELS as MAIL_KINDS
from webapp.permissions import staff_required
from webapp.privacy import services
from webapp.privacy.forms import EraseForm, PeopleFilter
from webapp.signed_in_pages import kept_for_the_reader

bp = Blueprint("privacy", __name__, url_prefix="/staff/people")


@bp.route("")
@staff_required
@kept_for_the_reader
def people():
    form = PeopleFilter(request.args)
    if not form.validate():
        abort(400)
    page = services.find_people(form.address.data, form.number())
    kept = {"address": form.address.data} if form.address.data else {}
    return render_template("privacy/people.html", form=form, page=page, kept=kept)


def _person_or_404(person_id):
    return services.get_person(person_id) or abort(404)


def _person_page(person, form, status=200):
    return render_template("privacy/person.html", person=person, held=services.export(person), form=form,
                           erased=services.is_erased(person), mail_kinds=MAIL_KINDS, bounce_kinds=BOUNCE_KINDS), status


@bp.route("/<int:person_id>")
@staff_required
@recent_sign_in_required
def person(person_id):
    return _person_page(_person_or_404(person_id), EraseForm())


@bp.route("/<int:person_id>.json")
@staff_required
@recent_sign_in_required
def download(person_id):
    body = services.download(_person_or_404(person_id), current_user)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="person-{person_id}.json"'})


@bp.route("/<int:person_id>/erase", methods=["POST"])
@staff_required
@recent_sign_in_required
def erase(person_id):
    person = _person_or_404(person_id)
    form = EraseForm()
    if not form.validate_on_submit():
        return _person_page(person, form, status=400)
    try:
        services.erase(person, current_user)
    except services.AlreadyErased:
        flash(_("This person was erased already; nothing was changed."), "warning")
    else:
        flash(_("The person was erased: their name and address are nowhere any more, and their memberships "
                "and emails are counted as before."), "success")
    return redirect(url_for("privacy.person", person_id=person_id))
