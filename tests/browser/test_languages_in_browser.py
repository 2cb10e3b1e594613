"""The header's language switch in a real browser, with CSRF on and JavaScript off."""
import re

from playwright.sync_api import expect

from tests.browser.conftest import link_in


def test_a_visitor_switches_to_spanish_without_javascript_and_joins_in_spanish(new_page, make, mailbox, deliver):
    make.group(contacts=[make.user(email="dalia@example.org")])
    page = new_page(java_script_enabled=False, locale="en-US")
    page.goto("/groups/defensive-support")
    page.get_by_role("group", name="Language").get_by_role("button", name="Español").click()

    expect(page).to_have_url(re.compile(r"/groups/defensive-support$"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", name="Quiero unirme")).to_be_visible()
    page.get_by_label("Nombre completo").fill("Rosa Solicitante")
    page.get_by_label("Correo electrónico").fill("rosa@example.org")
    page.get_by_label("Acepto que me escriban por correo").check()
    page.get_by_role("button", name="Quiero unirme").click()
    expect(page.get_by_role("heading", name="Revisa tu correo")).to_be_visible()

    deliver()
    (confirmation,) = mailbox.to("rosa@example.org")
    assert confirmation.subject == "Confirma tu solicitud para unirte a Defensive Support"
    other_browser = new_page(java_script_enabled=False, locale="en-US")
    other_browser.goto(link_in(confirmation, "/confirm/"))
    other_browser.get_by_role("button", name="Confirmar").click()
    expect(other_browser.get_by_role("heading", name="Gracias, tu solicitud está confirmada")).to_be_visible()

    page.get_by_role("group", name="Idioma").get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
