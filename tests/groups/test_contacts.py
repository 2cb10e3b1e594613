"""A group always keeps a contact person, and staff choose the one named publicly."""
from html import unescape

import pytest

from tests.conftest import login
from webapp.accounts.services import by_email
from webapp.extensions import db
from webapp.groups.services import by_slug


@pytest.fixture
def group(make):
    dalia = make.user(name="Dalia Contact", email="dalia@example.org")
    rachel = make.user(name="Rachel Contact", email="rachel@example.org")
    make.user(name="Sam Staff", email="staff@example.org", role="staff")
    make.group(slug="youth-organizing", name="Youth Organizing", contacts=[rachel])
    return make.group(contacts=[dalia])


def contact_emails(slug="defensive-support"):
    db.session.expire_all()
    return [user.email for user in by_slug(slug).contacts]


def test_staff_cannot_remove_a_groups_last_contact(client, group):
    login(client, "staff@example.org")
    page = client.post("/staff/groups", data={"group_id": group.id}, follow_redirects=True).get_data(as_text=True)
    assert "Defensive Support must keep at least one contact person: nothing was changed." in page
    assert contact_emails() == ["dalia@example.org"]


def test_the_last_contact_cannot_be_removed_from_the_command_line(app, group):
    result = app.test_cli_runner().invoke(args=["assign-contact", "dalia@example.org", "defensive-support",
                                                "--remove"])
    assert result.exit_code != 0
    assert "Defensive Support must keep at least one contact person: nothing was changed." in result.output
    assert contact_emails() == ["dalia@example.org"]
    app.test_cli_runner().invoke(args=["assign-contact", "rachel@example.org", "defensive-support"])
    result = app.test_cli_runner().invoke(args=["assign-contact", "dalia@example.org", "defensive-support",
                                                "--remove"])
    assert result.exit_code == 0 and contact_emails() == ["rachel@example.org"]


def test_the_only_contact_of_a_group_cannot_be_deactivated(client, app, group):
    dalia = by_email("dalia@example.org")
    login(client, "staff@example.org")
    page = client.post(f"/staff/accounts/{dalia.id}/active", data={"active": "0"},
                       follow_redirects=True).get_data(as_text=True)
    assert ("Dalia Contact is the only contact person of Defensive Support: give the group another contact "
            "first. Nothing was changed.") in page
    result = app.test_cli_runner().invoke(args=["deactivate-user", "dalia@example.org"])
    assert result.exit_code != 0 and "the only contact person of Defensive Support" in result.output
    db.session.expire_all()
    assert by_email("dalia@example.org").active is True


def test_one_of_two_contacts_can_be_deactivated(client, make, group):
    rachel = by_email("rachel@example.org")
    login(client, "staff@example.org")
    client.post("/staff/groups", data={"group_id": group.id, f"g{group.id}-contacts": [by_email("dalia@example.org").id,
                                                                                     rachel.id]})
    page = client.post(f"/staff/accounts/{by_email('dalia@example.org').id}/active", data={"active": "0"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Dalia Contact is deactivated." in page
    assert contact_emails() == ["rachel@example.org"]
    assert "Rachel Contact" in client.get("/groups/defensive-support").get_data(as_text=True)


def test_staff_choose_which_contact_is_named_publicly(client, group):
    dalia, rachel = by_email("dalia@example.org"), by_email("rachel@example.org")
    login(client, "staff@example.org")
    page = client.get("/staff/groups").get_data(as_text=True)
    assert f'<label for="g{group.id}-listed">Named on the public page</label>' in page
    client.post("/staff/groups", data={"group_id": group.id, f"g{group.id}-contacts": [dalia.id, rachel.id],
                                       f"g{group.id}-listed": rachel.id})
    public = client.get("/groups/defensive-support").get_data(as_text=True)
    assert "Rachel Contact" in public and "Dalia Contact" not in public
    assert "Rachel Contact" in client.get("/groups").get_data(as_text=True)
    client.post("/staff/groups", data={"group_id": group.id, f"g{group.id}-contacts": [dalia.id, rachel.id],
                                       f"g{group.id}-listed": dalia.id})
    assert "Dalia Contact" in client.get("/groups/defensive-support").get_data(as_text=True)


def test_the_named_contact_must_be_one_of_the_groups_contacts(client, group):
    dalia, rachel = by_email("dalia@example.org"), by_email("rachel@example.org")
    login(client, "staff@example.org")
    page = client.post("/staff/groups", data={"group_id": group.id, f"g{group.id}-contacts": [dalia.id],
                                              f"g{group.id}-listed": rachel.id},
                       follow_redirects=True).get_data(as_text=True)
    assert "The contact named publicly must be one of the group's contacts: nothing was changed." in unescape(page)
    assert contact_emails() == ["dalia@example.org"]


def test_when_the_named_contact_leaves_the_group_the_next_one_is_named(client, group):
    dalia, rachel = by_email("dalia@example.org"), by_email("rachel@example.org")
    login(client, "staff@example.org")
    client.post("/staff/groups", data={"group_id": group.id, f"g{group.id}-contacts": [dalia.id, rachel.id],
                                       f"g{group.id}-listed": dalia.id})
    client.post("/staff/groups", data={"group_id": group.id, f"g{group.id}-contacts": [rachel.id]})
    assert "Rachel Contact" in client.get("/groups/defensive-support").get_data(as_text=True)
    form = client.get("/staff/groups").get_data(as_text=True)
    defensive = form[form.index("Defensive Support</h2>"):form.index("Youth Organizing</h2>")]
    assert f'<option selected value="{rachel.id}">' in defensive
