"""Every user-facing string is marked for translation, so Spanish can follow.

A pseudo-translation wraps every extracted string in ⟦ ⟧. Pages rendered in it
must show no words outside those marks but the data they display.
"""
import io
from datetime import datetime
from zoneinfo import ZoneInfo
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa
from babel.dates import format_date
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo

from tests.conftest import login
from webapp.db_types import utcnow
from webapp.extensions import db
from webapp.membership.tokens import member_token
from webapp.outbox.models import Delivery
from webapp.outbox.services import unsubscribe_token
from tests.mailing.sending import send_message

ROOT = Path(__file__).parent.parent
KEYWORDS = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)}
METHODS = [("webapp/**.py", "python"), ("templates/**.html", "jinja2"), ("templates/**.txt", "jinja2")]


@pytest.fixture(scope="module")
def pseudo_translations(tmp_path_factory):
    catalog = Catalog(locale="eo")
    for _, _, message, _, _ in extract_from_dir(str(ROOT), METHODS, keywords=KEYWORDS,
                                                options_map={"templates/**.*": {"extensions": ""}}):
        if isinstance(message, tuple):
            catalog.add(message, tuple(f"⟦{m}⟧" for m in message))
        else:
            catalog.add(message, f"⟦{message}⟧")
    folder = tmp_path_factory.mktemp("translations")
    (folder / "eo" / "LC_MESSAGES").mkdir(parents=True)
    with open(folder / "eo" / "LC_MESSAGES" / "messages.mo", "wb") as mo:
        write_mo(mo, catalog)
    return str(folder)


@pytest.fixture
def config_overrides(pseudo_translations):
    return {"BABEL_TRANSLATION_DIRECTORIES": pseudo_translations, "LANGUAGES": ["en", "eo"]}


class VisibleText(HTMLParser):
    """The page's words; not those of an element in another language (lang=), such as a language's own name."""

    def __init__(self):
        super().__init__()
        self.parts, self._skip, self._other_language = [], 0, None

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("style", "script", "pre")
        attrs = dict(attrs)
        if tag != "html" and attrs.get("lang"):
            self._other_language = tag
        for name in ("aria-label", "title", "alt", "placeholder"):
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag == "input" and attrs.get("type") == "submit":
            self.parts.append(attrs.get("value") or "")

    def handle_endtag(self, tag):
        self._skip -= tag in ("style", "script", "pre")
        if tag == self._other_language:
            self._other_language = None

    def handle_data(self, data):
        if not self._skip and not self._other_language:
            self.parts.append(data)


def unmarked(text, data):
    """Words left once the marked strings and the known data are taken out."""
    while True:  # innermost first: a marked string may hold another one ("the oldest ⟦waiting 3 days⟧ (since …)")
        text, found = re.subn(r"⟦[^⟦⟧]*⟧", " ", text)
        if not found:
            break
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    return re.findall(r"[A-Za-z]{2,}", text)


def test_every_page_is_marked_for_translation(client, make, app, deliver, mailbox):
    dalia = make.user(name="Dalia Contact", email="dalia@example.org", role="staff")
    group = make.group(contacts=[dalia])
    ana = make.member(group, name="Ana Active", email="ana@example.org", organization="Oasis Legal")
    ana.events[0].actor_label = "applicant"
    db.session.commit()
    make.member(group, name="Pat Pending", email="pat@example.org", status="pending")
    login(client, "dalia@example.org")
    message = send_message(client, {"groups": [group.id], "subject": "Subject line",
                                      "body": "Body text"}).location
    client.get(message)  # shows the English flash message, so that no later page does
    draft = client.post("/messages/new", data={
        "groups": [group.id], "subject": "Subject line", "body": "Body text", "send_at": "2099-01-15T09:30",
        "attachments": [(io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "agenda.pdf")], "test": "x",
    }, content_type="multipart/form-data").location
    client.get(draft)
    deliver()
    pages = ["/", "/groups", "/organizations", "/groups/defensive-support", "/groups/defensive-support/requested",
             "/dashboard", "/review", "/groups/defensive-support/review", "/groups/defensive-support/roster",
             f"/memberships/{ana.id}", "/messages/", "/messages/new", message, "/staff/accounts", "/staff/groups",
             "/staff/groups/new", "/staff/groups/defensive-support/edit", "/staff/organizations", "/account/password",
             "/account/email", "/groups/defensive-support/import", "/groups/defensive-support/members/new",
             f"/staff/organizations/{ana.organization_id}/people",
             f"/staff/organizations/{ana.organization_id}", "/staff/mail", "/staff/suppressions", "/staff/bounces",
             "/staff/people", f"/staff/people/{ana.person_id}", f"/me/{member_token(ana.person)}", f"/unsubscribe/{unsubscribe_token(_delivery_to('ana@example.org'))}",
             "/confirm/not-a-token", "/no-such-page", draft, f"{draft}/edit", f"{draft}/confirm"]
    data = {app.config["COALITION_NAME"], "Defensive Support", "Defensive Support summary", "About Defensive Support.",
            "First thing", "Second thing", "Dalia Contact", "dalia@example.org", "Ana Active", "ana@example.org",
            "Oasis Legal", "Pat Pending", "pat@example.org", "Subject line", "Body text", "staff@example.org",
            "OK queued", "Group", "Dalia Contact <dalia@example.org>", "agenda.pdf", "America/New_York", format_date(utcnow(), locale="eo"),
            # Today in the coalition's zone, which is yesterday's date in UTC for some hours of the day.
            format_date(datetime.now(ZoneInfo(app.config["TIME_ZONE"])).date(), locale="eo")}
    problems = {}
    for page in pages:
        parser = VisibleText()
        with app.app_context():  # its own context, as a real request has: the locale is not carried over
            parser.feed(client.get(page + "?lang=eo").get_data(as_text=True))
        words = unmarked(" ".join(parser.parts), data)
        if words:
            problems[page] = words
    assert problems == {}


def test_emails_are_rendered_in_the_recipients_language(client, make, deliver, mailbox, app):
    from webapp.membership.models import Person

    make.group()
    db.session.add(Person(name="Rosa", email="rosa@example.org", language="eo"))
    db.session.commit()
    with app.app_context():
        client.post("/groups/defensive-support", data={"name": "Rosa", "email": "rosa@example.org", "consent": "y"})
    deliver()
    (email,) = mailbox.messages
    assert email.subject.startswith("⟦Confirm your request")
    assert unmarked(email.text(), {"Rosa", "Defensive Support", "End SIJS Backlog Coalition"}) == [
        word for link in re.findall(r"https?://\S+", email.text()) for word in re.findall(r"[A-Za-z]{2,}", link)]


def _delivery_to(address):
    return db.session.scalar(sa.select(Delivery.id).where(Delivery.address == address))


def test_the_import_preview_is_marked_for_translation(client, make, app):
    dalia = make.user(name="Dalia Contact", email="dalia@example.org")
    group = make.group(contacts=[dalia])
    make.member(group, name="Ana Active", email="ana@example.org")
    make.member(group, name="Lee Left", email="lee@example.org", status="left")
    login(client, "dalia@example.org")
    content = ("name,email,phone\r\nRosa Nueva,rosa@example.org,1\r\nAna Active,ana@example.org,2\r\n"
               "Lee Left,lee@example.org,3\r\nNo Address,,4\r\nRosa Nueva,rosa@example.org,5\r\n").encode()
    with app.app_context():
        page = client.post("/groups/defensive-support/import?lang=eo", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(content), "members.csv")}).get_data(as_text=True)
    parser = VisibleText()
    parser.feed(page)
    assert "Rosa Nueva" in page
    data = {app.config["COALITION_NAME"], "Defensive Support", "Dalia Contact", "Rosa Nueva", "rosa@example.org",
            "Ana Active", "ana@example.org", "Lee Left", "lee@example.org", "No Address", "phone"}
    assert unmarked(" ".join(parser.parts), data) == []
