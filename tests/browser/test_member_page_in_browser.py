"""A person's own page in a real browser, with CSRF on, no JavaScript, and axe on each page, in both languages."""
import re

from playwright.sync_api import expect

from tests.browser.conftest import link_in, request_to_join
from tests.browser.test_accessibility import AccessibilityAudit
from webapp.extensions import db
from webapp.membership.models import Person


def test_an_applicant_takes_back_a_request_changes_name_language_and_address(page, make, mailbox, deliver):
    audit = AccessibilityAudit()
    group = make.group()
    group.name_es = "Apoyo Defensivo"
    db.session.commit()
    page.goto("/groups/defensive-support")
    request_to_join(page, "Rosa Applicant", "rosa@example.org")
    deliver()
    page.goto(link_in(mailbox.to("rosa@example.org")[0], "/me/"))
    expect(page.get_by_role("heading", name="Your groups")).to_be_visible()
    audit.check(page, "member page")

    page.get_by_label("Your name").fill("")
    page.get_by_role("button", name="Save my name").click()
    expect(page.get_by_label("Your name")).to_have_accessible_description(re.compile("Please enter your name."))
    expect(page.get_by_role("alert")).to_be_focused()
    audit.check(page, "member page with an error")
    page.get_by_label("Your name").fill("Rosa María Applicant")
    page.get_by_role("button", name="Save my name").click()
    expect(page.get_by_text("Your name is saved.")).to_be_visible()

    page.get_by_role("button", name="Take back my request to join Defensive Support").click()
    expect(page.get_by_text("You took back your request to join Defensive Support")).to_be_visible()
    expect(page.get_by_text("Withdrawn")).to_be_visible()

    mailbox.clear()
    page.get_by_label("New email address").fill("rosa.new@example.org")
    page.get_by_role("button", name="Change my address").click()
    expect(page.get_by_text("We sent a link to rosa.new@example.org")).to_be_visible()
    deliver()
    page.goto(link_in(mailbox.to("rosa.new@example.org")[0], "/address-change/"))
    audit.check(page, "confirm a new address")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("Your address is now rosa.new@example.org")).to_be_visible()

    page.get_by_label("Language of your emails").select_option("es")
    page.get_by_role("button", name="Save my language").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("link", name="Apoyo Defensivo")).to_be_visible()
    audit.check(page, "member page in Spanish")
    db.session.expire_all()
    person = db.session.get(Person, db.session.query(Person.id).scalar())
    assert (person.name, person.email, person.language) == ("Rosa María Applicant", "rosa.new@example.org", "es")

    page.goto("/my-link")
    audit.check(page, "email me my link")
    page.locator("#email").fill("rosa.new@example.org")  # the page is in Spanish now: by id, not by label
    page.locator("#submit").click()
    audit.check(page, "link sent")
    page.goto("/me/not-a-link")
    audit.check(page, "link ended")
    assert not audit.problems, audit.report()
