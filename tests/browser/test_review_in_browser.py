"""The review queue in a real browser, JavaScript off: tick several requests, decide them together."""
import re

from playwright.sync_api import expect

from tests.browser.conftest import log_in


def test_a_contact_ticks_requests_and_decides_them_together_without_javascript(new_page, make, mailbox, deliver):
    contact = make.user(name="Dalia Contact", email="dalia@example.org")
    group = make.group(contacts=[contact])
    for name, local in [("Ana Applicant", "ana"), ("Ben Applicant", "ben"), ("Buy Now", "spam")]:
        make.member(group, name=name, email=f"{local}@example.org", status="pending")
    page = new_page(java_script_enabled=False)
    log_in(page, "dalia@example.org")
    expect(page.get_by_role("link", name="Requests (3)")).to_be_visible()
    page.get_by_role("link", name="Requests (3)").click()

    page.get_by_label("Select the request from Ana Applicant").check()
    page.get_by_label("Select the request from Ben Applicant").check()
    page.get_by_label("Reason for the selected requests").fill("Welcome, both of you.")
    page.get_by_role("button", name="Approve selected").click()
    expect(page.get_by_role("status")).to_have_text("2 requests approved.")
    expect(page.get_by_role("region", name=re.compile("Applicant"))).to_have_count(0)

    page.get_by_label("Select the request from Buy Now").check()
    page.get_by_role("button", name="Discard selected as spam").click()
    expect(page.get_by_role("status")).to_have_text("1 request discarded as spam.")
    expect(page.get_by_text("No requests are waiting.")).to_be_visible()
    expect(page.get_by_role("link", name="Requests", exact=True)).to_be_visible()

    deliver()
    for address in ("ana@example.org", "ben@example.org"):
        (welcome,) = mailbox.to(address)
        assert welcome.subject == "Welcome to Defensive Support" and "Welcome, both of you." in welcome.text()
    assert mailbox.to("spam@example.org") == []
