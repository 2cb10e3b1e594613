"""Logging in, and staff managing accounts and group contacts (pages and flask commands)."""
from tests.conftest import login
from webapp.accounts.services import by_email


def test_wrong_password_is_refused_with_a_message(client, make):
    make.user(email="dalia@example.org")
    response = client.post("/login", data={"email": "dalia@example.org", "password": "wrong"})
    assert response.status_code == 400
    assert "Those sign-in details are not right." in response.get_data(as_text=True)


def test_a_deactivated_account_cannot_log_in(client, make, app):
    make.user(email="dalia@example.org")
    result = app.test_cli_runner().invoke(args=["deactivate-user", "dalia@example.org"])
    assert "Deactivated dalia@example.org." in result.output
    response = client.post("/login", data={"email": "dalia@example.org", "password": "correct horse battery"})
    assert response.status_code == 400


def test_login_redirects_only_within_the_site(client, make):
    make.user(email="dalia@example.org")
    data = {"email": "dalia@example.org", "password": "correct horse battery"}
    assert client.post("/login?next=https://evil.example.com/", data=data).location == "/dashboard"
    client.post("/logout")
    assert client.post("/login?next=/\\example.com/", data=data).location == "/dashboard"  # a browser reads //
    client.post("/logout")
    assert client.post("/login?next=/review", data=data).location == "/review"


def test_pages_for_signed_in_people_send_others_to_login(client, app):
    for page in ("/review", "/dashboard", "/messages/", "/staff/accounts"):
        response = client.get(page)
        assert response.status_code == 302 and "/login" in response.location


def test_account_form_errors_are_shown_and_duplicates_refused(client, make):
    make.user(email="staff@example.org", role="staff")
    login(client, "staff@example.org")
    bad = client.post("/staff/accounts", data={"name": "X", "email": "not an address", "role": "contact"})
    assert bad.status_code == 400 and "Invalid email address." in bad.get_data(as_text=True)
    taken = client.post("/staff/accounts", data={"name": "X", "email": "staff@example.org", "role": "contact"})
    assert "An account with this email exists already." in taken.get_data(as_text=True)


def test_staff_deactivate_and_reactivate_but_not_themselves(client, make):
    staff = make.user(email="staff@example.org", role="staff")
    dalia = make.user(name="Dalia Contact", email="dalia@example.org")
    login(client, "staff@example.org")
    page = client.post(f"/staff/accounts/{dalia.id}/active", data={"active": "0"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Dalia Contact is deactivated." in page
    assert by_email("dalia@example.org").active is False
    own = client.post(f"/staff/accounts/{staff.id}/active", data={"active": "0"}, follow_redirects=True)
    assert "You cannot deactivate your own account." in own.get_data(as_text=True)


def test_contacts_cannot_reach_staff_pages(client, make):
    make.user(email="dalia@example.org")
    login(client, "dalia@example.org")
    assert client.get("/staff/accounts").status_code == 403
    assert client.get("/staff/groups").status_code == 403
    assert client.post("/staff/accounts", data={"name": "X"}).status_code == 403


def test_cli_creates_a_user_and_assigns_a_group(app, make, client):
    group = make.group()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "alejandra@example.org", "--name", "Alejandra Cruz",
                                 "--password", "a long password"])
    assert "Created contact account alejandra@example.org." in result.output
    result = runner.invoke(args=["assign-contact", "alejandra@example.org", "defensive-support"])
    assert "is a contact of Defensive Support" in result.output
    assert "Alejandra Cruz" in client.get("/groups/defensive-support").get_data(as_text=True)
    result = runner.invoke(args=["assign-contact", "nobody@example.org", "defensive-support"])
    assert result.exit_code != 0 and "no account for nobody@example.org" in result.output
    assert group.id


def test_a_contact_changes_their_password(client, make):
    make.user(email="dalia@example.org")
    login(client, "dalia@example.org")
    assert "Change my password" in client.get("/dashboard").get_data(as_text=True)
    weak = client.post("/account/password", data={"current": "correct horse battery", "new": "password12",
                                                   "repeat": "password12"})
    assert weak.status_code == 400 and "Use at least 12 characters." in weak.get_data(as_text=True)
    wrong = client.post("/account/password", data={"current": "not it", "new": "a brand new secret",
                                                    "repeat": "a brand new secret"})
    assert wrong.status_code == 400 and "That is not your current password." in wrong.get_data(as_text=True)
    differ = client.post("/account/password", data={"current": "correct horse battery", "new": "a brand new secret",
                                                     "repeat": "another secret!"})
    assert differ.status_code == 400 and "The two new passwords differ." in differ.get_data(as_text=True)
    done = client.post("/account/password", follow_redirects=True, data={
        "current": "correct horse battery", "new": "a brand new secret", "repeat": "a brand new secret"})
    assert "Your password is changed. Your other sessions are signed out." in done.get_data(as_text=True)
    client.post("/logout")
    assert client.post("/login", data={"email": "dalia@example.org",
                                       "password": "correct horse battery"}).status_code == 400
    login(client, "dalia@example.org", "a brand new secret")


def test_changing_a_password_needs_a_login(client, app):
    response = client.get("/account/password")
    assert response.status_code == 302 and "/login" in response.location
