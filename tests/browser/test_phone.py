"""Every page at 375 px wide, as a visitor, a contact and staff see it: nothing wider than the screen, and axe
(WCAG 2.1 A/AA and 2.2's target size) finds nothing. With SCREENSHOTS=1 (`make screenshots`) the main pages
are saved as PNGs at phone and desktop sizes into docs/screenshots/."""
import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import link_in, log_in, send_to_roster
from webapp.membership.tokens import member_token

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _problems(page, name, axe):
    found = []
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > 375.5).slice(0, 3)
            .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
        found.append(f"[{name}] {page.url} is {width} px wide at 375: {wide}")
    results = axe.run(page, options={"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]})
    for violation in results.response["violations"]:
        nodes = "; ".join(" ".join(map(str, n["target"])) for n in violation["nodes"][:3])
        found.append(f"[{name}] {page.url} {violation['id']}: {violation['help']} at {nodes}")
    return found


def shoot(page, name):
    """Save the viewport (not the whole page: small files) when `make screenshots` asked for it."""
    if os.environ.get("SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"))


@pytest.fixture
def world(make, deliver, mailbox):
    contact = make.user(name="Dalia Castillo-Granados", email="dalia@example.org")
    make.user(name="Sam Staff", email="staff@example.org", role="staff")
    group = make.group(contacts=[contact])
    make.group(slug="youth-organizing", name="Youth Organizing", policy="closed")
    member = make.member(group, name="Ana Existing", email="ana@example.org", organization="The Door of a Very "
                         "Long Organization Name That Goes On")
    for i in range(3):
        make.member(group, name=f"Isabel Vega {i}", email=f"isabel{i}@example.org", status="pending")
    return {"group": group, "member": member}


def test_every_page_fits_a_375_px_screen_and_passes_axe(new_page, world, deliver):
    axe, problems, seen = Axe(), [], []
    member = world["member"]
    visitor = new_page(viewport=PHONE)
    for path, name in [("/", "home"), ("/groups", "directory"), ("/organizations", "organizations"),
                       ("/groups/defensive-support", "group page"), ("/groups/youth-organizing", "closed group"),
                       ("/login", "login"), ("/login/forgot", "forgot password"), ("/my-link", "email me my link"),
                       (f"/me/{member_token(member.person)}", "member page"),
                       ("/confirm/not-a-real-token", "link problem"), ("/nowhere", "404")]:
        visitor.goto(path)
        problems += _problems(visitor, name, axe)
        seen.append(name)
    visitor.goto("/groups/defensive-support")
    visitor.get_by_role("button", name="Request to join").click()
    expect(visitor.get_by_role("alert")).to_be_focused()
    problems += _problems(visitor, "join form with errors", axe)

    staff = new_page(viewport=PHONE)
    log_in(staff, "staff@example.org")
    send_to_roster(staff, "Defensive Support", "Hill visit on Tuesday", "Please join us.")
    message_url = staff.url
    staff_pages = [
        ("/dashboard", "dashboard"), ("/review", "review"), ("/groups/defensive-support/review", "review, one group"),
        ("/groups/defensive-support/roster", "roster"), (f"/memberships/{member.id}", "history"),
        (f"/memberships/{member.id}/remove", "remove, confirm"),
        ("/staff/accounts", "accounts"), ("/staff/groups", "staff groups"), ("/staff/groups/new", "new group"),
        ("/staff/groups/defensive-support/edit", "edit group"), ("/staff/audit", "audit log"),
        ("/staff/mail", "mail"), ("/staff/suppressions", "suppressions"), ("/staff/bounces", "bounces"),
        ("/account", "my account"), ("/account/password", "password"), ("/account/email", "email preferences"),
        ("/staff/organizations", "organizations, staff"),
        (f"/staff/organizations/{member.organization_id}", "edit organization"),
        (f"/staff/organizations/{member.organization_id}/people", "organization's people"),
        ("/groups/defensive-support/import", "import"), ("/groups/defensive-support/members/new", "add a member"),
        ("/staff/people", "people"), (f"/staff/people/{member.person_id}", "a person's data"),
        ("/messages/", "messages"), ("/messages/new", "compose"), (message_url, "message, sending"),
    ]
    for path, name in staff_pages:
        staff.goto(path)
        problems += _problems(staff, name, axe)
        seen.append(name)
    staff.locator("summary", has_text="Menu").click()
    expect(staff.get_by_role("link", name="Audit log")).to_be_visible()
    deliver()
    staff.goto(message_url)
    problems += _problems(staff, "message, finished", axe)

    contact = new_page(viewport=PHONE)
    log_in(contact, "dalia@example.org")
    for path, name in [("/dashboard", "contact's dashboard"), ("/review", "contact's review"),
                       ("/groups/defensive-support/roster", "contact's roster"), (message_url, "contact's message")]:
        contact.goto(path)
        problems += _problems(contact, name, axe)
    assert len(seen) == 38
    if problems:
        pytest.fail(f"{len(problems)} problems:\n" + "\n".join(problems), pytrace=False)


def test_the_menu_folds_and_the_join_form_is_one_tap_away_on_a_phone(new_page, world):
    page = new_page(viewport=PHONE)
    log_in(page, "staff@example.org")
    page.goto("/groups/defensive-support")
    menu = page.get_by_role("navigation", name="Main, folded")
    expect(menu.get_by_role("link", name="Audit log")).to_be_hidden()
    # The menu takes one line, not most of the screen.
    assert page.locator("header.site").bounding_box()["height"] < 150
    page.get_by_role("link", name="Request to join this group").click()
    expect(page.get_by_label("Full name")).to_be_in_viewport()
    box = page.get_by_label("I agree to be contacted by email").bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24, box


def _history_for_the_pictures(make, group):
    """A year of joins, leaves and decisions, so that the dashboard's charts have something to show."""
    from datetime import timedelta

    from webapp.db_types import utcnow
    from webapp.extensions import db
    from webapp.membership.models import MembershipEvent, Status

    youth = make.group(slug="narrative", name="Narrative-Based Advocacy")
    for g, count in ((group, 40), (youth, 25)):
        for i in range(count):
            m = make.member(g)
            days = 360 - i * (330 // count)
            m.events[0].created_at = utcnow() - timedelta(days=days)
            db.session.add(MembershipEvent(membership_id=m.id, actor_label="test", from_status=Status.UNCONFIRMED,
                                           to_status=Status.PENDING,
                                           created_at=utcnow() - timedelta(days=days, hours=6 + (i * 7) % 60)))
            m.events[0].from_status = Status.PENDING
    db.session.commit()


def test_screenshots_of_the_main_pages(new_page, world, deliver, make):
    """The README's pictures: the join page, the review queue, the dashboard and the message page."""
    _history_for_the_pictures(make, world["group"])
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        visitor = new_page(viewport=viewport)
        visitor.goto("/groups/defensive-support")
        shoot(visitor, f"join-{size}")
        staff = new_page(viewport=viewport)
        log_in(staff, "staff@example.org")
        staff.goto("/review")
        expect(staff.get_by_role("heading", level=1)).to_be_visible()
        shoot(staff, f"review-{size}")
        staff.goto("/dashboard")
        expect(staff.locator("figure.chart img")).to_have_count(3)
        staff.get_by_role("heading", name="My groups").scroll_into_view_if_needed()
        staff.evaluate("window.scrollTo(0, document.querySelector('main h1').offsetTop - 8)")
        shoot(staff, f"dashboard-{size}")
        send_to_roster(staff, "Defensive Support", f"Hill visit ({size})", "Please join us on Tuesday.")
        expect(staff.locator("progress")).to_be_visible()
        shoot(staff, f"message-{size}")
        assert re.search(r"/messages/\d+$", staff.url)


def test_the_pages_along_the_way_fit_a_375_px_screen_and_pass_axe(new_page, world, deliver, mailbox):
    """The pages one reaches only by doing something: a join and its confirmation, a message's drafts and second
    look, an import's preview, an unsubscribe, an address change, the sign-in steps, a bounce, a removal."""
    import pyotp

    from webapp.accounts.models import LinkPurpose, User
    from webapp.accounts.password_links import issue
    from webapp.bounces.models import Bounce, BounceKind
    from webapp.extensions import db

    axe, problems, seen = Axe(), [], []

    def check(page, name):
        problems.extend(_problems(page, name, axe))
        seen.append(name)

    visitor = new_page(viewport=PHONE)
    visitor.goto("/groups/defensive-support")
    visitor.get_by_label("Full name").fill("Rosa Diaz")
    visitor.get_by_label("Email", exact=True).fill("rosa@example.org")
    visitor.get_by_label("I agree to be contacted by email").check()
    visitor.get_by_role("button", name="Request to join").click()
    expect(visitor.get_by_role("heading", level=1)).to_be_visible()
    check(visitor, "check your email")
    deliver()
    visitor.goto(link_in(mailbox.to("rosa@example.org")[0], "/confirm/"))
    expect(visitor.get_by_role("heading", name="Confirm your request")).to_be_visible()
    check(visitor, "confirm")
    visitor.get_by_role("button", name="Confirm").click()
    expect(visitor.get_by_role("heading", name="Thank you, your request is confirmed")).to_be_visible()
    check(visitor, "confirmed")

    staff = new_page(viewport=PHONE)
    log_in(staff, "staff@example.org")
    staff.goto("/messages/new")
    staff.get_by_role("button", name="Send to the roster").click()
    expect(staff.locator(":focus")).to_have_attribute("role", "alert")
    check(staff, "compose with errors")
    staff.get_by_label("Defensive Support").check()
    staff.get_by_label("Subject").fill("Hill visit")
    staff.get_by_label("Message").fill("Please **join** us on Tuesday.")
    staff.get_by_role("button", name="Preview").click()
    expect(staff.get_by_role("region", name="Preview: what a member receives")).to_be_visible()
    check(staff, "compose with preview")
    staff.goto(re.sub(r"/messages/(\d+).*", r"/messages/\1/edit", staff.locator("form[enctype]").get_attribute(
        "action")))
    check(staff, "message edit")
    staff.get_by_role("button", name="Send to the roster").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Check before sending")
    check(staff, "the send confirmation")
    staff.get_by_role("button", name=re.compile("Yes, send it")).click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Hill visit")

    staff.goto("/groups/defensive-support/import")
    staff.get_by_label("CSV file").set_input_files(files=[{
        "name": "members.csv", "mimeType": "text/csv",
        "buffer": "name,email\r\nRosa Nueva,rosa.nueva@example.org\r\nAna Existing,ana@example.org\r\n".encode()}])
    staff.get_by_role("button", name="Preview the import").click()
    expect(staff.get_by_role("heading", name="New members (1)")).to_be_visible()
    check(staff, "import preview")

    staff.goto("/groups/defensive-support/roster")
    staff.get_by_label("Select Ana Existing").check()
    staff.get_by_role("button", name="Remove the selected members").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Remove 1 member from Defensive Support?")
    check(staff, "remove the selected, confirm")

    bounce = Bounce(kind=BounceKind.UNPARSED, raw=b"Subject: Undeliverable\r\n\r\nThe mailbox is full.\r\n")
    db.session.add(bounce)
    db.session.commit()
    staff.goto(f"/staff/bounces/{bounce.id}")
    check(staff, "a bounce")
    staff.goto("/account/two-factor")
    check(staff, "two-factor, set up")
    staff.goto("/account/confirm?next=/account")
    check(staff, "password again")

    mailbox.clear()
    deliver()
    (roster_mail,) = mailbox.to("ana@example.org")
    member = new_page(viewport=PHONE)
    member.goto(link_in(roster_mail, "/me/"))
    member.get_by_label("New email address").fill("ana.new@example.org")
    member.get_by_role("button", name="Change my address").click()
    deliver()
    member.goto(link_in(mailbox.to("ana.new@example.org")[0], "/address-change/"))
    expect(member.get_by_role("heading", name="Confirm your new email address")).to_be_visible()
    check(member, "address change")
    member.goto(link_in(roster_mail, "/unsubscribe/"))
    check(member, "unsubscribe")
    member.get_by_role("button", name="Stop all group emails").click()
    expect(member.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
    check(member, "unsubscribed")

    contact = db.session.scalar(db.select(User).where(User.email == "dalia@example.org"))
    contact.totp_secret = pyotp.random_base32()
    token = issue(contact, LinkPurpose.RESET)
    db.session.commit()
    newcomer = new_page(viewport=PHONE)
    newcomer.goto(f"/account/choose-password/{token}")
    expect(newcomer.get_by_label("New password again")).to_be_visible()
    check(newcomer, "choose a password")
    log_in(newcomer, "dalia@example.org")
    expect(newcomer.get_by_role("heading", name="Two-factor sign-in")).to_be_visible()
    check(newcomer, "sign-in code")

    assert len(seen) == 17
    if problems:
        pytest.fail(f"{len(problems)} problems:\n" + "\n".join(problems), pytrace=False)
