"""Staff create and edit working groups; the public pages follow."""
from tests.conftest import login

NEW = {"name": "Know Your Rights", "slug": "know-your-rights", "summary": "Trainings led by youth.",
       "description": "We run trainings.", "accomplishments": "First training\nSecond training",
       "join_policy": "open", "active": "y"}


def test_staff_create_a_group_that_appears_in_the_directory(client, make):
    make.user(email="staff@example.org", role="staff")
    login(client, "staff@example.org")
    page = client.post("/staff/groups/new", data=NEW, follow_redirects=True).get_data(as_text=True)
    assert "Know Your Rights saved." in page
    assert "Know Your Rights" in client.get("/groups").get_data(as_text=True)
    public = client.get("/groups/know-your-rights").get_data(as_text=True)
    assert "Second training" in public and "Request to join" in public


def test_staff_close_and_deactivate_a_group(client, make):
    make.user(email="staff@example.org", role="staff")
    make.group()
    login(client, "staff@example.org")
    form = client.get("/staff/groups/defensive-support/edit").get_data(as_text=True)
    assert 'value="Defensive Support"' in form and '<option selected value="moderated">' in form
    data = {**NEW, "name": "Defensive Support", "slug": "defensive-support", "join_policy": "closed"}
    del data["active"]
    assert "Defensive Support saved." in client.post("/staff/groups/defensive-support/edit", data=data,
                                                     follow_redirects=True).get_data(as_text=True)
    assert "Defensive Support" not in client.get("/groups").get_data(as_text=True)
    assert "not taking requests" in client.get("/groups/defensive-support").get_data(as_text=True)


def test_bad_group_input_is_refused_with_messages(client, make):
    make.user(email="staff@example.org", role="staff")
    make.group()
    login(client, "staff@example.org")
    taken = client.post("/staff/groups/new", data={**NEW, "slug": "defensive-support"})
    assert taken.status_code == 400 and "Another group already has this address." in taken.get_data(as_text=True)
    bad = client.post("/staff/groups/new", data={**NEW, "slug": "Not A Slug!", "name": ""})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "Use lower-case letters" in page and "Please give the group a name." in page
    assert client.get("/groups/not-a-slug").status_code == 404


def test_only_staff_edit_groups(client, make):
    contact = make.user(email="dalia@example.org")
    make.group(contacts=[contact])
    login(client, "dalia@example.org")
    assert client.get("/staff/groups/new").status_code == 403
    assert client.post("/staff/groups/defensive-support/edit", data=NEW).status_code == 403
    assert client.get("/groups/know-your-rights").status_code == 404
