"""A contact's or staff member's own language: their pages once logged in, and every notice they get."""
from tests.conftest import login
from webapp.accounts.models import User
from webapp.extensions import db


def page(client, app, url, **kwargs):
    with app.app_context():  # its own context, as a real request has: the locale is not carried over
        return client.get(url, headers={"Accept-Language": "en"}, **kwargs).get_data(as_text=True)


def test_a_contact_chooses_spanish_and_reads_their_pages_and_notices_in_it(client, make, app, mailbox, deliver):
    dalia = make.user(email="dalia@example.org")
    make.group(contacts=[dalia])
    login(client, "dalia@example.org")
    form = page(client, app, "/account/email")
    assert '<label for="language">Language of my pages and emails</label>' in form
    with app.app_context():
        assert client.post("/account/email", data={"request_emails": "y", "language": "es"}).status_code == 302
    assert '<html lang="es">' in page(client, app, "/account/email")
    db.session.expire_all()
    assert db.session.get(User, dalia.id).language == "es"
    # Their browser asks for English; their own choice wins while they are logged in.
    assert '<html lang="es">' in page(client, app, "/review")
    assert '<html lang="en">' in page(client, app, "/review?lang=en")  # a link's ?lang= still rules that page
    with app.app_context():
        client.post("/logout")
    assert '<html lang="en">' in page(client, app, "/groups")
    # A notice to them comes in Spanish.
    with app.app_context():
        client.post("/groups/defensive-support", data={"name": "Rosa", "email": "rosa@example.org", "consent": "y"},
                    headers={"Accept-Language": "en"})
    deliver()
    (confirmation,) = mailbox.to("rosa@example.org")
    mailbox.clear()
    link = [u for u in confirmation.text().split() if "/confirm/" in u][0]
    with app.app_context():
        client.post(link.replace("http://localhost", ""))
    deliver()
    (notice,) = mailbox.to("dalia@example.org")
    assert notice.subject == "Nueva solicitud para unirse a Defensive Support: Rosa"
    (received,) = mailbox.to("rosa@example.org")
    assert received.subject == "We received your request to join Defensive Support"  # hers stays in English


def test_the_header_switch_changes_a_logged_in_users_language(client, make, app):
    staff = make.user(email="staff@example.org", role="staff")
    login(client, "staff@example.org")
    with app.app_context():
        client.post("/language", data={"lang": "es", "next": "/dashboard"})
    db.session.expire_all()
    assert db.session.get(User, staff.id).language == "es"
    assert '<html lang="es">' in page(client, app, "/dashboard")


def test_a_language_not_offered_is_refused(client, make, app):
    dalia = make.user(email="dalia@example.org")
    login(client, "dalia@example.org")
    response = client.post("/account/email", data={"language": "fr"})
    assert response.status_code == 400 and "Not a valid choice" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, dalia.id).language == ""  # none chosen yet: their pages follow the visit's choice


def _spanish(make, **kwargs):
    user = make.user(**kwargs)
    user.language = "es"
    db.session.commit()
    return user


def test_a_password_reset_comes_in_the_accounts_language_whatever_the_browser(client, make, mailbox, deliver):
    _spanish(make, email="dalia@example.org")
    client.post("/login/forgot", data={"email": "dalia@example.org"}, headers={"Accept-Language": "en"})
    deliver()
    (mail,) = mailbox.to("dalia@example.org")
    assert mail.subject == "Elige una contraseña nueva"
    assert "60 minutos" in mail.text() and "?lang=es" in mail.text()
    # Someone with no language chosen gets the language of the visit that asked.
    make.user(email="rachel@example.org")
    mailbox.clear()
    client.post("/login/forgot", data={"email": "rachel@example.org"}, headers={"Accept-Language": "en"})
    deliver()
    (mail,) = mailbox.to("rachel@example.org")
    assert mail.subject == "Choose a new password" and "?lang=" not in mail.text()


def test_an_invitation_sent_again_comes_in_the_accounts_language(client, make, mailbox, deliver):
    from webapp.accounts.services import create_user

    make.user(email="staff@example.org", name="Sam Staff", role="staff")
    rachel = create_user(email="rachel@example.org", name="Rachel New")
    rachel.language = "es"
    db.session.commit()
    login(client, "staff@example.org")
    client.post(f"/staff/accounts/{rachel.id}/invite", headers={"Accept-Language": "en"})
    deliver()
    (mail,) = mailbox.to("rachel@example.org")
    assert mail.subject == "Te invitamos a los grupos de trabajo de End SIJS Backlog Coalition"
    assert "Sam Staff te invitó" in mail.text()


def test_a_reset_for_an_unknown_address_writes_the_same_email_under_the_same_locale_switch(client, make, app):
    """The answer for an unknown address must cost what a known one costs: the same template, the same steps."""
    from flask import template_rendered
    from flask_babel import get_locale

    _spanish(make, email="dalia@example.org")
    rendered = []

    def seen(sender, template, context, **extra):
        if template.name == "email/accounts/reset.txt":
            rendered.append(str(get_locale()))

    template_rendered.connect(seen, app)
    try:
        for address in ("dalia@example.org", "nobody@example.org"):
            with app.app_context():
                assert client.post("/login/forgot", data={"email": address},
                                   headers={"Accept-Language": "en"}).status_code == 302
    finally:
        template_rendered.disconnect(seen, app)
    assert rendered == ["es", "en"]
