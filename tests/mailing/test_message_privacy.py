"""A message to several groups: each group's contact sees the recipients of the groups they look after."""
from tests.conftest import login
from tests.mailing.sending import send_message


def test_a_contact_sees_only_recipients_in_groups_they_review_and_counts_for_the_rest(client, make, deliver):
    staff = make.user(name="Sam Staff", email="staff@example.org", role="staff")
    bea = make.user(name="Bea Contact", email="bea@example.org")
    group_a = make.group(slug="defensive-support", name="Defensive Support")
    group_b = make.group(slug="youth-organizing", name="Youth Organizing", contacts=[bea])
    make.member(group_a, name="Ana Only A", email="ana.only.a@example.org")
    make.member(group_b, name="Ben Only B", email="ben.only.b@example.org")
    both = make.member(group_a, name="Cy Both", email="cy.both@example.org")
    make.member(group_b, email="cy.both@example.org")
    assert both.id and staff.id
    login(client, "staff@example.org")
    response = send_message(client, {"groups": [group_a.id, group_b.id], "subject": "To both", "body": "Hello"})
    url = response.location
    staff_page = client.get(url).get_data(as_text=True)
    assert "ana.only.a@example.org" in staff_page and "ben.only.b@example.org" in staff_page

    client.post("/logout")
    login(client, "bea@example.org")
    page = client.get(url).get_data(as_text=True)
    assert "ben.only.b@example.org" in page and "cy.both@example.org" in page
    assert "ana.only.a@example.org" not in page and "Ana Only A" not in page
    assert "1 more recipient is in groups you do not look after." in page


def test_a_strangers_join_request_does_not_show_another_groups_member_to_a_contact(client, make, deliver):
    """Anyone can ask to join B with an address of A's: the request is no member B's contact sees on the roster."""
    staff = make.user(email="staff@example.org", role="staff")
    bea = make.user(name="Bea Contact", email="bea@example.org")
    group_a = make.group(slug="defensive-support", name="Defensive Support")
    group_b = make.group(slug="youth-organizing", name="Youth Organizing", contacts=[bea])
    make.member(group_a, name="Xavier Secret", email="x.secret@example.org")
    make.member(group_a, name="Wanda Withdrawn", email="wanda@example.org")
    make.member(group_b, email="wanda@example.org", status="withdrawn")
    make.member(group_b, name="Ben Only B", email="ben.only.b@example.org")
    assert staff.id
    asked = client.post("/groups/youth-organizing", data={"name": "Guess", "email": "x.secret@example.org",
                                                           "consent": "y"})
    assert asked.status_code == 302
    login(client, "staff@example.org")
    url = send_message(client, {"groups": [group_a.id, group_b.id], "subject": "To both", "body": "Hello"}).location
    client.post("/logout")

    login(client, "bea@example.org")
    page = client.get(url).get_data(as_text=True)
    assert "ben.only.b@example.org" in page
    for hidden in ("x.secret@example.org", "Xavier Secret", "wanda@example.org", "Wanda Withdrawn"):
        assert hidden not in page
    assert "2 more recipients are in groups you do not look after." in page
