"""A person's own page, reached by the signed link in every email they get, and the page that emails it.

No account: the link is the key. Every change is a POST with the form's token.
"""
import functools

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import ngettext

from webapp.bounces import scoring as bounce_scoring
from webapp.extensions import limiter
from webapp.membership import queries, self_service, services
from webapp.membership.forms import LeaveForm
from webapp.membership.models import Status
from webapp.membership.self_service_forms import AddressForm, LanguageForm, LinkRequestForm, NameForm, StopAllForm
from webapp.membership.tokens import LinkExpired, LinkInvalid, member_token
from webapp.outbox.services import normalize_address

bp = Blueprint("me", __name__)


def _link_ended():
    return render_template("membership/link_ended.html"), 404


def _person(token):
    try:
        return self_service.person_for_link(token)
    except LinkInvalid:
        return None


def by_link(view):
    """The view gets the person whose link `token` is; an ended or forged link gets the "link ended" page."""
    @functools.wraps(view)
    def with_person(token, **kwargs):
        person = _person(token)
        return view(person, token, **kwargs) if person is not None else _link_ended()
    return with_person


def _page(person, token, status=200, **forms):
    memberships = queries.memberships_of(person.id)
    forms = {"name_form": NameForm(data={"name": person.name}), "language_form": LanguageForm(
        data={"language": person.language}), "address_form": AddressForm(formdata=None), **forms}
    return render_template(
        "membership/member_page.html", person=person, memberships=memberships, token=token, form=LeaveForm(),
        stop_form=StopAllForm(), Status=Status, active=[m for m in memberships if m.status == Status.ACTIVE],
        bouncing=bool(bounce_scoring.bouncing([person.email])), **forms), status


@bp.route("/me/<token>")
@by_link
def member_page(person, token):
    return _page(person, token)


def _own_membership(person, membership_id):
    """One of this person's memberships, or 404."""
    membership = queries.get_membership(membership_id)
    if membership is None or membership.person_id != person.id:
        abort(404)
    return membership


@bp.route("/me/<token>/leave/<int:membership_id>", methods=["POST"])
@by_link
def leave(person, token, membership_id):
    membership = _own_membership(person, membership_id)
    if LeaveForm().validate_on_submit():
        try:
            services.leave(membership)
            flash(_("You left %(group)s. You will get no more of its emails.", group=membership.group.shown_name),
                  "success")
        except services.IllegalTransition:
            flash(_("You are not an active member of this group."), "warning")
    return redirect(url_for("me.member_page", token=token))


@bp.route("/me/<token>/withdraw/<int:membership_id>", methods=["POST"])
@by_link
def withdraw(person, token, membership_id):
    membership = _own_membership(person, membership_id)
    if LeaveForm().validate_on_submit():
        try:
            services.withdraw(membership)
            flash(_("You took back your request to join %(group)s. You may ask again later from the group's page.",
                    group=membership.group.shown_name), "success")
        except services.IllegalTransition:
            flash(_("This request was decided already, or taken back: nothing was changed."), "warning")
    return redirect(url_for("me.member_page", token=token))


@bp.route("/me/<token>/stop", methods=["POST"])
@by_link
def stop_all(person, token):
    if StopAllForm().validate_on_submit():
        left = self_service.stop_all_group_email(person)
        flash(ngettext("You left %(num)d group. You will get no more group emails.",
                       "You left %(num)d groups. You will get no more group emails.", len(left))
              if left else _("You are in no group: you get no group emails."), "success")
    return redirect(url_for("me.member_page", token=token))


@bp.route("/me/<token>/name", methods=["POST"])
@by_link
def rename(person, token):
    form = NameForm()
    if not form.validate_on_submit():
        return _page(person, token, 400, name_form=form)
    self_service.rename(person, form.name.data)
    flash(_("Your name is saved."), "success")
    return redirect(url_for("me.member_page", token=token))


@bp.route("/me/<token>/language", methods=["POST"])
@by_link
def language(person, token):
    form = LanguageForm()
    if not form.validate_on_submit():
        return _page(person, token, 400, language_form=form)
    self_service.set_language(person, form.language.data)
    with force_locale(form.language.data):
        flash(_("Your language is saved: your emails come in it from now on."), "success")
    # The page too, from now on in this visit: the ?lang= of the links in their emails does the same.
    return redirect(url_for("me.member_page", token=token, lang=form.language.data))


@bp.route("/me/<token>/address", methods=["POST"])
@limiter.limit(lambda: current_app.config["JOIN_RATE_LIMIT"], methods=["POST"])  # each sends an email
@by_link
def change_address(person, token):
    form = AddressForm()
    if form.validate_on_submit():
        try:
            self_service.request_address_change(person, form.email.data)
        except self_service.SameAddress:
            form.email.errors.append(_("This is already your address."))
        except self_service.AddressTaken:
            form.email.errors.append(_("This address already belongs to someone in the groups, so it cannot "
                                       "become yours here. If it is yours too, use that address's own link."))
        except self_service.AddressNotAllowed:
            form.email.errors.append(_("This address cannot be used. Please give another address."))
        else:
            flash(_("We sent a link to %(address)s. Your address changes when you open it and press Confirm; "
                    "until then nothing changes.", address=normalize_address(form.email.data)), "success")
            return redirect(url_for("me.member_page", token=token))
    return _page(person, token, 400, address_form=form)


def _address_problem(kind):
    return render_template("membership/address_problem.html", kind=kind), 410 if kind != "invalid" else 404


@bp.route("/address-change/<token>", methods=["GET", "POST"])
def confirm_address(token):
    # The GET only shows a button: mail scanners open links, and must change nothing.
    try:
        person, new_address = self_service.address_change_for(token)
        form = LeaveForm()
        if request.method == "POST" and form.validate_on_submit():
            person = self_service.confirm_address_change(token)
            flash(_("Your address is now %(address)s.", address=person.email), "success")
            return redirect(url_for("me.member_page", token=member_token(person)))
    except LinkExpired:
        return _address_problem("expired")
    except LinkInvalid:
        return _address_problem("invalid")
    except self_service.AddressChangeUsed:
        return _address_problem("used")
    except self_service.AddressTaken:
        return _address_problem("taken")
    return render_template("membership/confirm_address.html", person=person, new_address=new_address, form=form)


def _asked_address():
    # Per address asked about, whoever asks: someone typing another's address cannot flood their mailbox.
    return "link:" + normalize_address(request.form.get("email", ""))[:254]


@bp.route("/my-link", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LINK_IP_RATE_LIMIT"], methods=["POST"])
@limiter.limit(lambda: current_app.config["LINK_RATE_LIMIT"], methods=["POST"], key_func=_asked_address)
def request_link():
    form = LinkRequestForm()
    if form.validate_on_submit():
        self_service.email_my_link(form.email.data)
        # The same answer whether or not the address is known: nobody learns who is in the groups.
        return render_template("membership/link_sent.html", address=normalize_address(form.email.data))
    return render_template("membership/request_link.html", form=form), 400 if request.method == "POST" else 200
