"""Input no person types: control characters, enormous ids and page numbers. A clear answer, never a 500."""
import pytest
import sqlalchemy as sa

from tests.conftest import login
from webapp.extensions import db
from webapp.membership.models import Person

CONTROL = ["\x00", "\x01", "\x08", "\x1b", "\x7f"]


@pytest.mark.parametrize("char", CONTROL)
@pytest.mark.parametrize("field", ["name", "email", "organization", "note"])
def test_a_control_character_in_a_form_is_refused_with_a_message_and_nothing_is_stored(client, make, mailbox,
                                                                                      deliver, char, field):
    make.group()
    data = {"name": "Rosa Applicant", "email": "rosa@example.org", "consent": "y", "note": "Hi"}
    data[field] = data.get(field, "Oasis") + char + "x"
    response = client.post("/groups/defensive-support", data=data)
    assert response.status_code == 400
    assert "control character" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == 0
    deliver()
    assert mailbox.messages == []


def test_tabs_and_line_breaks_in_a_text_area_are_fine(client, make):
    make.group()
    response = client.post("/groups/defensive-support", data={
        "name": "Rosa Applicant", "email": "rosa@example.org", "consent": "y", "note": "Line one\r\n\tLine two"})
    assert response.status_code == 302


LINE_BREAKS = ["\n", "\r\n", "\r", "\t"]
ONE_LINE = "Type this on one line, without tabs or line breaks."


@pytest.mark.parametrize("char", LINE_BREAKS)
@pytest.mark.parametrize("field", ["name", "email", "organization", "role_title"])
def test_a_line_break_or_tab_in_a_single_line_field_is_refused_with_a_message(client, make, mailbox, deliver,
                                                                              char, field):
    make.group()
    data = {"name": "Rosa Applicant", "email": "rosa@example.org", "consent": "y", "organization": "Oasis",
            "role_title": "Organizer"}
    data[field] = data[field].replace("@", char + "Bcc: evil@", 1) if field == "email" else \
        data[field] + char + "Bcc: evil@example.com"
    response = client.post("/groups/defensive-support", data=data)
    assert response.status_code == 400
    assert ONE_LINE in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == 0
    deliver()
    assert mailbox.messages == []


@pytest.mark.parametrize("url, data, field", [
    ("/messages/new", {"subject": "Hello\r\nBcc: evil@example.com", "body": "Hi", "groups": "{group}",
                       "preview": "Preview"}, "subject"),
    ("/staff/groups/new", {"name": "New\nGroup", "slug": "new-group", "join_policy": "moderated"}, "name"),
    ("/staff/organizations/{organization}", {"name": "Oasis\tInc", "kind": "legal", "coalition_status": "member"},
     "name"),
    ("/staff/accounts", {"name": "New\nPerson", "email": "new.person@example.org", "role": "contact"}, "name"),
    ("/groups/defensive-support/members/new", {"name": "Nina\nNew", "email": "nina@example.org"}, "name"),
])
def test_staff_forms_refuse_line_breaks_in_single_line_fields(client, make, url, data, field):
    from webapp.organizations.models import Organization

    make.user(email="staff@example.org", role="staff")
    group = make.group()
    make.member(group, name="Ana Active", email="ana@example.org", organization="Oasis")
    organization = db.session.scalar(sa.select(Organization.id))
    login(client, "staff@example.org")
    url = url.format(organization=organization)
    data = {k: v.format(group=group.id) for k, v in data.items()}
    response = client.post(url, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code in (200, 400) and ONE_LINE in page, (url, response.status_code)


@pytest.mark.parametrize("path", ["/groups/defensive%00support", "/groups?lang=%00", "/groups/%01/roster",
                                  "/unsubscribe/%00abc"])
def test_a_control_character_in_a_path_or_query_is_a_400(client, make, path):
    make.group()
    response = client.get(path)
    assert response.status_code == 400
    assert "control character" in response.get_data(as_text=True)


HUGE = "99999999999999999999"


@pytest.mark.parametrize("path", [f"/memberships/{HUGE}", f"/messages/{HUGE}", f"/staff/bounces/{HUGE}",
                                  f"/staff/organizations/{HUGE}", f"/memberships/{2**31}"])
def test_an_id_too_large_for_the_database_is_not_found(client, make, path):
    make.user(email="staff@example.org", role="staff")
    login(client, "staff@example.org")
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", ["/messages/", "/staff/audit", "/staff/mail", "/staff/suppressions",
                                  "/staff/bounces", "/review", "/staff/organizations"])
@pytest.mark.parametrize("page", [HUGE, "-" + HUGE, "0", "abc"])
def test_a_page_number_of_any_size_is_answered(client, make, path, page):
    make.user(email="staff@example.org", role="staff")
    make.group()
    login(client, "staff@example.org")
    response = client.get(f"{path}?page={page}")
    assert response.status_code in (200, 400), (path, page, response.status_code)


def test_the_error_page_works_after_a_database_error(client, make, app, monkeypatch):
    from webapp.groups import services as groups

    make.user(email="staff@example.org", role="staff")
    login(client, "staff@example.org")

    def broken(*args, **kwargs):
        db.session.execute(sa.text("SELECT * FROM no_such_table"))

    monkeypatch.setattr(groups, "groups_looked_after_by", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/dashboard")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.get_data(as_text=True)
    monkeypatch.undo()
    assert client.get("/dashboard").status_code == 200
