"""axe-core on every distinct page, as a visitor, a contact and staff reach them."""
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import link_in, log_in, request_to_join


class AccessibilityAudit:
    """Runs axe on each page visited and keeps every violation, to report them all at once."""

    def __init__(self):
        self.axe = Axe()
        self.checked = []
        self.problems = []

    def check(self, page, name):
        page.wait_for_load_state()
        assert page.locator("script").count() == 0, f"{name} uses JavaScript; every page must work without it"
        results = self.axe.run(page, options={"resultTypes": ["violations"]})
        self.checked.append(name)
        for violation in results.response["violations"]:
            self.problems.append(_describe(name, page.url, violation))

    def report(self):
        return f"{len(self.problems)} accessibility violations:\n\n" + "\n\n".join(self.problems)


def _describe(name, url, violation):
    lines = [f"[{name}] {url}",
             f"  {violation['id']} ({violation['impact']}): {violation['help']}  {violation['helpUrl']}"]
    for node in violation["nodes"]:
        lines.append(f"    at {' '.join(map(str, node['target']))}: {node['html'][:200]}")
        lines.extend(f"      {line}" for line in node.get("failureSummary", "").splitlines())
    return "\n".join(lines)


@pytest.fixture
def audit():
    return AccessibilityAudit()


def test_every_page_has_no_axe_violations(page, new_page, make, mailbox, deliver, audit):
    contact = make.user(name="Dalia Contact", email="dalia@example.org")
    make.user(name="Sam Staff", email="staff@example.org", role="staff")
    group = make.group(contacts=[contact])
    make.group(slug="youth-organizing", name="Youth Organizing", policy="closed")
    member = make.member(group, name="Ana Existing", email="ana@example.org", organization="The Door")

    # The public side, as a visitor.
    for path, name in [("/", "home"), ("/groups", "group directory"), ("/organizations", "organizations"),
                       ("/groups/defensive-support", "group page"), ("/groups/youth-organizing", "closed group"),
                       ("/login", "login"), ("/confirm/not-a-real-token", "link problem"),
                       ("/no-such-page", "404 page")]:
        page.goto(path)
        audit.check(page, name)
    page.goto("/groups/defensive-support")
    page.get_by_role("button", name="Español").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    audit.check(page, "group page in Spanish")
    page.get_by_role("button", name="English").click()
    page.get_by_role("button", name="Request to join").click()
    expect(page.get_by_role("alert")).to_be_visible()
    audit.check(page, "group page with errors")
    request_to_join(page, "Rosa Applicant", "rosa@example.org", organization="The Door", note="Hello.")
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    audit.check(page, "check your email")
    deliver()
    page.goto(link_in(mailbox.to("rosa@example.org")[0], "/confirm/"))
    audit.check(page, "confirm page")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Thank you, your request is confirmed")).to_be_visible()
    audit.check(page, "confirmed page")

    # A contact's and staff's pages.
    staff = new_page()
    log_in(staff, "staff@example.org")
    for path, name in [("/dashboard", "dashboard"), ("/review", "review, all groups"),
                       ("/groups/defensive-support/review", "review, one group"),
                       ("/groups/defensive-support/roster", "roster"), (f"/memberships/{member.id}", "history"),
                       ("/staff/accounts", "accounts"), ("/staff/groups", "staff groups"),
                       ("/staff/groups/new", "new group"), ("/staff/groups/defensive-support/edit", "edit group"),
                       ("/staff/audit", "audit log"), ("/staff/mail", "mail, notices"),
                       ("/staff/suppressions", "suppressions and blocks"), ("/staff/bounces", "bounces"),
                       ("/account/password", "change password"), ("/account/email", "email preferences"),
                       ("/staff/organizations", "organizations, staff"),
                       (f"/staff/organizations/{member.organization_id}", "edit organization"),
                       (f"/staff/organizations/{member.organization_id}/people", "an organization's people"),
                       ("/groups/defensive-support/import", "import, upload"),
                       ("/groups/defensive-support/members/new", "add a member"),
                       ("/staff/people", "people"), (f"/staff/people/{member.person_id}", "a person's data"),
                       ("/messages/", "messages, none yet"), ("/messages/new", "compose")]:
        staff.goto(path)
        audit.check(staff, name)
    staff.get_by_role("button", name="Preview").click()
    expect(staff.get_by_role("alert")).to_be_visible()
    audit.check(staff, "compose with errors")
    staff.get_by_label("Defensive Support").check()
    staff.get_by_label("Subject").fill("Hill visit")
    staff.get_by_label("Message").fill("Please **join** us:\n\n- Tuesday\n- [RSVP](https://example.org/rsvp)")
    staff.get_by_role("button", name="Preview").click()
    expect(staff.get_by_role("region", name="Preview: what a member receives")).to_be_visible()
    audit.check(staff, "compose with preview")
    staff.get_by_label("Attach files (optional)").set_input_files(files=[{
        "name": "agenda.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}])
    staff.get_by_role("button", name="Send to the roster").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Check before sending")
    audit.check(staff, "the second look before sending")
    staff.get_by_role("button", name=re.compile("Yes, send it")).click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Hill visit")
    audit.check(staff, "message status")
    staff.goto("/messages/")
    audit.check(staff, "messages index")
    staff.goto("/staff/mail")
    audit.check(staff, "mail, with a roster message")
    staff.goto("/groups/defensive-support/import")
    staff.get_by_label("CSV file").set_input_files(files=[{
        "name": "members.csv", "mimeType": "text/csv",
        "buffer": "name,email\r\nRosa Nueva,rosa.nueva@example.org\r\nAna Existing,ana@example.org\r\nNo Address,\r\n"
        .encode()}])
    staff.get_by_role("button", name="Preview the import").click()
    expect(staff.get_by_role("heading", name="New members (1)")).to_be_visible()
    audit.check(staff, "import preview")

    # A member's own links, from the roster email.
    mailbox.clear()
    deliver()
    (roster_mail,) = mailbox.to("ana@example.org")
    page.goto(link_in(roster_mail, "/me/"))
    audit.check(page, "member's own page")
    page.goto(link_in(roster_mail, "/unsubscribe/"))
    audit.check(page, "unsubscribe page")
    page.get_by_role("button", name="Stop all group emails").click()
    expect(page.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
    audit.check(page, "unsubscribed page")

    assert len(audit.checked) == 47
    if audit.problems:
        pytest.fail(audit.report(), pytrace=False)


def test_keyboard_users_can_skip_to_the_content_and_see_where_they_are(page, make):
    make.group()
    page.goto("/groups/defensive-support")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#main$"))

    page.get_by_label("Full name").focus()
    ring = page.get_by_label("Full name").evaluate(
        "e => { const s = getComputedStyle(e); return [s.outlineStyle, s.outlineWidth, s.boxShadow]; }")
    assert ring[0] == "solid" and ring[1] == "3px" and "rgb(27, 27, 27)" in ring[2], ring


def test_join_form_fits_a_small_phone_screen(new_page, make):
    make.group()
    page = new_page(viewport={"width": 320, "height": 640})
    page.goto("/groups/defensive-support")
    page.get_by_role("button", name="Request to join").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320  # no sideways scrolling (WCAG 1.4.10)
