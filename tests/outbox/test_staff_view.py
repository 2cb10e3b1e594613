"""The message page as staff follow a roster email going out: counts, failures, retry, cancel."""
import re

import pytest

from tests.conftest import login
from tests.fault_smtp import closed_port
from tests.outbox.conftest import claim_and_die, leases_run_out, rows, time_passes
from tests.mailing.sending import send_message

MEMBERS = ["ana@example.org", "ben@example.org", "cy@example.org"]


@pytest.fixture
def sent(client, make):
    """Staff have written to a group of three; the page of that message."""
    make.user(name="Sam Staff", email="staff@example.org", role="staff")
    group = make.group()
    for address in MEMBERS:
        make.member(group, email=address)
    login(client, "staff@example.org")
    response = send_message(client, {"groups": [group.id], "subject": "Hill visit", "body": "Please join us."})
    assert response.status_code == 302
    return response.location


def counts(page):
    """The delivery counts table: {status: n}, as staff read it."""
    table = page[page.index("<table"):page.index("</table>")]
    statuses = re.findall(r'<th scope="col"><span class="status status-(\w+)">', table)
    numbers = [int(n) for n in re.findall(r"<td[^>]*>(\d+)</td>", table)]
    return {s: n for s, n in zip(statuses, numbers) if n}


def recipients(page):
    """The recipients table, as staff read it."""
    table = page[page.index(">Recipients</h2>"):]
    return table[:table.index("</table>")]


def test_counts_follow_the_sending_and_failures_show_the_servers_reply(client, sent, server, deliver):
    assert counts(client.get(sent).get_data(as_text=True)) == {"queued": 3}
    server.fail("RCPT", "550 5.7.1 Relaying denied", address="ben@example.org", times=1)
    server.fail("RCPT", "451 4.7.1 Greylisted", address="cy@example.org", times=1)
    deliver()
    page = client.get(sent).get_data(as_text=True)
    assert counts(page) == {"queued": 1, "sent": 1, "failed": 1}
    assert "Retry failed deliveries" in page and "Cancel what is still queued" in page
    failed = recipients(client.get(sent + "?status=failed").get_data(as_text=True))
    assert "ben@example.org" in failed and "550 5.7.1 Relaying denied" in failed
    assert "ana@example.org" not in failed and "cy@example.org" not in failed

    retried = client.post(sent + "/retry", follow_redirects=True).get_data(as_text=True)
    assert "1 failed deliveries queued again." in retried
    assert counts(retried) == {"queued": 2, "sent": 1}
    time_passes()
    deliver()
    assert counts(client.get(sent).get_data(as_text=True)) == {"sent": 3}
    assert server.copies() == {a: 1 for a in MEMBERS}


def test_cancel_stops_what_is_still_queued(client, sent, server, deliver):
    page = client.post(sent + "/cancel", follow_redirects=True).get_data(as_text=True)
    assert "3 queued deliveries cancelled." in page
    assert counts(page) == {"cancelled": 3}
    deliver()
    assert server.messages == []


def test_the_page_says_when_the_mail_server_cannot_be_reached(client, sent, server, deliver, app):
    app.config["MAIL_PORT"] = closed_port()
    deliver()
    page = client.get(sent).get_data(as_text=True)
    assert "The mail server cannot be reached" in page
    assert counts(page) == {"queued": 3}
    assert ">Failed or set aside (" not in page
    assert {d.attempts for d in rows().values()} == {0}

    app.config["MAIL_PORT"] = server.port
    time_passes()
    deliver()
    page = client.get(sent).get_data(as_text=True)
    assert "The mail server cannot be reached" not in page
    assert counts(page) == {"sent": 3}


def test_only_staff_may_retry_or_cancel(client, sent, make, server):
    client.post("/logout")
    make.user(name="Casey Contact", email="casey@example.org")
    login(client, "casey@example.org")
    assert client.post(sent + "/cancel").status_code == 403
    assert {d.status for d in rows().values()} == {"queued"}


def test_deliveries_set_aside_as_dead_are_shown_and_can_be_retried(client, sent, server, deliver, app):
    for n in range(3):  # three workers died holding the rows
        claim_and_die(app, f"worker-{n}")
        leases_run_out()
    deliver()
    page = client.get(sent).get_data(as_text=True)
    assert counts(page) == {"dead": 3}
    assert recipients(client.get(sent + "?status=failed").get_data(as_text=True)).count("Set aside") == 3
    client.post(sent + "/retry")
    deliver()
    assert counts(client.get(sent).get_data(as_text=True)) == {"sent": 3}
    assert server.copies() == {a: 1 for a in MEMBERS}
