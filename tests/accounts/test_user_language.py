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
