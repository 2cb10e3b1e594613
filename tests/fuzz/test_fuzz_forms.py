"""Hostile input posted to every form, logged in and anonymous: never a server error, nothing stored from a refusal.

Hypothesis draws each form's fields from hostile text (NUL and other control
characters, huge strings, right-to-left and zero-width marks, combining marks,
script tags, SQL-ish text, CR/LF header injection, numbers too big for any
column), wrong types (several values for one field) and missing fields. After
each example: the status is below 500; a refusal (400, 403, 404, 405, 413) left
every table as it was; and no control character was stored anywhere, but tab
and line breaks in a text area's column (Text). CSRF is off here to reach the forms' own logic (TestConfig);
test_security.py and the last test below post without the token with it on.
"""
import hashlib
import io
import json
import re

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import login
from tests.mailing.sending import message_id, send_message
from webapp.extensions import db

NASTY = [
    "", " ", "\x00", "a\x00b", "\x01\x02\x1b[31m", "\x7f", "\t", "line\r\nBcc: victim@example.com",
    "x@example.org\r\nSubject: injected", "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>',
    "' OR '1'='1' --", "'; DROP TABLE person; --", "%", "_", "\\", "{{ 7*7 }}", "${7*7}",
    "\u202eevil\u202c", "\u200b\u200c\u200d\ufeff", "e\u0301\u0301\u0301\u0301", "\U0001F3F3\uFE0F\u200D\U0001F308",
    "\uFFFD", "\uFFFF", "ﷺ" * 50, "x" * 70000, "é" * 3000, "99999999999999999999", "-1", "0", "1e309", "NaN",
    "2147483648", "-9223372036854775809", "[]", "{}", "null", "true", "a@b", "@example.org", "a@" + "b" * 300 + ".org",
    "rosa@example.org", "Ros\u0430@example.org", "https://example.org/\x00", "javascript:alert(1)",
]
# Control characters come from NASTY (and are refused at the door); the rest is any printable text, to reach
# each form's own logic.
printable = st.characters(blacklist_categories=("Cs", "Cc"))
text = st.one_of(
    st.sampled_from(NASTY),
    st.text(alphabet=printable, max_size=300),
    st.builds(lambda a, b: a + b, st.sampled_from(NASTY), st.text(max_size=20, alphabet=printable)),
)
value = st.one_of(text, st.lists(text, min_size=2, max_size=3))  # a list: the field sent more than once


def fields(names, baseline):
    """A form that would be accepted, with one to three fields made hostile (or unexpected) and up to two missing."""
    overrides = st.dictionaries(st.sampled_from(list(names) + ["unexpected", "csrf_token"]), value, min_size=1,
                                max_size=3)
    missing = st.sets(st.sampled_from(sorted(baseline) or ["-"]), max_size=2)
    return st.builds(lambda over, drop: {**{k: v for k, v in baseline.items() if k not in drop}, **over},
                     overrides, missing)


CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # in a text area's column (Text)
ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # in a single-line column (String): no tab or line break either


def _garbage(column):
    return CONTROL if isinstance(column.type, sa.Text) else ANY_CONTROL
REFUSED = {400, 403, 404, 405, 413}


def digest_and_garbage():
    """A hash of every row of every table but the audit log, and the stored values holding control characters."""
    h, garbage = hashlib.sha256(), []
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            patterns = [_garbage(column) for column in table.columns]
            for row in conn.execute(sa.select(table).order_by(*table.primary_key.columns)):
                for value_, pattern, column in zip(row, patterns, table.columns):
                    if isinstance(value_, str) and pattern.search(value_):
                        garbage.append((f"{table.name}.{column.name}", value_[:80]))
                if table.name != "audit_event":
                    h.update(json.dumps([str(v) for v in row]).encode())
    return h.hexdigest(), garbage


@pytest.fixture
def world(app, make, client):
    LAST.clear()  # each test starts from its own data
    staff = make.user(name="Sam Staff", email="staff@example.org", role="staff")
    contact = make.user(name="Dalia Contact", email="dalia@example.org")
    other = make.user(name="Other Contact", email="other@example.org")
    group = make.group(contacts=[contact])
    make.group(slug="youth-organizing", name="Youth Organizing", contacts=[other])
    pending = make.member(group, name="Pedro Pending", email="pedro@example.org", status="pending")
    member = make.member(group, name="Ana Active", email="ana@example.org", organization="Oasis")
    from webapp.organizations.models import Organization
    from webapp.membership.tokens import member_token

    from webapp.outbox.models import Block, Delivery, Suppression

    organization_id = db.session.scalar(sa.select(Organization.id))
    # A message waiting for its confirmation, one sent (its deliveries queued), a block and a suppression.
    login(client, "staff@example.org")
    waiting = client.post("/messages/new", data={"subject": "Waiting", "body": "Hi", "groups": group.id, "send": "x"})
    sent = send_message(client, {"groups": [group.id], "subject": "Sent", "body": "Hi"})
    client.post("/logout")
    block, suppression = Block(pattern="spam.example.com"), Suppression(address="gone@example.org", reason="bounced")
    db.session.add_all([block, suppression])
    db.session.commit()
    return {"staff": staff, "group": group, "pending": pending, "member": member, "organization": organization_id,
            "member_token": member_token(member.person), "other": other, "contact": contact.id,
            "waiting": message_id(waiting), "sent": message_id(sent), "block": block.id,
            "suppression": suppression.id, "delivery": db.session.scalar(sa.select(sa.func.min(Delivery.id)))}


def post(client, url, data, files=None):
    if files:
        data = {**data, **files}
    response = client.post(url, data=data, content_type="multipart/form-data" if files else None)
    response.get_data()
    response.close()
    return response


LAST = {}  # the digest after the last example: nothing else writes between two examples


def check(client, url, data, files=None):
    before = LAST.get(url) or digest_and_garbage()[0]
    response = post(client, url, data, files)
    after, garbage = digest_and_garbage()
    LAST[url] = after
    assert response.status_code < 500, (url, data)
    if response.status_code in REFUSED:
        assert after == before, f"{url} refused ({response.status_code}) but stored something"
    assert not garbage, f"{url} stored control characters: {garbage}"
    SEEN.setdefault(url, []).append(response.status_code)
    return response


SEEN = {}  # url -> statuses, for the summary below


FUZZ = settings(max_examples=100, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large, HealthCheck.large_base_example])

# (url, the form's field names) for anyone; {…} are filled from the world above.
GROUP = {"name": "New Group", "slug": "new-group", "summary": "A summary", "description": "About it",
         "accomplishments": "One\nTwo", "join_policy": "moderated", "active": "y"}
ANONYMOUS_FORMS = [
    ("/groups/defensive-support", {"name": "Rosa Applicant", "email": "rosa@example.org", "organization": "Oasis",
                                   "role_title": "Organizer", "note": "Hello", "consent": "y"}),
    ("/login", {"email": "staff@example.org", "password": "not the password", "next": "/dashboard"}),
    ("/language", {"lang": "es", "next": "/groups"}),
    ("/confirm/not-a-token", {"submit": "Confirm"}),
    ("/unsubscribe/not-a-token", {"scope": "all", "List-Unsubscribe": "One-Click"}),
    ("/me/{member_token}/leave/{pending}", {"submit": "Leave"}),
    ("/login/forgot", {"email": "staff@example.org"}),
    ("/login/code", {"code": "123456"}),
    ("/account/choose-password/not-a-token", {"new": "a long enough password 42",
                                              "repeat": "a long enough password 42"}),
    ("/my-link", {"email": "ana@example.org"}),
    ("/me/{member_token}/name", {"name": "Ana New"}),
    ("/me/{member_token}/language", {"language": "es"}),
    ("/me/{member_token}/address", {"email": "ana.new@example.org"}),
    ("/me/{member_token}/withdraw/{pending}", {"submit": "Withdraw"}),
    ("/me/{member_token}/stop", {"submit": "Stop"}),
    ("/address-change/not-a-token", {"submit": "Confirm"}),
    ("/logout", {"submit": "Log out"}),
]
STAFF_FORMS = [
    ("/account/password", {"current": "wrong password", "new": "a new long password 42", "repeat": "a new long password 42"}),
    ("/account/email", {"request_emails": "y"}),
    ("/staff/accounts", {"name": "New Person", "email": "new.person@example.org",
                         "password": "a long enough password 42", "role": "contact"}),
    ("/staff/groups", {"group": "{group}", "contacts": "{contact}", "listed": ""}),
    ("/staff/groups/new", GROUP),
    ("/staff/groups/defensive-support/edit", {**GROUP, "slug": "defensive-support"}),
    ("/staff/organizations/{organization}", {"name": "Oasis", "website": "https://oasis.example.org",
                                             "location": "Austin", "kind": "legal", "coalition_status": "member",
                                             "listed": "y"}),
    ("/staff/blocks", {"pattern": "spam.example.com", "note": "spam"}),
    ("/messages/new", {"subject": "Hello", "body": "**Hi** all", "groups": "{group}", "preview": "Preview"}),
    ("/memberships/{pending}/decide", {"reason": "Welcome", "decline": "Decline"}),
    ("/review/decide", {"ids": "{pending}", "reason": "", "decline": "Decline"}),
    ("/memberships/{member}/remove", {"reason": "Asked to", "submit": "Remove"}),
    ("/groups/defensive-support/roster/selected", {"selected": "{member}", "export": "Download", "tab": "active"}),
    ("/groups/defensive-support/members/new", {"name": "Nina New", "email": "nina@example.org",
                                               "organization": "Oasis", "role_title": "", "welcome": ""}),
    ("/groups/defensive-support/import/confirm", {"payload": "not-a-preview", "submit": "Import"}),
    ("/staff/people/{person}/erase", {"understood": ""}),
    ("/account/confirm", {"password": "correct horse battery", "code": ""}),
    ("/account/two-factor", {"code": "123456"}),
    ("/staff/accounts/{contact}/role", {"role": "staff"}),
    ("/staff/accounts/{contact}/active", {"active": "0"}),
    ("/staff/accounts/{contact}/invite", {"submit": "Invite"}),
    ("/messages/{waiting}/edit", {"subject": "Hello", "body": "Hi", "groups": "{group}", "send": "Send"}),
    ("/messages/{waiting}/test", {"submit": "Test"}),
    ("/messages/{waiting}/confirm", {"submit": "Send"}),
    ("/messages/{sent}/cancel", {"submit": "Cancel"}),
    ("/messages/{sent}/cancel-message", {"submit": "Cancel"}),
    ("/messages/{sent}/retry", {"submit": "Retry"}),
    ("/staff/blocks/{block}/remove", {"submit": "Remove"}),
    ("/staff/suppressions/{suppression}/lift", {"submit": "Lift"}),
    ("/staff/mail/{delivery}/resend", {"submit": "Resend"}),
    ("/account/sign-out-everywhere", {"submit": "Sign out"}),
    ("/logout", {"submit": "Log out"}),
]
SIGNS_OUT = {"/logout", "/account/sign-out-everywhere"}


def _url(template, world):
    return template.format(member_token=world["member_token"], pending=world["pending"].id,
                           member=world["member"].id, organization=world["organization"],
                           person=world["member"].person_id, group=world["group"].id, contact=world["contact"],
                           waiting=world["waiting"], sent=world["sent"], block=world["block"],
                           suppression=world["suppression"], delivery=world["delivery"])


def _baseline(baseline, world):
    return {k: _url(v, world) for k, v in baseline.items()}


@pytest.mark.parametrize("template, baseline", ANONYMOUS_FORMS, ids=[f[0] for f in ANONYMOUS_FORMS])
def test_anonymous_forms_take_hostile_input(client, world, template, baseline):
    url = _url(template, world)

    @FUZZ
    @given(data=fields(baseline, _baseline(baseline, world)))
    def run(data):
        check(client, url, data)

    run()


@pytest.mark.parametrize("template, baseline", STAFF_FORMS, ids=[f[0] for f in STAFF_FORMS])
def test_staff_forms_take_hostile_input(client, world, template, baseline):
    login(client, "staff@example.org")
    url = _url(template, world)

    @FUZZ
    @given(data=fields(baseline, _baseline(baseline, world)))
    def run(data):
        response = check(client, url, data)
        if response.status_code == 302 and (response.location.startswith("/login") or url in SIGNS_OUT):
            login(client, "staff@example.org")  # a password change or signing out ended the session: sign in again
            LAST.pop(url, None)  # signing in writes: the next example starts from what is stored now

    run()


GROUP_A_FORMS = [f for f in STAFF_FORMS if "defensive-support" in f[0] or "{pending}" in f[0] or "{member}" in f[0]]


@pytest.mark.parametrize("template, baseline", GROUP_A_FORMS, ids=[f[0] for f in GROUP_A_FORMS])
def test_a_contact_of_another_group_posting_hostile_input_is_refused(client, world, template, baseline):
    login(client, "other@example.org")
    url = _url(template, world)

    @settings(FUZZ, max_examples=20)
    @given(data=fields(baseline, _baseline(baseline, world)))
    def run(data):
        assert check(client, url, data).status_code in REFUSED

    run()


CSV_ROWS = st.lists(st.lists(text.filter(lambda t: len(t) < 2000), min_size=1, max_size=5), min_size=0, max_size=6)


def test_the_import_takes_hostile_files(client, world):
    login(client, "staff@example.org")

    @FUZZ
    @given(rows=CSV_ROWS, header=st.sampled_from([["name", "email"], ["nombre", "correo", "rol"], ["email"], []]),
           encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]), raw=st.binary(max_size=200))
    def run(rows, header, encoding, raw):
        lines = [",".join(header)] + [",".join(r) for r in rows]
        try:
            body = "\r\n".join(lines).encode(encoding)
        except UnicodeEncodeError:
            body = raw
        check(client, "/groups/defensive-support/import",
              {"welcome": "y"}, files={"file": (io.BytesIO(body), "members.csv")})

    run()


def test_the_join_form_without_its_token_is_refused_and_stores_nothing(app, client, world):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        before, _ = digest_and_garbage()
        response = client.post("/groups/defensive-support", data={
            "name": "Rosa", "email": "rosa@example.org", "consent": "y"})
        assert response.status_code == 400
        assert digest_and_garbage()[0] == before
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_the_check_flags_a_line_break_in_a_single_line_column_but_not_in_a_text_area(world):
    """The check above is no weaker than the forms: a name holds one line, a note may hold several."""
    member = world["member"]
    member.note = "Line one\r\n\tLine two"
    db.session.commit()
    assert digest_and_garbage()[1] == []
    member.person.name = "Ana\nBcc: evil@example.com"
    db.session.commit()
    assert digest_and_garbage()[1] == [("person.name", "Ana\nBcc: evil@example.com")]


def test_zz_examples_reached_the_forms_logic():
    """Not every example was stopped at the door: most forms accepted some and refused some (printed with -s)."""
    from collections import Counter

    for url, statuses in sorted(SEEN.items()):
        print(url, dict(Counter(statuses)))
