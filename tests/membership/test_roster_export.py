"""The roster as a spreadsheet file, for contacts and staff."""
import csv
import io

from tests.conftest import login


def test_a_contact_downloads_their_groups_roster_as_csv(client, make):
    contact = make.user(email="dalia@example.org")
    group = make.group(contacts=[contact])
    make.group(slug="youth-organizing", name="Youth Organizing")
    make.member(group, name="Ana Active", email="ana@example.org", organization="Oasis Legal Services")
    make.member(group, name="=HYPERLINK(\"http://evil.example.com\")", email="eve@example.org")
    make.member(group, name="Pat Pending", email="pat@example.org", status="pending")
    login(client, "dalia@example.org")
    response = client.get("/groups/defensive-support/roster.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="defensive-support-roster.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["Name", "Email", "Organization", "Role or title", "Joined"]
    by_email = {row[1]: row for row in rows[1:]}
    assert sorted(by_email) == ["ana@example.org", "eve@example.org"]
    assert by_email["ana@example.org"][:3] == ["Ana Active", "ana@example.org", "Oasis Legal Services"]
    assert by_email["eve@example.org"][0] == "'=HYPERLINK(\"http://evil.example.com\")"  # a formula is defused
    assert client.get("/groups/youth-organizing/roster.csv").status_code == 403
