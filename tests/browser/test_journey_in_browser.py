"""The journey through a real browser: forms filled by label, CSRF on, email links followed."""
import re

from playwright.sync_api import expect

from tests.browser.conftest import link_in, log_in, request_to_join, submit_login


def test_join_confirm_approve_and_email_the_roster(page, new_page, make, mailbox, deliver):
    contact = make.user(name="Dalia Contact", email="dalia@example.org")
    make.user(name="Sam Staff", email="staff@example.org", role="staff")
    group = make.group(contacts=[contact])
    other = make.group(slug="youth-organizing", name="Youth Organizing")
    make.member(group, name="Ana Existing", email="ana@example.org")
    make.member(other, name="Ana Existing", email="ana@example.org")  # in both groups: one email
    make.member(other, name="Omar Other", email="omar@example.org")
    make.member(group, name="Pat Pending", email="pat@example.org", status="pending")  # no roster mail

    # 1. A visitor finds the group and asks to join it.
    page.goto("/groups")
    page.get_by_role("link", name="Defensive Support").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Defensive Support")
    expect(page.get_by_text("Contact person: Dalia Contact")).to_be_visible()
    request_to_join(page, "Rosa Applicant", "rosa@example.org",
                    organization="The Door", note="I support youth in the backlog.")
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    # 2. The confirmation email; its link shows a button, and only the button confirms.
    deliver()
    (confirmation,) = mailbox.to("rosa@example.org")
    assert confirmation.subject == "Confirm your request to join Defensive Support"
    page.goto(link_in(confirmation, "/confirm/"))
    expect(page.get_by_role("heading", name="Confirm your request")).to_be_visible()
    deliver()
    assert mailbox.to("dalia@example.org") == []
    mailbox.clear()
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Thank you, your request is confirmed")).to_be_visible()

    # 3. The contact is told, logs in, opens the review link from the email and approves.
    deliver()
    (to_contact,) = mailbox.to("dalia@example.org")
    assert "Rosa Applicant" in to_contact.subject
    assert "I support youth in the backlog." in to_contact.text()
    (received,) = mailbox.to("rosa@example.org")
    assert "We received your request" in received.subject
    contact_page = new_page()
    contact_page.goto(link_in(to_contact, "/review"))  # not logged in yet: the login page comes first
    expect(contact_page).to_have_url(re.compile("/login"))
    submit_login(contact_page, "dalia@example.org")
    expect(contact_page.get_by_role("heading", name="Requests to join Defensive Support")).to_be_visible()
    request = contact_page.get_by_role("region", name="Rosa Applicant")
    expect(request).to_contain_text("I support youth in the backlog.")
    expect(contact_page.get_by_role("region", name="Pat Pending")).to_be_visible()
    mailbox.clear()
    request.get_by_role("button", name="Approve").click()
    expect(contact_page.get_by_role("status")).to_have_text("Rosa Applicant is now a member.")
    expect(contact_page.get_by_role("region", name="Rosa Applicant")).to_have_count(0)

    # 4. The applicant gets the welcome email, whose link opens their own page.
    deliver()
    (welcome,) = mailbox.to("rosa@example.org")
    assert welcome.subject == "Welcome to Defensive Support"
    page.goto(link_in(welcome, "/me/"))
    expect(page.get_by_role("row", name=re.compile("Defensive Support"))).to_contain_text("Active")

    # 5. Staff write to both rosters: the preview shows the footer, Send queues, the worker delivers.
    staff_page = new_page()
    log_in(staff_page, "staff@example.org")
    staff_page.goto("/messages/new")
    staff_page.get_by_label("Defensive Support").check()
    staff_page.get_by_label("Youth Organizing").check()
    staff_page.get_by_label("Subject").fill("Hill visit on Tuesday")
    staff_page.get_by_label("Message").fill("Please **join** us.")
    mailbox.clear()
    staff_page.get_by_role("button", name="Preview").click()
    preview = staff_page.get_by_role("region", name="Preview: what a member receives")
    expect(preview).to_contain_text("It will go to 3 members.")
    expect(preview.locator("strong", has_text="join")).to_be_visible()
    expect(preview).to_contain_text("You receive this email as a member of")
    expect(preview.get_by_role("link", name="Stop all group emails")).to_be_visible()
    # The email's own page styles stay inside the preview: the page around it keeps its full width.
    page_width = staff_page.evaluate("document.documentElement.clientWidth")
    assert staff_page.locator("header.site").bounding_box()["width"] == page_width
    expect(staff_page).to_have_title("Write a message · Coalition Groups")
    deliver()
    assert mailbox.messages == []  # a preview sends nothing
    staff_page.get_by_role("button", name="Send to the roster").click()
    expect(staff_page.get_by_role("heading", level=1)).to_have_text("Check before sending")
    expect(staff_page.locator("dl")).to_contain_text("It will go to 3 members.")
    deliver()
    assert mailbox.messages == []  # the second look sends nothing either
    staff_page.get_by_role("button", name="Yes, send it to 3 members now").click()
    expect(staff_page.get_by_role("heading", level=1)).to_have_text("Hill visit on Tuesday")
    expect(staff_page.get_by_role("status")).to_have_text("Your message is queued for 3 members.")

    deliver()
    received_by = sorted(address for message in mailbox.messages for address in message.rcpt_tos)
    assert received_by == ["ana@example.org", "omar@example.org", "rosa@example.org"]
    for message in mailbox.messages:
        assert message.subject == "Hill visit on Tuesday"
        assert [a.addr_spec for a in message.message["To"].addresses] == message.rcpt_tos
        assert "Please **join** us." in message.text()
        assert "/unsubscribe/" in message.text()
    staff_page.reload()
    expect(staff_page.get_by_role("row", name=re.compile("rosa@example.org"))).to_contain_text("Sent")


def test_empty_join_form_shows_a_message_per_field_and_keeps_what_was_typed(page, make):
    make.group()
    page.goto("/groups/defensive-support")
    page.get_by_label("Why do you want to join?").fill("Typed before the mistake.")
    page.get_by_role("button", name="Request to join").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Please correct the fields marked below.")
    expect(summary).to_be_focused()  # after a failed submit the focus is on what went wrong, not the page's top
    summary.get_by_role("link", name="Full name: Please enter your name.").click()
    expect(page.get_by_label("Full name")).to_be_focused()
    name = page.get_by_label("Full name")
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(name).to_have_accessible_description("Please enter your name.")
    expect(page.get_by_label("Email", exact=True)).to_have_accessible_description("Please enter your email address.")
    expect(page.get_by_label("I agree to be contacted by email")).to_have_accessible_description(
        "We need your agreement to email you about the group.")
    expect(page.get_by_label("Why do you want to join?")).to_have_value("Typed before the mistake.")

    page.get_by_label("Email", exact=True).fill("not an address")
    page.get_by_role("button", name="Request to join").click()
    expect(page.get_by_label("Email", exact=True)).to_have_accessible_description(
        "Please enter a valid email address.")
    expect(page.get_by_label("Email", exact=True)).to_have_value("not an address")
    expect(page.get_by_label("Why do you want to join?")).to_have_value("Typed before the mistake.")


def test_join_and_confirm_work_without_javascript(new_page, make, mailbox, deliver):
    make.group(contacts=[make.user(name="Dalia Contact", email="dalia@example.org")])
    page = new_page(java_script_enabled=False)
    page.goto("/groups")
    page.get_by_role("link", name="Defensive Support").click()
    request_to_join(page, "Rosa Applicant", "rosa@example.org")
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    deliver()
    (confirmation,) = mailbox.to("rosa@example.org")
    page.goto(link_in(confirmation, "/confirm/"))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Thank you, your request is confirmed")).to_be_visible()
    deliver()
    assert [m.subject for m in mailbox.to("dalia@example.org")] == ["New request to join Defensive Support: Rosa Applicant"]
