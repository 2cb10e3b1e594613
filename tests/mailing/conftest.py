"""People and groups for the composing tests: two contacts of one group, a contact of another, staff, members."""
import pytest


@pytest.fixture
def people(make):
    dalia = make.user(name="Dalia Contact", email="dalia@example.org")
    rachel = make.user(name="Rachel Contact", email="rachel@example.org")
    alejandra = make.user(name="Alejandra Contact", email="alejandra@example.org")
    staff = make.user(name="Sam Staff", email="staff@example.org", role="staff")
    defensive = make.group(contacts=[dalia, rachel])
    youth = make.group(slug="youth-organizing", name="Youth Organizing", contacts=[alejandra])
    members = [make.member(defensive, name=f"Member {i}", email=f"member{i}@example.org").person.email
               for i in range(3)]
    return {"dalia": dalia, "rachel": rachel, "alejandra": alejandra, "staff": staff, "defensive": defensive,
            "youth": youth, "members": members}
