"""Only staff see a person's data, download it or erase them: others are sent to log in, or get 403."""
import sqlalchemy as sa

from tests.conftest import login
from tests.privacy.conftest import person_id
from webapp.audit.models import AuditEvent
from webapp.extensions import db
from webapp.membership.models import Person


def state():
    db.session.expire_all()
    return (db.session.execute(sa.select(Person.name, Person.email).order_by(Person.id)).all(),
            db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)))


def test_anonymous_visitors_log_in_and_contacts_get_403_on_every_page_and_post(rosa, client):
    rosa_id = person_id()
    gets = ["/staff/people", "/staff/people?address=rosa", f"/staff/people/{rosa_id}",
            f"/staff/people/{rosa_id}.json"]
    posts = [f"/staff/people/{rosa_id}/erase"]

    def responses():
        return [client.get(path) for path in gets] + [client.post(path, data={"understood": "y"}) for path in posts]

    before = state()
    for response in responses():
        assert response.status_code == 302 and response.location.startswith("/login")
    login(client, "dalia@example.org")
    for response in responses():
        assert response.status_code == 403
    assert state() == before
    assert "/staff/people" not in client.get("/dashboard").get_data(as_text=True)


def test_staff_find_people_in_the_menu(rosa, client):
    login(client, "staff@example.org")
    assert '<a href="/staff/people">People</a>' in client.get("/dashboard").get_data(as_text=True)
