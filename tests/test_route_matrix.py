"""Every route, every kind of visitor: a route is either listed as public here, or it refuses whoever may not use it.

The matrix is built from app.url_map, so a route added later is checked without
editing this file: a guarded one passes (anonymous visitors are sent to log in,
or get 403, 404, or 400/405/410 for a link that is not theirs), and a new public
one fails until it is listed below with the reason it is public.
"""
import hashlib
import json
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from tests.bounces.conftest import sample
from tests.mailing.sending import send_message
from tests.conftest import login
from webapp.bounces import services as bounces
from webapp.bounces import staff as bounce_staff
from webapp.bounces.verp import envelope_sender
from webapp.extensions import db
from webapp.membership.tokens import confirmation_token, member_token
from webapp.outbox import services as outbox
from webapp.outbox.models import Delivery

# Open to anyone, and why. Everything else must refuse an anonymous visitor.
PUBLIC = {
    "groups.home": "the coalition's front page",
    "groups.directory": "the public list of working groups",
    "organizations.directory": "member organizations that agreed to be listed",
    "membership.group_page": "a group's page and its join form",
    "membership.check_email": "the page after asking to join, the same for everyone",
    "accounts.login_page": "signing in",
    "accounts.logout": "signing out (changes nothing for an anonymous visitor)",
    "languages.choose": "the English / Español buttons",
    "accounts.forgot_password": "asking for a password reset link: the same answer for any address",
    "accounts.sign_in_code": "the code step of signing in: without a password entered first it sends to login",
    "me.request_link": "'Email me my link': the same answer for any address, rate-limited",
    "health.healthz": "for load balancers: up or down and ages, no data",
    "static": "stylesheets and images",
}
# Open to whoever holds an emailed link, and only with a link of their own kind: checked with a made-up token.
MEMBER_LINK = {"me.member_page", "me.leave", "me.withdraw", "me.stop_all", "me.rename", "me.language",
               "me.change_address"}
BY_LINK = {"membership.confirm", "membership.unsubscribe", "accounts.choose_password", "me.confirm_address"} | MEMBER_LINK
REFUSED = {400, 403, 404, 405, 410}
A_SECRET_NAME, A_SECRET_ADDRESS = "Alma Secreta", "alma.secreta@example.org"


@pytest.fixture
def world(app, make, client):
    """Two groups, each with its contact; staff; a deactivated contact; people in every state of group A."""
    staff = make.user(name="Sam Staff", email="staff@example.org", role="staff")
    contact_a = make.user(name="Ana Contact", email="ana.contact@example.org")
    contact_b = make.user(name="Bea Contact", email="bea.contact@example.org")
    gone = make.user(name="Gone Contact", email="gone@example.org")
    group_a = make.group(slug="defensive-support", name="Defensive Support", contacts=[contact_a, gone])
    group_b = make.group(slug="youth-organizing", name="Youth Organizing", contacts=[contact_b])
    member = make.member(group_a, name=A_SECRET_NAME, email=A_SECRET_ADDRESS, organization="Alma Org")
    pending = make.member(group_a, name="Pedro Pending", email="pedro@example.org", status="pending")
    applicant = make.member(group_a, name="Una Unconfirmed", email="una@example.org", status="unconfirmed")
    applicant.confirm_nonce = "n" * 32
    make.member(group_b, name="Bo Member", email="bo@example.org")
    db.session.commit()
    login(client, "staff@example.org")
    sent = send_message(client, {"groups": [group_a.id], "subject": "To group A", "body": "Hello A"})
    client.post("/logout")
    message_id = int(urlsplit(sent.location).path.rstrip("/").rsplit("/", 1)[1])
    delivery = db.session.scalar(sa.select(Delivery).where(Delivery.address == A_SECRET_ADDRESS))
    bounce = bounces.receive(sample("postfix_dsn_hard.eml", envelope_sender(delivery.id), A_SECRET_ADDRESS))
    outbox.suppress("old@example.org", "bounces")
    bounce_staff.block("blocked.example.com", "spam", actor=staff)
    db.session.commit()
    from webapp.accounts.services import set_active
    from webapp.mailing.models import Message

    notes = outbox.store_attachment("notes.txt", "text/plain; charset=utf-8", b"Agenda")
    message = db.session.get(Message, message_id)
    message.attachments.append(notes)
    db.session.commit()
    from webapp.outbox.models import Block, Suppression
    from webapp.organizations.models import Organization

    ids = {
        "slug": group_a.slug, "membership_id": pending.id, "message_id": message_id, "user_id": gone.id,
        "organization_id": db.session.scalar(sa.select(Organization.id).where(Organization.name == "Alma Org")),
        "person_id": member.person_id, "delivery_id": delivery.id, "bounce_id": bounce.id,
        "suppression_id": db.session.scalar(sa.select(Suppression.id)), "block_id": db.session.scalar(sa.select(Block.id)),
        "filename": "style.css", "attachment_id": notes.id,
    }
    tokens = {"applicant": confirmation_token(applicant), "member": member_token(member.person),
              "unsubscribe": outbox.unsubscribe_token(delivery.id)}
    # The deactivated contact signs in first; their cookie is what they would still hold.
    gone_client = app.test_client()
    login(gone_client, "gone@example.org")
    set_active(db.session.get(type(gone), gone.id), False, actor=staff)
    db.session.commit()
    return {"ids": ids, "tokens": tokens, "gone_client": gone_client, "member": member, "group_b": group_b}


def routes(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def url_for_rule(rule, ids, token="made-up-token"):
    values = {name: (token if name == "token" else ids[name]) for name in rule.arguments}
    if rule.endpoint == "static":
        values["filename"] = _a_static_file(rule)
    return rule.build(values, append_unknown=False)[1]


def _a_static_file(rule):
    from pathlib import Path

    from flask import current_app

    folder = Path(current_app.static_folder)
    return next(str(p.relative_to(folder)) for p in sorted(folder.rglob("*")) if p.is_file())


def digest():
    """Every row of every table, hashed: what a refused request must leave as it was."""
    h = hashlib.sha256()
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            if table.name in ("audit_event",):
                continue  # a refusal may be audited; it must change nothing else
            for row in conn.execute(sa.select(table).order_by(*table.primary_key.columns)):
                h.update(json.dumps([str(v) for v in row]).encode())
    return h.hexdigest()


def call(client, method, url):
    response = client.get(url) if method == "GET" else client.post(url, data={})
    response.get_data()
    response.close()
    return response


def _sent_to_login(response):
    return response.status_code == 302 and urlsplit(response.location).path == "/login"


def test_every_route_is_public_or_refuses_an_anonymous_visitor(app, client, world):
    unknown = [endpoint for endpoint in PUBLIC if endpoint not in app.view_functions]
    assert not unknown, f"listed as public but no such route: {unknown}"
    open_routes = []
    for rule, method in routes(app):
        if rule.endpoint in PUBLIC:
            continue
        before = digest()
        response = call(client, method, url_for_rule(rule, world["ids"]))
        if not (_sent_to_login(response) or response.status_code in REFUSED):
            open_routes.append(f"{method} {rule.rule} -> {response.status_code}")
        assert digest() == before, f"{method} {rule.rule} changed something for an anonymous visitor"
    assert not open_routes, "neither public nor guarded (list it in PUBLIC, with why, or guard it): " + \
        ", ".join(open_routes)


# Pages that send staff elsewhere for these ids, and why (each still refuses an anonymous visitor above).
STAFF_REDIRECTED = {
    "accounts.sign_in_code": "the code step, with no password entered first",
    "membership.remove": "the membership id is a pending request, not an active member",
    "mailing.confirm": "the message is sent already: its page, not a second look",
    "mailing.edit": "the message is sent already: it can no longer be changed",
}


def test_the_matrix_is_not_empty_staff_reach_every_page_with_these_ids(app, client, world):
    """The ids above are real: staff get 200 on every GET page, so the refusals above are refusals, not 404s."""
    login(client, "staff@example.org")
    failing = []
    for rule, method in routes(app):
        if method != "GET" or rule.endpoint in BY_LINK:
            continue
        response = call(client, "GET", url_for_rule(rule, world["ids"]))
        expected = 302 if rule.endpoint in STAFF_REDIRECTED else 200
        if response.status_code != expected:
            failing.append(f"{rule.rule} ({rule.endpoint}) -> {response.status_code}")
    assert not failing


def test_links_work_only_for_their_own_kind(app, client, world):
    tokens, ids = world["tokens"], world["ids"]
    assert client.get(f"/confirm/{tokens['applicant']}").status_code == 200
    assert client.get(f"/me/{tokens['member']}").status_code == 200
    assert client.get(f"/unsubscribe/{tokens['unsubscribe']}").status_code == 200
    before = digest()
    for rule, method in routes(app):
        if rule.endpoint not in BY_LINK:
            continue
        own = {"membership.confirm": "applicant", "membership.unsubscribe": "unsubscribe",
               "accounts.choose_password": None, "me.confirm_address": None,
               **{endpoint: "member" for endpoint in MEMBER_LINK}}[rule.endpoint]
        for kind, token in tokens.items():
            if kind == own:
                continue
            response = call(client, method, url_for_rule(rule, ids, token))
            assert response.status_code in REFUSED, (method, rule.rule, kind, response.status_code)
    # A member's own link cannot leave someone else's membership.
    response = client.post(f"/me/{tokens['member']}/leave/{ids['membership_id']}")
    assert response.status_code == 404
    assert digest() == before


def _about_group_a(rule):
    return bool({"slug", "membership_id", "message_id"} & set(rule.arguments))


def test_a_contact_of_another_group_cannot_see_or_act_on_group_a(app, client, world):
    login(client, "bea.contact@example.org")
    leaks, acted = [], []
    for rule, method in routes(app):
        if rule.endpoint in PUBLIC or rule.endpoint in BY_LINK:
            continue
        before = digest()
        response = call(client, method, url_for_rule(rule, world["ids"]))
        body = response.get_data(as_text=True)
        if A_SECRET_ADDRESS in body or A_SECRET_NAME in body or "Pedro Pending" in body:
            leaks.append(f"{method} {rule.rule}")
        if _about_group_a(rule) and response.status_code not in (403, 404):
            acted.append(f"{method} {rule.rule} -> {response.status_code}")
        if _about_group_a(rule) or response.status_code in REFUSED:
            assert digest() == before, f"{method} {rule.rule} changed something for another group's contact"
        if rule.endpoint == "accounts.logout" or _sent_to_login(response):
            login(client, "bea.contact@example.org")
    assert not leaks, f"group A's people shown to group B's contact: {leaks}"
    assert not acted, f"group A's pages not refused to group B's contact: {acted}"


def test_the_contact_of_the_group_reaches_its_pages(app, client, world):
    login(client, "ana.contact@example.org")
    for path in ("/groups/defensive-support/roster", "/groups/defensive-support/review",
                 f"/memberships/{world['ids']['membership_id']}", f"/messages/{world['ids']['message_id']}"):
        response = client.get(path)
        assert response.status_code == 200, path
    assert A_SECRET_NAME in client.get("/groups/defensive-support/roster").get_data(as_text=True)


def test_a_deactivated_account_is_refused_everywhere(app, world):
    gone = world["gone_client"]
    let_in = []
    for rule, method in routes(app):
        if rule.endpoint in PUBLIC or rule.endpoint in BY_LINK:
            continue
        before = digest()
        response = call(gone, method, url_for_rule(rule, world["ids"]))
        if not (_sent_to_login(response) or response.status_code in REFUSED):
            let_in.append(f"{method} {rule.rule} -> {response.status_code}")
        assert digest() == before, f"{method} {rule.rule} changed something for a deactivated account"
    assert not let_in, f"a deactivated account was let in: {let_in}"
