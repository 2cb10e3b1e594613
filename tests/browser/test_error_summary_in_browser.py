"""After a failed submit, on every kind of form, the focus is on the summary of what went wrong, not the page's top."""
import re

from playwright.sync_api import expect

from tests.browser.conftest import log_in
from webapp.membership.tokens import member_token


def _failed(page, button, summary=re.compile("Please correct the fields marked below.")):
    """Press `button` (the form left empty or wrong) and check the focus is on the alert that says what to fix."""
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state()
    focused = page.locator(":focus")
    expect(focused).to_have_attribute("role", "alert")
    expect(focused).to_contain_text(summary)
    return focused


def test_focus_lands_on_the_error_summary_after_each_failed_form(new_page, make):
    contact = make.user(name="Dalia Castillo-Granados", email="dalia@example.org")
    make.user(name="Sam Staff", email="staff@example.org", role="staff")
    group = make.group(contacts=[contact])
    member = make.member(group, name="Ana Existing", email="ana@example.org", organization="The Door")
    organization_id = member.organization_id

    visitor = new_page()
    visitor.goto("/login")
    _failed(visitor, "Log in")
    visitor.goto(f"/me/{member_token(member.person)}")
    visitor.get_by_label("Your name").fill("")
    summary = _failed(visitor, "Save my name")
    summary.get_by_role("link").first.click()
    expect(visitor.get_by_label("Your name")).to_be_focused()
    visitor.get_by_label("New email address").fill("not an address")
    _failed(visitor, "Change my address")

    staff = new_page()
    log_in(staff, "staff@example.org")
    staff.goto("/messages/new")
    summary = _failed(staff, "Send to the roster")
    expect(summary).to_contain_text("Subject: Please write a subject.")
    staff.goto("/account/password")
    _failed(staff, "Change my password")
    staff.goto("/staff/accounts")
    _failed(staff, "Send the invitation")
    staff.goto("/staff/groups/defensive-support/edit")
    staff.get_by_label("Name", exact=True).fill("")
    _failed(staff, "Save the group")
    staff.goto(f"/staff/organizations/{organization_id}")
    staff.get_by_label("Name", exact=True).fill("")
    _failed(staff, "Save the organization")
    staff.goto("/groups/defensive-support/members/new")
    _failed(staff, "Add to the group")
    staff.goto("/groups/defensive-support/members/new")
    staff.get_by_label("Full name").fill("Ana Again")
    staff.get_by_label("Email", exact=True).fill("ana@example.org")
    _failed(staff, "Add to the group", re.compile("already a member"))
    staff.goto("/groups/defensive-support/import")
    _failed(staff, "Preview the import")
