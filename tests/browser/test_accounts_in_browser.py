"""Accounts in a real browser, with CSRF on and axe on every page: an invitation, two-factor sign-in,
signing in again for a sensitive action, and a forgotten password."""
import re

import pyotp
from playwright.sync_api import expect

from tests.browser.conftest import link_in, log_in, submit_login
from tests.browser.test_accessibility import AccessibilityAudit


def test_an_invitation_then_two_factor_sign_in_then_a_reset(page, new_page, make, mailbox, deliver):
    audit = AccessibilityAudit()
    make.user(name="Sam Staff", email="staff@example.org", role="staff")
    staff = new_page()
    log_in(staff, "staff@example.org")
    staff.goto("/staff/accounts")
    staff.get_by_label("Name").fill("Rachel New")
    staff.get_by_label("Email", exact=True).fill("rachel@example.org")
    staff.get_by_role("button", name="Send the invitation").click()
    expect(staff.get_by_text("We emailed Rachel New an invitation")).to_be_visible()
    staff.goto("/staff/accounts")
    audit.check(staff, "accounts with an invited person")

    deliver()
    page.goto(link_in(mailbox.to("rachel@example.org")[0], "/account/choose-password/"))
    audit.check(page, "choose a password")
    page.get_by_label("New password", exact=True).fill("password1234")
    page.get_by_label("New password again").fill("password1234")
    page.get_by_role("button", name="Save my password").click()
    expect(page.get_by_label("New password", exact=True)).to_have_accessible_description(
        re.compile("one of the passwords people use most"))
    expect(page.get_by_role("alert")).to_be_focused()  # the summary, which links to the field
    audit.check(page, "choose a password, refused")
    page.get_by_label("New password", exact=True).fill("river stones at dawn")
    page.get_by_label("New password again").fill("river stones at dawn")
    page.get_by_role("button", name="Save my password").click()
    expect(page.get_by_text("Your password is saved.")).to_be_visible()
    submit_login(page, "rachel@example.org", "river stones at dawn")

    page.goto("/account")
    audit.check(page, "my account")
    page.get_by_role("link", name="Set up two-factor sign-in").click()
    audit.check(page, "set up two-factor sign-in")
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("heading", name="Two-factor sign-in is on")).to_be_visible()
    audit.check(page, "recovery codes")
    codes = re.findall(r"[0-9a-f]{5}-[0-9a-f]{5}", page.content())
    assert len(codes) == 10

    page.get_by_role("button", name="Log out").click()
    page.goto("/login")
    submit_login(page, "rachel@example.org", "river stones at dawn")
    expect(page.get_by_role("heading", name="Two-factor sign-in")).to_be_visible()
    audit.check(page, "code step")
    page.get_by_label("Code from your authenticator app, or a recovery code").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Those sign-in details are not right.")).to_be_visible()
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("link", name="My account")).to_be_visible()

    # Entering the password again (as a sensitive action an hour later asks) wants a code too.
    page.goto("/account/confirm?next=/account")
    audit.check(page, "enter your password again")
    page.get_by_label("Password").fill("river stones at dawn")
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(codes[1])
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="My account")).to_be_visible()
    page.get_by_role("button", name="Sign out everywhere").click()
    expect(page.get_by_text("You are signed out everywhere")).to_be_visible()

    page.get_by_role("link", name="Forgot your password?").click()
    audit.check(page, "forgot your password")
    page.get_by_label("Email", exact=True).fill("rachel@example.org")
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_text("If an active account has the address rachel@example.org")).to_be_visible()
    page.goto("/account/choose-password/not-a-token")
    audit.check(page, "link problem, accounts")
    assert not audit.problems, audit.report()
