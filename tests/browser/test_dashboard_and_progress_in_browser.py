"""The dashboard's charts and a send's progress, in a real browser with JavaScript off."""
from playwright.sync_api import expect

from tests.browser.conftest import log_in, send_to_roster


def test_the_dashboard_draws_its_charts_and_gives_their_numbers_without_javascript(new_page, make):
    dalia = make.user(name="Dalia Contact", email="dalia@example.org")
    group = make.group(contacts=[dalia])
    for _ in range(3):
        make.member(group)
    make.member(group, status="pending")
    page = new_page(java_script_enabled=False)
    log_in(page, "dalia@example.org")
    page.goto("/dashboard")
    row = page.get_by_role("row", name="Defensive Support")
    expect(row.get_by_role("cell").nth(0)).to_have_text("3")
    expect(row).to_contain_text("1 waiting")
    charts = page.locator("figure.chart img")
    expect(charts).to_have_count(3)
    for i in range(3):
        # Each SVG image decoded and drawn (a broken image has no natural width).
        assert charts.nth(i).evaluate("img => img.complete && img.naturalWidth > 0") is True
        assert charts.nth(i).get_attribute("alt")
    first = page.get_by_role("figure").first
    table = first.get_by_role("table")
    expect(table).to_be_hidden()
    first.locator("summary").click()
    expect(table).to_be_visible()
    expect(table.get_by_role("row").last).to_contain_text("3")


def test_the_message_page_reloads_itself_until_the_send_is_finished(new_page, make, deliver):
    staff = make.user(name="Sam Staff", email="staff@example.org", role="staff")
    group = make.group(contacts=[staff])
    for _ in range(4):
        make.member(group)
    page = new_page(java_script_enabled=False)
    log_in(page, "staff@example.org")
    send_to_roster(page, "Defensive Support", "Hill visit", "Please join us.",
                   confirm="Yes, send it to 4 members now")  # the second look
    expect(page.get_by_text("Sending: 0 of 4 done")).to_be_visible()
    expect(page.locator("progress")).to_have_attribute("value", "0")
    deliver()
    # Nobody touches the page: it reloads itself, then says the send is finished, and stops.
    expect(page.get_by_text("Finished: 4 sent, 0 failed, 0 not sent, of 4.")).to_be_visible(timeout=10_000)
    expect(page.locator("progress")).to_have_attribute("value", "4")
    expect(page.get_by_role("link", name="Stop updating")).to_have_count(0)
