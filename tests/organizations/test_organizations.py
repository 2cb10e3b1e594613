"""Organizations arrive from join requests; staff bring them into the coalition and list them."""
from tests.conftest import login, membership_of


def test_an_organization_named_in_a_request_waits_for_staff_then_is_listed(client, make):
    make.user(email="staff@example.org", role="staff")
    group = make.group()
    client.post("/groups/defensive-support", data={"name": "Rosa", "email": "rosa@example.org", "consent": "y",
                                                   "organization": "Oasis Legal Services"})
    # The organization a request names is made when its owner confirms it, never before.
    from webapp.membership.tokens import confirmation_token

    assert client.post(f"/confirm/{confirmation_token(membership_of(group, 'rosa@example.org'))}").status_code == 200
    assert "Oasis Legal Services" not in client.get("/organizations").get_data(as_text=True)
    login(client, "staff@example.org")
    applicants = client.get("/staff/organizations?status=applicant").get_data(as_text=True)
    assert "Oasis Legal Services" in applicants
    organization = membership_of(group, "rosa@example.org").organization
    page = client.post(f"/staff/organizations/{organization.id}", follow_redirects=True, data={
        "name": "Oasis Legal Services", "website": "https://oasis.example.org", "location": "Oakland, CA",
        "kind": "legal services", "coalition_status": "member", "listed": "y"}).get_data(as_text=True)
    assert "Oasis Legal Services saved." in page
    public = client.get("/organizations").get_data(as_text=True)
    assert '<a href="https://oasis.example.org" rel="nofollow noopener">Oasis Legal Services</a> (Oakland, CA)' in public
    assert "Oasis Legal Services" not in client.get("/staff/organizations?status=applicant").get_data(as_text=True)


def test_a_member_that_did_not_agree_is_not_listed(client, make):
    make.user(email="staff@example.org", role="staff")
    group = make.group()
    organization = make.member(group, organization="Quiet Clinic").organization
    login(client, "staff@example.org")
    saved = client.post(f"/staff/organizations/{organization.id}", follow_redirects=True,
                        data={"name": "Quiet Clinic", "coalition_status": "member"})
    assert "Quiet Clinic saved." in saved.get_data(as_text=True)
    assert "Quiet Clinic" not in client.get("/organizations").get_data(as_text=True)
    assert "Quiet Clinic" in client.get("/staff/organizations?status=member").get_data(as_text=True)


def test_bad_organization_input_is_refused_with_messages(client, make):
    make.user(email="staff@example.org", role="staff")
    group = make.group()
    make.member(group, organization="First Org")
    second = make.member(group, organization="Second Org").organization
    login(client, "staff@example.org")
    taken = client.post(f"/staff/organizations/{second.id}", data={"name": "first org", "coalition_status": "member"})
    assert taken.status_code == 400 and "Another organization already has this name." in taken.get_data(as_text=True)
    script = client.post(f"/staff/organizations/{second.id}", data={"name": "Second Org", "coalition_status": "member",
                                                                    "website": "javascript:alert(1)"})
    assert script.status_code == 400 and "starting with https://" in script.get_data(as_text=True)
    assert client.get("/staff/organizations/99999").status_code == 404


def test_only_staff_manage_organizations(client, make):
    make.user(email="dalia@example.org")
    login(client, "dalia@example.org")
    assert client.get("/staff/organizations").status_code == 403


def test_the_staff_list_of_organizations_comes_a_hundred_at_a_time(client, make):
    import sqlalchemy as sa

    from tests.conftest import login
    from webapp.extensions import db
    from webapp.organizations.models import Organization

    make.user(email="staff@example.org", role="staff")
    db.session.execute(sa.insert(Organization), [{"name": f"Org {i:03d}", "name_key": f"org {i:03d}"}
                                                  for i in range(150)])
    db.session.commit()
    login(client, "staff@example.org")
    first = client.get("/staff/organizations").get_data(as_text=True)
    assert "Page 1 of 2" in first and "Org 099" in first and "Org 100" not in first
    second = client.get("/staff/organizations?page=2").get_data(as_text=True)
    assert "Org 149" in second and "Org 000" not in second
    assert client.get("/staff/organizations?page=x").status_code == 400
