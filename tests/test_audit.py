"""Staff read who did what: decisions, accounts, messages."""
from tests.conftest import login


def test_staff_see_who_decided_what_and_from_where(client, make):
    staff = make.user(name="Sam Staff", email="staff@example.org", role="staff")
    group = make.group(contacts=[staff])
    rosa = make.member(group, email="rosa@example.org", status="pending")
    login(client, "staff@example.org")
    client.post(f"/memberships/{rosa.id}/decide", data={"decline": "Decline", "reason": "Not now"})
    page = client.get("/staff/audit").get_data(as_text=True)
    assert "membership.decline" in page and "staff@example.org" in page and "reason: Not now" in page
    assert "127.0.0.1" in page
    assert page.index("membership.decline") < page.index("account.create")  # newest first


def test_only_staff_read_the_audit_log(client, make):
    make.user(email="dalia@example.org")
    login(client, "dalia@example.org")
    assert client.get("/staff/audit").status_code == 403
