"""Real-browser fixtures: the app served over HTTP with CSRF on, and Debian's chromium driving it.

Without /usr/bin/chromium these tests skip, unless REQUIRE_BROWSER=1 (as CI sets): then they fail,
because a skipped check must never pass for a done one.
"""
import os
import re
import threading
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.conftest import links_in

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def _unavailable(reason):
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests are required (REQUIRE_BROWSER=1) but {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason} (install Debian's chromium: apt-get install chromium)")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def config_overrides():
    # A browser sends the CSRF token the page gave it, as a real visitor does.
    return {"WTF_CSRF_ENABLED": True}


class QuietRequestHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass  # one line per request and stylesheet would bury a failure's report


@pytest.fixture
def live_server(app):
    """The app on a free local port, in a thread; PUBLIC_URL points email links at it."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    app.config["PUBLIC_URL"] = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app.config["PUBLIC_URL"]
    server.shutdown()
    thread.join()
    server.server_close()


def _new_page(browser, live_server, **options):
    context = browser.new_context(base_url=live_server, **options)
    context.set_default_timeout(10_000)
    return context, context.new_page()


@pytest.fixture
def page(browser, live_server):
    context, page = _new_page(browser, live_server)
    yield page
    context.close()


@pytest.fixture
def new_page(browser, live_server):
    """new_page(**context_options) -> a page in a fresh browser context (its own cookies)."""
    contexts = []

    def open_page(**options):
        context, page = _new_page(browser, live_server, **options)
        contexts.append(context)
        return page

    yield open_page
    for context in contexts:
        context.close()


def link_in(message, fragment):
    """The first link in an email's text part that contains fragment."""
    return next(link for link in links_in(message.text()) if fragment in link)


def log_in(page, email, password="correct horse battery"):
    page.goto("/login")
    submit_login(page, email, password)


def submit_login(page, email, password="correct horse battery"):
    """Fill and send the login form the page shows."""
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def send_to_roster(page, group, subject, body, confirm=re.compile("Yes, send it")):
    """As staff: write a message to a group's roster and send it, through the second look (its button `confirm`)."""
    page.goto("/messages/new")
    page.get_by_label(group).check()
    page.get_by_label("Subject").fill(subject)
    page.get_by_label("Message").fill(body)
    page.get_by_role("button", name="Send to the roster").click()
    page.get_by_role("button", name=confirm).click()


def request_to_join(page, name, email, **optional):
    """On a group's page, fill the Request to join form by its labels, as a visitor does, and submit it."""
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email", exact=True).fill(email)
    if "organization" in optional:
        page.get_by_label("Organization").fill(optional["organization"])
    if "note" in optional:
        page.get_by_label("Why do you want to join?").fill(optional["note"])
    page.get_by_label("I agree to be contacted by email").check()
    page.get_by_role("button", name="Request to join").click()
