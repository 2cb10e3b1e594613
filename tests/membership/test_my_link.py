""""Email me my link": the same answer for any address, a new link that ends the old ones, and rate limits."""
import re

import pytest

from tests.conftest import links_in
from webapp.membership.tokens import member_token


def ask_link(client, address, ip="192.0.2.1"):
    return client.post("/my-link", data={"email": address}, environ_base={"REMOTE_ADDR": ip})


def test_a_known_address_gets_its_link_and_an_unknown_one_the_same_page_and_nothing(client, make, mailbox, deliver):
    make.member(make.group(), name="Ana Morales", email="ana@example.org")
    form = client.get("/my-link").get_data(as_text=True)
    assert '<label for="email">Your email address</label>' in form
    known = ask_link(client, "ANA@example.org")
    unknown = ask_link(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    # Word for word the same page, but for the address typed.
    assert known.get_data(as_text=True).replace("ana@example.org", "X") == \
        unknown.get_data(as_text=True).replace("nobody@example.org", "X")
    deliver()
    (message,) = mailbox.messages
    assert message.rcpt_tos == ["ana@example.org"] and message.subject == "Your link to your groups"
    (link,) = [u for u in links_in(message.text()) if "/me/" in u]
    page = client.get(re.sub(r"^https?://[^/]+", "", link)).get_data(as_text=True)
    assert "Hello Ana Morales" in page


def test_a_new_link_ends_the_old_ones_and_old_ones_work_until_then(client, make, mailbox, deliver):
    ana = make.member(make.group(), email="ana@example.org")
    old = f"/me/{member_token(ana.person)}"
    assert client.get(old).status_code == 200
    assert client.get(old).status_code == 200  # a link works as often as it is opened
    ask_link(client, "ana@example.org")
    deliver()
    (message,) = mailbox.messages
    (new,) = [re.sub(r"^https?://[^/]+", "", u) for u in links_in(message.text()) if "/me/" in u]
    ended = client.get(old)
    assert ended.status_code == 404 and "a newer link to your page was sent since" in ended.get_data(as_text=True)
    assert client.post(f"{old}/name", data={"name": "Someone Else"}).status_code == 404
    assert client.get(new).status_code == 200


def test_a_bad_address_is_refused_with_a_message(client, app):
    response = ask_link(client, "not an address")
    assert response.status_code == 400 and "Please enter a valid email address." in response.get_data(as_text=True)


class TestRateLimits:
    @pytest.fixture
    def config_overrides(self):
        return {"RATELIMIT_ENABLED": True, "LINK_RATE_LIMIT": "2 per hour", "LINK_IP_RATE_LIMIT": "4 per hour"}

    def test_per_address_whoever_asks(self, client, make, mailbox, deliver):
        make.member(make.group(), email="ana@example.org")
        codes = [ask_link(client, "ana@example.org", ip=f"192.0.2.{i}").status_code for i in range(1, 4)]
        assert codes == [200, 200, 429]
        assert ask_link(client, "Ana@Example.org ", ip="192.0.2.9").status_code == 429  # the same address
        deliver()
        assert len(mailbox.messages) == 2

    def test_per_client_address(self, client, app):
        codes = [ask_link(client, f"p{i}@example.org", ip="198.51.100.7").status_code for i in range(5)]
        assert codes == [200, 200, 200, 200, 429]
        assert ask_link(client, "p9@example.org", ip="198.51.100.8").status_code == 200
