"""Importing members from a CSV file: the preview, the confirmation, and who is never re-added."""
import pytest
import sqlalchemy as sa

from tests.conftest import login, membership_of
from tests.membership.import_helpers import CONFIRM, IMPORT, confirm, counts, csv_bytes, payload_in, section, upload
from webapp.audit.models import AuditEvent
from webapp.extensions import db
from webapp.membership import imports, services
from webapp.membership.models import Membership, Status
from webapp.outbox import blocks
from webapp.outbox.models import SuppressionKind
from webapp.outbox.services import suppress

EVERYONE = csv_bytes(
    "Name,Email,Organization,Role",
    "Rosa Nueva,rosa@example.org,oasis legal,Organizer",  # row 2
    "José Núñez,josé@example.org,,",
    "Ana Active,ANA@example.org,,",
    "Lee Left,lee@example.org,,",
    "Uma Unsubscribed,uma@example.org,,",
    "Rob Removed,rob@example.org,,",
    "Dee Declined,dee@example.org,,",
    "Pat Pending,pat@example.org,,",
    "Una Unconfirmed,una@example.org,,",
    "Bo Bouncing,bo@example.org,,",
    "Eve Blocked,eve@spam.example.com,,",
    "Kim Other,kim@example.org,The Door,",
    "No Email,,,",
    "Bad Address,not-an-address,,",
    "Our Own,groups@example.org,,",
    "N" * 121 + ",long@example.org,,",
    ",noname@example.org,,",
    "Rosa Again, Rosa@Example.org ,,",  # row 19: the same address as row 2
)


@pytest.fixture
def group(make):
    dalia = make.user(name="Dalia Contact", email="dalia@example.org")
    make.user(name="Sam Staff", email="staff@example.org", role="staff")
    make.user(name="Lou Other", email="lou@example.org")
    group = make.group(contacts=[dalia])
    youth = make.group(slug="youth-organizing", name="Youth Organizing")
    make.member(group, name="Ana Active", email="ana@example.org", organization="Oasis Legal")
    for name, status in [("lee", "left"), ("uma", "left"), ("rob", "removed"), ("dee", "declined"),
                         ("pat", "pending"), ("una", "unconfirmed")]:
        make.member(group, name=name.title(), email=f"{name}@example.org", status=status)
    uma = membership_of(group, "uma@example.org")
    uma.events[0].actor_label = services.UNSUBSCRIBE_LABEL
    make.member(youth, name="Kim Existing", email="kim@example.org")
    suppress("bo@example.org", "bouncing: score 5", kind=SuppressionKind.BOUNCE)
    blocks.add("spam.example.com")
    db.session.commit()
    return group


def test_the_upload_page_has_a_labelled_file_input_and_a_welcome_checkbox(client, group):
    login(client, "dalia@example.org")
    page = client.get(IMPORT).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    assert '<label for="file">' in page and 'type="file"' in page
    assert '<label for="welcome">' in page and 'type="checkbox"' in page
    assert "nombre" in page  # the columns it reads are explained, in both languages


def test_the_preview_sorts_every_row_with_its_reason_and_writes_nothing(client, group, mailbox, deliver):
    login(client, "dalia@example.org")
    before = counts()
    response = upload(client, EVERYONE)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    new = section(page, "New members")
    assert "Rosa Nueva" in new and "josé@example.org" in new and "kim@example.org" in new and "(3)" in new
    assert "Ana Active" in section(page, "Already members")
    refused = section(page, "Not imported")
    for address, reason in [("lee@example.org", "Left the group; only they can ask to join again."),
                            ("uma@example.org", "Left the group by the unsubscribe link in an email"),
                            ("rob@example.org", "Was removed from the group."),
                            ("dee@example.org", "Their request to join was declined"),
                            ("pat@example.org", "Has a pending request: approve or decline it on the review page."),
                            ("una@example.org", "Asked to join and has not yet confirmed their address."),
                            ("bo@example.org", "Mail to this address bounces."),
                            ("eve@spam.example.com", "This address is blocked by staff.")]:
        row = refused[refused.index(address):].split("</tr>")[0]
        assert reason in row, (address, row)
    problems = section(page, "Rows with problems")
    for reason in ["No email address.", "Not a valid email address.", "This is the group system's own address.",
                   "The name is longer than 120 characters.", "No name."]:
        assert reason in problems
    assert "Also on row 2." in section(page, "Repeated in the file")
    assert "No email will be sent." in page
    assert counts() == before
    deliver()
    assert mailbox.messages == []


def test_confirming_imports_the_new_people_as_active_members_with_history_and_one_audit_row(
        client, group, mailbox, deliver):
    login(client, "dalia@example.org")
    response = confirm(client, upload(client, EVERYONE).get_data(as_text=True))
    assert response.status_code == 302 and response.location.endswith("/groups/defensive-support/roster")
    roster = client.get(response.location).get_data(as_text=True)
    assert "3 new members imported." in roster
    assert "Rosa Nueva" in roster and "José Núñez" in roster

    rosa = membership_of(group, "rosa@example.org")
    assert rosa.status == Status.ACTIVE and rosa.joined_at is not None and rosa.role_title == "Organizer"
    assert rosa.organization.id == membership_of(group, "ana@example.org").organization.id  # matched, not copied
    assert membership_of(group, "kim@example.org").organization.name == "The Door"
    assert membership_of(group, "kim@example.org").person.name == "Kim Existing"  # a stored person is not renamed
    (event,) = rosa.events
    assert (event.from_status, event.to_status, event.actor_label) == (None, Status.ACTIVE,
                                                                       "imported by Dalia Contact")
    assert "Imported by Dalia Contact" in client.get(f"/memberships/{rosa.id}").get_data(as_text=True)
    for address, status in [("lee", "left"), ("uma", "left"), ("rob", "removed"), ("dee", "declined"),
                            ("pat", "pending"), ("una", "unconfirmed")]:
        assert membership_of(group, f"{address}@example.org").status == status
    assert membership_of(group, "bo@example.org") is None and membership_of(group, "eve@spam.example.com") is None
    audit = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "membership.import")).all()
    assert [(a.target, a.details, a.actor_label) for a in audit] == [
        (f"group:{group.id}", {"count": 3}, "dalia@example.org")]
    deliver()
    assert mailbox.messages == []  # the welcome box was not ticked


def test_with_the_welcome_box_each_new_member_gets_a_welcome_email_an_internationalized_address_too(
        client, group, mailbox, deliver):
    login(client, "dalia@example.org")
    page = upload(client, EVERYONE, welcome=True).get_data(as_text=True)
    assert "Each new member will get a welcome email." in page
    confirm(client, page)
    deliver()
    assert sorted(address for m in mailbox.messages for address in m.rcpt_tos) == [
        "josé@example.org", "kim@example.org", "rosa@example.org"]
    (jose,) = mailbox.to("josé@example.org")
    assert jose.subject == "Welcome to Defensive Support"
    assert "<josé@example.org>".encode() in jose.data  # the To: header, in UTF-8 (SMTPUTF8)
    assert "/me/" in jose.text()


def test_confirming_twice_with_the_back_button_imports_once(client, group, mailbox, deliver):
    login(client, "dalia@example.org")
    page = upload(client, EVERYONE, welcome=True).get_data(as_text=True)
    confirm(client, page)
    after_first = counts()
    again = confirm(client, page)
    assert again.status_code == 302
    assert "This preview was used already" in client.get(again.location).get_data(as_text=True)
    assert counts() == after_first
    deliver()
    assert len(mailbox.messages) == 3


def test_a_status_that_changed_since_the_preview_is_checked_again_at_confirmation(client, group):
    login(client, "dalia@example.org")
    page = upload(client, EVERYONE).get_data(as_text=True)
    blocks.add("rosa@example.org")
    db.session.commit()
    roster = client.get(confirm(client, page).location).get_data(as_text=True)
    assert "2 new members imported." in roster and "1 was not imported" in roster
    assert membership_of(group, "rosa@example.org") is None


def test_a_changed_or_expired_preview_is_refused_and_changes_nothing(client, group, monkeypatch):
    login(client, "dalia@example.org")
    page = upload(client, EVERYONE).get_data(as_text=True)
    payload = payload_in(page)
    before = counts()
    tampered = client.post(CONFIRM, data={"payload": payload[:-3] + ("AAA" if payload[-3:] != "AAA" else "BBB")})
    assert tampered.status_code == 400 and "upload the file again" in tampered.get_data(as_text=True)
    monkeypatch.setattr(imports, "PREVIEW_SECONDS", -1)
    expired = client.post(CONFIRM, data={"payload": payload})
    assert expired.status_code == 400 and "upload the file again" in expired.get_data(as_text=True)
    assert counts() == before


def test_a_preview_counts_only_for_its_group_and_its_importer(client, app, group):
    login(client, "staff@example.org")
    page = upload(client, EVERYONE).get_data(as_text=True)
    wrong_group = client.post("/groups/youth-organizing/import/confirm", data={"payload": payload_in(page)})
    assert wrong_group.status_code == 400
    other = app.test_client()
    login(other, "dalia@example.org")
    assert other.post(CONFIRM, data={"payload": payload_in(page)}).status_code == 400
    assert membership_of(group, "rosa@example.org") is None


def test_only_the_groups_contacts_and_staff_may_import(client, group):
    assert client.get(IMPORT).status_code == 302  # to the login page
    login(client, "lou@example.org")  # a contact of no group
    before = counts()
    assert client.get(IMPORT).status_code == 403
    assert upload(client, EVERYONE).status_code == 403
    assert upload(client, b"x" * (6 * 1024 * 1024)).status_code == 403  # over the limit: still not theirs to try
    assert client.post(CONFIRM, data={"payload": "x"}).status_code == 403
    assert counts() == before
    staff = client.application.test_client()
    login(staff, "staff@example.org")
    assert staff.get("/groups/youth-organizing/import").status_code == 200


def test_a_script_in_a_name_is_kept_as_text_and_never_runs(client, group):
    login(client, "dalia@example.org")
    content = csv_bytes("name,email", "<script>alert(1)</script>,sly@example.org")
    page = upload(client, content).get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page
    roster = client.get(confirm(client, page).location).get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in roster and "<script>" not in roster
    assert membership_of(group, "sly@example.org").person.name == "<script>alert(1)</script>"


@pytest.mark.parametrize("status", ["left", "removed", "declined", "pending", "unconfirmed", "active"])
def test_bringing_in_is_only_for_a_membership_with_no_status_yet(make, status):
    actor = make.user(name="Dalia Contact")
    membership = make.member(make.group(), email="lee@example.org", status=status)
    with pytest.raises(services.IllegalTransition):
        services.bring_in(membership, actor, "imported by Dalia Contact")
    db.session.expire_all()
    assert db.session.get(Membership, membership.id).status == status
    assert len(db.session.get(Membership, membership.id).events) == 1


def test_the_preview_runs_the_same_number_of_queries_for_twenty_rows_or_five_hundred(client, group, count_queries):
    login(client, "dalia@example.org")

    def rows(n):
        return csv_bytes("name,email", *(f"Person {i},person{i}@example.org" for i in range(n)))

    few, many = (count_queries(lambda: upload(client, rows(n))) for n in (20, 500))
    assert few == many


def test_a_file_of_the_largest_size_in_rows_imports_in_one_go(client, group):
    login(client, "dalia@example.org")
    content = csv_bytes("name,email,organization", *(f"Person {i},person{i}@example.org,Org {i % 50}"
                                                     for i in range(imports.MAX_ROWS)))
    page = upload(client, content).get_data(as_text=True)
    assert f"New members ({imports.MAX_ROWS:,})" in page
    assert "10,000 new members imported." in client.get(confirm(client, page).location).get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Membership)
                             .where(Membership.group_id == group.id, Membership.status == Status.ACTIVE)) == 10_001
