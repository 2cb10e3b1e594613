"""The staff Mail page: every email, notices too, a failure found and sent again."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from webapp.local_time import local_time
from tests.conftest import login
from tests.fault_smtp import closed_port
from tests.outbox.conftest import queue, rows
from webapp.db_types import utcnow
from webapp.extensions import db
from webapp.outbox import services
from webapp.outbox.models import Delivery, DeliveryStatus, EmailKind

ROSA = "rosa@example.org"
CONFIRM = "Confirm your request to join Defensive Support"


@pytest.fixture
def staff(client, make):
    make.user(name="Sam Staff", email="staff@example.org", role="staff")
    login(client, "staff@example.org")


def ask_to_join(client, make, address=ROSA):
    """Someone asks to join a group on its page: a confirmation notice is queued."""
    make.group()
    response = client.post("/groups/defensive-support", data={"name": "Rosa", "email": address, "consent": "y"})
    assert response.status_code == 302


def listed(page):
    """(address, status) of each row of the deliveries table, in order."""
    table = page[page.index('<table class="deliveries">'):]
    table = table[:table.index("</table>")]
    return re.findall(r'<td class="address">([^<]+)</td>.*?status-(\w+)', table, flags=re.S)


def resend_action(page):
    return re.search(r'action="(/staff/mail/\d+/resend)"', page).group(1)


def test_a_failed_notice_is_found_from_the_home_page_and_sent_again(client, make, staff, server, deliver):
    server.fail("RCPT", "554 5.7.1 Rejected for policy reasons", address=ROSA, times=1)
    ask_to_join(client, make)
    deliver()
    assert server.to(ROSA) == []

    home = client.get("/dashboard").get_data(as_text=True)
    assert "1 email failed in the last 7 days." in home
    assert 'href="/staff/mail?status=failed"' in home
    page = client.get("/staff/mail?status=failed").get_data(as_text=True)
    assert listed(page) == [(ROSA, "failed")]
    for seen in (CONFIRM, "Notice", "554 5.7.1 Rejected for policy reasons", "Send again"):
        assert seen in page

    done = client.post(resend_action(page), follow_redirects=True).get_data(as_text=True)
    assert f"The email to {ROSA} is queued again." in done
    assert listed(done) == [(ROSA, "queued")]
    deliver()
    (received,) = server.to(ROSA)
    assert received.subject == CONFIRM
    assert listed(client.get(f"/staff/mail?address={ROSA}").get_data(as_text=True)) == [(ROSA, "sent")]
    assert "No email failed in the last 7 days." in client.get("/dashboard").get_data(as_text=True)
    assert f"queued an email to {ROSA} again" in client.get("/staff/audit").get_data(as_text=True)


def test_resending_puts_the_delivery_back_at_the_start(client, make, staff, server, deliver):
    server.fail("RCPT", "550 5.7.1 Relaying denied", address=ROSA)
    ask_to_join(client, make)
    deliver()
    (delivery,) = rows().values()
    db.session.execute(sa.update(Delivery).values(expired_leases=2, created_at=utcnow() - timedelta(days=3)))
    db.session.commit()
    services.resend(delivery.id, actor="test")
    db.session.expire_all()
    delivery = db.session.get(Delivery, delivery.id)
    assert (delivery.status, delivery.attempts, delivery.expired_leases) == ("queued", 0, 0)
    assert utcnow() - delivery.created_at < timedelta(minutes=1)
    assert delivery.next_attempt_at <= utcnow()
    with pytest.raises(services.NotResendable):
        services.resend(delivery.id, actor="test")


def test_every_email_is_listed_newest_first_and_filtered_by_status_kind_and_address(client, staff, server,
                                                                                     deliver):
    server.fail("RCPT", "550 5.7.1 Relaying denied", address="ben@example.org")
    queue(["ana@example.org", "ben@example.org"], subject="Hill visit on Tuesday")
    services.notify(ROSA, "Rosa", "Welcome to Defensive Support", "Hello Rosa.\n")
    db.session.commit()
    deliver()

    page = client.get("/staff/mail").get_data(as_text=True)
    assert listed(page) == [(ROSA, "sent"), ("ben@example.org", "failed"), ("ana@example.org", "sent")]
    for seen in ("Hill visit on Tuesday", "Welcome to Defensive Support", "Roster message", "Notice",
                 "550 5.7.1 Relaying denied", "250 2.0.0 OK queued", local_time(utcnow()).split(",")[0]):
        assert seen in page
    for label in ("Status", "Kind", "Address"):
        assert re.search(rf'<label for="\w+">{label}</label>', page)
    assert "<strong>All (3)</strong>" in page
    assert '<a href="/staff/mail?status=failed">Failed or set aside (1)</a>' in page
    assert '<a href="/staff/mail?status=sent">Sent (2)</a>' in page

    def shown(query):
        return listed(client.get("/staff/mail" + query).get_data(as_text=True))

    assert shown("?status=failed") == [("ben@example.org", "failed")]
    assert shown("?kind=notice") == [(ROSA, "sent")]
    assert shown("?kind=roster&status=sent") == [("ana@example.org", "sent")]
    assert shown("?address=BEN@example.org") == [("ben@example.org", "failed")]
    assert shown("?address=example.org&kind=roster") == [("ben@example.org", "failed"), ("ana@example.org", "sent")]
    assert shown("?address=nobody") == []
    roster = client.get("/staff/mail?kind=roster").get_data(as_text=True)
    assert '<a href="/staff/mail?status=failed&amp;kind=roster">Failed or set aside (1)</a>' in roster


def test_only_failed_or_set_aside_mail_can_be_sent_again(client, make, staff, server, deliver):
    ask_to_join(client, make)
    deliver()
    (delivery,) = rows().values()
    assert "Send again" not in client.get("/staff/mail").get_data(as_text=True)
    page = client.post(f"/staff/mail/{delivery.id}/resend", follow_redirects=True).get_data(as_text=True)
    assert f"The email to {ROSA} was not failed: nothing was sent again." in page
    deliver()
    assert server.copies() == {ROSA: 1}
    assert rows()[ROSA].status == "sent"
    assert client.post("/staff/mail/999999/resend").status_code == 404


def test_set_aside_mail_can_be_sent_again(client, staff, server, deliver):
    email = queue(["ana@example.org"])
    db.session.execute(sa.update(Delivery).values(status=DeliveryStatus.DEAD, last_reply="set aside: 3 leases ran out"))
    db.session.commit()
    page = client.get("/staff/mail?status=failed").get_data(as_text=True)
    assert listed(page) == [("ana@example.org", "dead")] and "Set aside" in page
    client.post(resend_action(page))
    deliver()
    assert server.copies() == {"ana@example.org": 1}
    assert rows(email)["ana@example.org"].status == "sent"


def test_only_staff_see_the_mail_page_or_send_again(client, make, server, deliver):
    server.fail("RCPT", "550 5.7.1 Relaying denied", address=ROSA)
    ask_to_join(client, make)
    deliver()
    (delivery,) = rows().values()
    resend = f"/staff/mail/{delivery.id}/resend"
    for response in (client.get("/staff/mail"), client.post(resend)):
        assert response.status_code == 302 and response.location.startswith("/login")
    make.user(name="Casey Contact", email="casey@example.org")
    login(client, "casey@example.org")
    assert client.get("/staff/mail").status_code == 403
    assert client.post(resend).status_code == 403
    assert rows()[ROSA].status == "failed"
    assert "Mail</a>" not in client.get("/dashboard").get_data(as_text=True)
    assert "failed in the last 7 days" not in client.get("/dashboard").get_data(as_text=True)


def test_staff_find_the_page_in_the_menu(client, staff):
    assert '<a href="/staff/mail">Mail</a>' in client.get("/dashboard").get_data(as_text=True)


def test_the_page_says_when_the_mail_server_cannot_be_reached(client, staff, server, deliver, app):
    queue(["ana@example.org"])
    app.config["MAIL_PORT"] = closed_port()
    deliver()
    page = client.get("/staff/mail").get_data(as_text=True)
    assert "The mail server cannot be reached; queued emails will go out when it is back. Nothing is lost." in page
    assert listed(page) == [("ana@example.org", "queued")]


def test_the_home_page_counts_failures_of_the_last_7_days_only(client, staff, server, deliver):
    server.fail("RCPT", "550 5.7.1 Relaying denied", address="old@example.org")
    server.fail("RCPT", "550 5.7.1 Relaying denied", address="ben@example.org")
    queue(["old@example.org"])
    deliver()
    week_ago = utcnow() - timedelta(days=8)
    db.session.execute(sa.update(Delivery).values(created_at=week_ago, next_attempt_at=week_ago))
    db.session.commit()
    queue(["ana@example.org", "ben@example.org", "cy@example.org"])
    deliver()
    db.session.execute(sa.update(Delivery).where(Delivery.address == "cy@example.org")
                       .values(status=DeliveryStatus.DEAD))
    db.session.commit()
    assert "2 emails failed in the last 7 days." in client.get("/dashboard").get_data(as_text=True)


@pytest.mark.parametrize("query", ["?status=nonsense", "?kind=spam", "?page=abc", "?address=" + "x" * 300])
def test_a_filter_that_makes_no_sense_is_a_400(client, staff, query):
    response = client.get("/staff/mail" + query)
    assert response.status_code == 400
    assert "The request could not be understood." in response.get_data(as_text=True)


def bulk(count, kind=EmailKind.ROSTER):
    """One email to `count` addresses, half of them refused, in one executemany."""
    email = services.enqueue(kind=kind, subject=f"{count} recipients", text="Hello.\n", recipients=[])
    now = utcnow()
    db.session.execute(sa.insert(Delivery), [
        {"email_id": email.id, "address": f"m{i:06d}@example.org", "name": "", "variables": {},
         "status": DeliveryStatus.FAILED if i % 2 else DeliveryStatus.SENT, "attempts": 1, "expired_leases": 0,
         "next_attempt_at": now, "created_at": now, "leased_by": "", "last_reply": "550 5.7.1 Refused",
         "message_id": ""}
        for i in range(count)
    ])
    db.session.commit()


@pytest.mark.parametrize("page", ["/staff/mail", "/staff/mail?status=failed&kind=roster&address=example.org",
                                  "/staff/mail?page=99999999999999999999", "/dashboard"])
def test_the_pages_cost_the_same_queries_and_size_whatever_the_mail(client, staff, count_queries, page):
    bulk(10)
    responses = []
    few = count_queries(lambda: responses.append(client.get(page)))
    bulk(20_000)
    bulk(5, kind=EmailKind.NOTICE)
    many = count_queries(lambda: responses.append(client.get(page)))
    assert few == many
    assert [r.status_code for r in responses] == [200, 200]
    assert len(responses[1].get_data()) < 80_000
