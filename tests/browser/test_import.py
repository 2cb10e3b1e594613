"""Importing members in a real browser, CSRF on: by the page's labels, and a file far over the limit."""
from playwright.sync_api import expect

from tests.browser.conftest import log_in

MEMBERS = "Nombre;Correo electrónico;Organización\r\nJosé Núñez;josé@example.org;Oasis Legal\r\n".encode("cp1252")


def test_a_contact_imports_a_spanish_excel_file_from_the_roster_and_the_new_member_is_welcomed(
        page, make, mailbox, deliver):
    contact = make.user(name="Dalia Contact", email="dalia@example.org")
    make.group(contacts=[contact])
    log_in(page, "dalia@example.org")
    page.goto("/groups/defensive-support/roster")
    page.get_by_role("link", name="Import members (CSV)").click()
    page.get_by_label("CSV file").set_input_files(files=[{"name": "miembros.csv", "mimeType": "text/csv",
                                                         "buffer": MEMBERS}])
    page.get_by_label("Send a welcome email to each new member").check()
    page.get_by_role("button", name="Preview the import").click()
    expect(page.get_by_role("heading", name="New members (1)")).to_be_visible()
    expect(page.get_by_role("cell", name="José Núñez")).to_be_visible()
    page.get_by_role("button", name="Import these members").click()
    expect(page.get_by_role("status").filter(has_text="1 new member imported.")).to_be_visible()
    expect(page.get_by_role("cell", name="josé@example.org", exact=True)).to_be_visible()  # on the roster
    deliver()
    (welcome,) = mailbox.messages
    assert welcome.rcpt_tos == ["josé@example.org"]


def test_a_file_far_over_the_limit_gets_the_upload_page_with_the_limit(page, make):
    contact = make.user(name="Dalia Contact", email="dalia@example.org")
    make.group(contacts=[contact])
    log_in(page, "dalia@example.org")
    page.goto("/groups/defensive-support/import")
    page.get_by_label("CSV file").set_input_files(files=[{"name": "huge.csv", "mimeType": "text/csv",
                                                         "buffer": b"name,email\r\n" + b"x" * (20 * 1024 * 1024)}])
    page.get_by_role("button", name="Preview the import").click()
    expect(page.get_by_role("alert")).to_have_text("The file is too large: at most 5 MB.")
    expect(page.get_by_label("CSV file")).to_be_visible()
