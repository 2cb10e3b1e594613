"""Spanish, end to end: a complete catalog, the header's switch, and an applicant's emails in their language."""
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from tests.conftest import links_in, login, membership_of
from webapp.extensions import db
from webapp.membership.models import Person, Status
from webapp.membership.tokens import member_token
from webapp.outbox import services as outbox
from webapp.outbox.models import Delivery, EmailKind
from webapp.outbox.services import unsubscribe_token
from tests.mailing.sending import send_message

ROOT = Path(__file__).parent.parent
PO = ROOT / "translations" / "es" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
# What `make messages` extracts: every string marked in code and templates.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\$\w+")


@pytest.fixture(scope="module")
def catalog():
    with open(PO, "rb") as po:
        return read_po(po)


@pytest.fixture(autouse=True)
def compiled_catalog():
    # The pages read the .mo, which make builds from the .po (make test, make run).
    if not MO.exists() or MO.stat().st_mtime < PO.stat().st_mtime:
        pytest.fail(f"{MO.relative_to(ROOT)} is missing or older than the .po: run `make test` "
                    "(or `pybabel compile -d translations`)", pytrace=False)


def marked_strings():
    with open(ROOT / "babel.cfg") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    return {message for _, _, message, _, _ in extract_from_dir(str(ROOT), method_map, options_map,
                                                                  keywords=KEYWORDS)}


def translated(entry, msgid, num_plurals):
    if entry is None or entry.fuzzy or entry.id != msgid:
        return False
    strings = entry.string if entry.pluralizable else (entry.string,)
    return all(strings) and len(strings) == (num_plurals if entry.pluralizable else 1)


def test_every_marked_string_has_a_spanish_translation(catalog):
    untranslated = [msgid for msgid in marked_strings()
                    if not translated(catalog.get(msgid), msgid, catalog.num_plurals)]
    assert untranslated == [], ("Translate these in translations/es/LC_MESSAGES/messages.po "
                                "(`make messages` adds them):\n" + "\n".join(map(repr, untranslated)))


def test_translations_keep_every_placeholder(catalog):
    wrong = []
    for entry in catalog:
        if not entry.id or not entry.string:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        expected = sorted(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            # A lone % breaks the template's formatting: only placeholders may have one.
            if sorted(PLACEHOLDER.findall(string)) != expected or "%" in PLACEHOLDER.sub("", string):
                wrong.append((ids[0], string))
    assert wrong == []


class SwitchForms(HTMLParser):
    """The header's language forms: {button text: (action, fields)}."""

    def __init__(self):
        super().__init__()
        self.forms, self._form, self._button = {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("action") == "/language":
            self._form = (attrs["action"], {})
        elif self._form and tag == "input":
            self._form[1][attrs["name"]] = attrs["value"]
        elif self._form and tag == "button":
            self._form[1][attrs["name"]] = attrs["value"]
            self._button = attrs

    def handle_data(self, data):
        if self._button is not None and data.strip():
            self.forms[data.strip()] = (self._form[0], self._form[1], self._button)
            self._button = None

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def switch(client, app, page, language):
    """Press a language's button in the header of `page`, as a visitor does; the redirect's response."""
    with app.app_context():
        parser = SwitchForms()
        parser.feed(client.get(page).get_data(as_text=True))
    action, fields, _ = parser.forms[language]
    with app.app_context():
        return client.post(action, data=fields)


def get(client, app, page, **kwargs):
    with app.app_context():  # its own context, as a real request has: the locale is not carried over
        return client.get(page, **kwargs)


def test_the_switch_shows_the_same_page_in_spanish_and_back(client, app, make):
    make.group()
    page = get(client, app, "/groups/defensive-support").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert '<button type="submit" name="lang" value="es" lang="es">Español</button>' in page

    response = switch(client, app, "/groups/defensive-support", "Español")
    assert response.status_code == 302 and response.location == "/groups/defensive-support"
    page = get(client, app, response.location).get_data(as_text=True)
    assert '<html lang="es">' in page
    assert "Quiero unirme" in page and "Nunca te preguntamos tu estatus migratorio" in page
    assert "Request to join" not in page
    assert 'lang="es" aria-current="true">Español</button>' in page
    # The choice holds on every page that follows.
    assert "Todavía no hay organizaciones en la lista." in get(client, app, "/organizations").get_data(as_text=True)

    assert switch(client, app, "/organizations", "English").location == "/organizations"
    assert "No organizations are listed yet." in get(client, app, "/organizations").get_data(as_text=True)


def test_the_switch_comes_back_to_the_page_without_its_lang_parameter(client, app, make):
    make.group()
    # Going back to ?lang=es would show Spanish again, whatever was chosen.
    response = switch(client, app, "/groups?lang=es&x=1", "English")
    assert response.location == "/groups?x=1"
    assert '<html lang="en">' in get(client, app, response.location).get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://example.com/", "//example.com/", "/\\example.com/",
                                    "javascript:alert(1)", "/groups\r\nLocation: https://example.com/", ""])
def test_the_switch_never_leaves_the_site(client, app, target):
    with app.app_context():
        response = client.post("/language", data={"lang": "es", "next": target})
    assert response.status_code == 302 and response.location == "/"
    assert '<html lang="es">' in get(client, app, "/").get_data(as_text=True)


def test_an_unknown_language_changes_nothing(client, app):
    with app.app_context():
        client.post("/language", data={"lang": "es", "next": "/"})
        client.post("/language", data={"lang": "xx", "next": "/"})
    assert '<html lang="es">' in get(client, app, "/").get_data(as_text=True)


def test_a_lang_link_keeps_the_visit_in_that_language(client, app):
    assert "Grupos de trabajo" in get(client, app, "/?lang=es").get_data(as_text=True)
    assert "Organizaciones integrantes" in get(client, app, "/groups").get_data(as_text=True)


def test_the_browsers_language_decides_until_the_switch_is_used(client, app):
    page = get(client, app, "/", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="es">' in page and "Organizaciones integrantes" in page
    assert '<html lang="en">' in get(client, app, "/", headers={"Accept-Language": "en-US"}).get_data(as_text=True)
    with app.app_context():
        client.post("/language", data={"lang": "en", "next": "/"})
    page = get(client, app, "/", headers={"Accept-Language": "es-MX"}).get_data(as_text=True)
    assert '<html lang="en">' in page


def decision_email(contact_client, membership, decision, reason, deliver, mailbox):
    """The contact approves or declines; the email the applicant receives."""
    contact_client.post(f"/memberships/{membership.id}/decide", data={decision: "x", "reason": reason})
    deliver()
    (email,) = mailbox.to(membership.person.email)
    return email


def test_an_applicant_who_asks_in_spanish_gets_every_email_in_spanish(client, app, make, mailbox, deliver):
    contact = make.user(name="Dalia Contact", email="dalia@example.org")
    group = make.group(contacts=[contact])
    switch(client, app, "/groups/defensive-support", "Español")
    with app.app_context():
        response = client.post("/groups/defensive-support", data={
            "name": "Rosa Solicitante", "email": "rosa@example.org", "consent": "y", "note": "Quiero ayudar."})
    assert "Revisa tu correo" in get(client, app, response.location).get_data(as_text=True)

    deliver()
    (confirmation,) = mailbox.to("rosa@example.org")
    assert confirmation.subject == "Confirma tu solicitud para unirte a Defensive Support"
    text = confirmation.text()
    assert text.startswith("Hola, Rosa Solicitante:")
    assert "Para confirmar, abre este enlace y presiona el botón Confirmar:" in text
    assert "sin el botón no pasa nada." in text
    assert 'charset="utf-8"' in confirmation.data.decode("ascii", "replace").lower()

    # The link opens the page in Spanish, even in a browser that prefers English.
    link = urlsplit(next(link for link in links_in(text) if "/confirm/" in link))
    browser = app.test_client()
    english = {"Accept-Language": "en-US"}
    page = get(browser, app, f"{link.path}?{link.query}", headers=english).get_data(as_text=True)
    assert '<html lang="es">' in page and 'value="Confirmar"' in page
    mailbox.clear()
    with app.app_context():
        page = browser.post(f"{link.path}?{link.query}", headers=english).get_data(as_text=True)
    assert "Gracias, tu solicitud está confirmada" in page
    assert membership_of(group, "rosa@example.org").status == Status.PENDING

    deliver()
    (received,) = mailbox.to("rosa@example.org")
    assert received.subject == "Recibimos tu solicitud para unirte a Defensive Support"
    assert "Gracias por confirmar." in received.text()
    (for_contact,) = mailbox.to("dalia@example.org")  # contacts have no language of their own yet
    assert for_contact.subject == "New request to join Defensive Support: Rosa Solicitante"

    mailbox.clear()
    staff = app.test_client()
    login(staff, "dalia@example.org")
    approved = decision_email(staff, membership_of(group, "rosa@example.org"), "approve", "¡Bienvenida!", deliver,
                              mailbox)
    assert approved.subject == "Te damos la bienvenida a Defensive Support"
    assert "Ya eres integrante de Defensive Support." in approved.text()
    assert "Un mensaje del grupo: ¡Bienvenida!" in approved.text()
    member_link = urlsplit(next(link for link in links_in(approved.text()) if "/me/" in link))
    assert "Tus grupos" in get(browser, app, f"{member_link.path}?{member_link.query}").get_data(as_text=True)


def test_a_declined_applicant_is_told_in_spanish(client, app, make, mailbox, deliver):
    contact = make.user(email="dalia@example.org")
    group = make.group(contacts=[contact])
    membership = make.member(group, name="Rosa", email="rosa@example.org", status="pending")
    membership.person.language = "es"
    db.session.commit()
    login(client, "dalia@example.org")
    declined = decision_email(client, membership, "decline", "El grupo está lleno.", deliver, mailbox)
    assert declined.subject == "Tu solicitud para unirte a Defensive Support"
    assert "Tu solicitud para unirte a Defensive Support no fue aprobada." in declined.text()
    assert "El motivo: El grupo está lleno." in declined.text()


def test_asking_in_english_keeps_english_emails(client, app, make, mailbox, deliver):
    make.group()
    with app.app_context():
        client.post("/groups/defensive-support", data={"name": "Ana", "email": "ana@example.org", "consent": "y"})
    deliver()
    (confirmation,) = mailbox.to("ana@example.org")
    assert confirmation.subject == "Confirm your request to join Defensive Support"
    assert "lang=" not in confirmation.text()
    assert db.session.scalar(sa.select(Person.language)) == "en"


def test_dates_are_written_the_way_each_language_writes_them(client, app, make):
    group = make.group(contacts=[make.user(email="dalia@example.org")])
    make.member(group, name="Ana Active", email="ana@example.org").joined_at = datetime(2026, 1, 15, 18, tzinfo=UTC)
    db.session.commit()
    login(client, "dalia@example.org")
    assert "<td>Jan 15, 2026</td>" in get(client, app, "/groups/defensive-support/roster").get_data(as_text=True)
    assert "<td>15 ene 2026</td>" in get(client, app, "/groups/defensive-support/roster?lang=es").get_data(
        as_text=True)


def test_every_page_runs_in_spanish(client, app, make):
    staff = make.user(name="Dalia Contact", email="dalia@example.org", role="staff")
    group = make.group(contacts=[staff])
    make.group(slug="youth-organizing", name="Youth Organizing", policy="closed")
    ana = make.member(group, name="Ana Active", email="ana@example.org", organization="Oasis Legal")
    make.member(group, name="Pat Pending", email="pat@example.org", status="pending")
    make.member(group, name="Bea Active", email="bea@example.org")
    email = outbox.enqueue(kind=EmailKind.ROSTER, subject="Hill visit", text="Hello",
                           recipients=[("ana@example.org", "Ana Active", {})], audience=[f"group:{group.id}"])
    db.session.commit()
    to_ana = db.session.scalar(sa.select(Delivery.id).where(Delivery.email_id == email.id))
    public = {"/": 200, "/groups": 200, "/organizations": 200, "/groups/defensive-support": 200,
              "/groups/youth-organizing": 200, "/groups/defensive-support/requested": 200, "/login": 200,
              "/confirm/not-a-token": 404, f"/me/{member_token(ana.person)}": 200,
              f"/unsubscribe/{unsubscribe_token(to_ana)}": 200, "/no-such-page": 404}
    signed_in = {"/dashboard": 200, "/review": 200, "/groups/defensive-support/review": 200,
                 "/groups/defensive-support/roster": 200, f"/memberships/{ana.id}": 200, "/messages/": 200,
                 "/messages/new": 200, "/staff/accounts": 200, "/staff/groups": 200, "/staff/groups/new": 200,
                 "/staff/groups/defensive-support/edit": 200, "/staff/audit": 200, "/staff/organizations": 200,
                 f"/staff/organizations/{ana.organization_id}": 200}

    def check(pages):
        for page, status in pages.items():
            response = get(client, app, page)
            html = response.get_data(as_text=True)
            assert (response.status_code, '<html lang="es">' in html) == (status, True), page
            assert "Nunca te preguntamos tu estatus migratorio" in html, page

    switch(client, app, "/", "Español")
    check(public)
    login(client, "dalia@example.org")
    check(signed_in)

    with app.app_context():
        errors = client.post("/groups/defensive-support", data={}).get_data(as_text=True)
    assert "Por favor, corrige los campos marcados abajo." in errors and "Por favor, escribe tu nombre." in errors
    with app.app_context():
        message = send_message(client, {"groups": [group.id], "subject": "Asunto", "body": "Hola"}).location
    page = get(client, app, message).get_data(as_text=True)
    assert "Tu mensaje está en cola para 2 integrantes." in page and "Personas destinatarias" in page
