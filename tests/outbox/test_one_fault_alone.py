"""One delivery's fault is that delivery's alone: the worker records it and goes on.

Each case is a way one recipient, one email or one odd reply used to stop or slow
everyone else's mail. Each test ends with what the server received.
"""
import pytest
import sqlalchemy as sa

from tests.fault_smtp import DROP
from tests.outbox.conftest import addresses, age, queue, rows, time_passes
from webapp.db_types import utcnow
from webapp.extensions import db
from webapp.outbox import services
from webapp.outbox.models import Email

ANA, BEN, CY = "ana@example.org", "ben@example.org", "cy@example.org"
JOSE = "josé@example.org"


# -- addresses that are not plain ASCII ---------------------------------------

def test_an_internationalized_address_goes_out_with_smtputf8_and_the_rest_of_the_batch_too(server, deliver):
    queue([ANA, JOSE, CY])
    deliver()
    assert [d.status for d in rows().values()] == ["sent"] * 3
    assert server.copies() == {ANA: 1, JOSE: 1, CY: 1}
    (received,) = server.to(JOSE)
    assert "<josé@example.org>".encode() in received.data
    assert b"\r\nTo: " in received.data


def test_a_server_without_smtputf8_fails_that_one_address_with_the_reason_and_sends_the_rest(server, deliver):
    server.offer_smtputf8(False)
    queue([ANA, JOSE, CY] + addresses(50))
    handled = deliver()
    assert handled == 53
    jose = rows()[JOSE]
    assert (jose.status, jose.attempts) == ("failed", 1)
    assert "SMTPUTF8" in jose.last_reply
    assert server.copies() == {a: 1 for a in [ANA, CY] + addresses(50)}
    assert services.server_trouble() is None


def test_a_domain_that_is_not_ascii_is_sent_in_its_ascii_form_even_without_smtputf8(server, deliver):
    server.offer_smtputf8(False)
    queue(["ana@exämple.org", BEN])
    deliver()
    assert [d.status for d in rows().values()] == ["sent"] * 2
    assert set(server.copies()) == {"ana@xn--exmple-cua.org", BEN}


@pytest.mark.parametrize("column,value", [
    ("address", "ana\r\nRCPT TO:<x@example.org>@example.org"),
    ("address", "ana\t<x@example.org>"),
    ("address", "ana@example.org\x7f"),  # DEL, a control character
])
def test_a_delivery_that_cannot_be_built_or_sent_fails_alone_and_the_worker_goes_on(server, deliver, column, value):
    email = queue([ANA, BEN, CY])
    # Written behind the enqueue's back, as a row from an older version or an import might be.
    db.session.execute(sa.update(services.Delivery).where(services.Delivery.address == BEN).values({column: value}))
    db.session.commit()
    deliver()
    final = rows(email)
    odd = final[value if column == "address" else BEN]
    assert (odd.status, odd.attempts) == ("failed", 1)
    assert odd.last_reply
    assert server.copies() == {ANA: 1, CY: 1}


def test_an_email_whose_shared_part_cannot_be_built_fails_its_rows_and_others_go(server, deliver):
    broken = queue([ANA, BEN])
    fine = queue([CY], subject="Next meeting")
    # A list name whose address part is not ASCII cannot be encoded in a header.
    db.session.execute(sa.update(Email).where(Email.id == broken.id).values(list_id="Grupo <grupo.exämple.org>"))
    db.session.commit()
    deliver()
    assert [(d.status, d.attempts) for d in rows(broken).values()] == [("failed", 1)] * 2
    assert rows(fine)[CY].status == "sent"
    assert server.copies() == {CY: 1}


# -- one recipient the server stalls on ---------------------------------------

@pytest.mark.parametrize("how", ["silent", "drop"])
def test_a_recipient_the_server_stalls_on_is_charged_alone_and_the_batch_goes_on(server, deliver, app, how):
    app.config["MAIL_TIMEOUT"] = 0.5
    everyone = addresses(30, "a") + [BEN] + addresses(30, "z")
    queue(everyone)
    if how == "silent":
        server.slow("RCPT", 5, address=BEN)
    else:
        server.fail("RCPT", DROP, address=BEN)
    deliver()
    ben = rows()[BEN]
    assert (ben.status, ben.attempts) == ("queued", 1)
    assert "RCPT" in ben.last_reply
    delay = (ben.next_attempt_at - utcnow()).total_seconds()
    assert 40 <= delay <= 75  # the first backoff, OUTBOX_RETRY_BASE_SECONDS = 60
    assert server.copies() == {a: 1 for a in everyone if a != BEN}
    assert services.server_trouble() is None  # the server took everyone else's mail

    age(hours=72)  # the retry period ends it
    time_passes()
    deliver()
    ben = rows()[BEN]
    assert (ben.status, ben.attempts) == ("failed", 2)
    assert BEN not in server.copies()


def test_a_reply_to_data_that_comes_too_late_is_retried_with_the_same_message_id(server, deliver, app):
    app.config["MAIL_TIMEOUT"] = 1.5  # room for a busy machine to connect and greet within it
    queue([ANA, BEN])
    server.late(4, address=BEN, times=1)  # the server keeps the message but answers late
    deliver()
    first = rows()[BEN]
    assert (first.status, first.attempts) == ("queued", 1)
    time_passes()
    deliver()
    assert rows()[BEN].status == "sent"
    copies = server.to(BEN)
    assert len(copies) == 2  # a possible duplicate, which the receiver can recognise
    assert copies[0].message["Message-ID"] == copies[1].message["Message-ID"]


# -- 421: the server is closing the connection --------------------------------

@pytest.mark.parametrize("command", ["MAIL", "RCPT", "DATA"])
def test_a_421_closes_the_connection_and_the_next_delivery_opens_a_new_one(server, deliver, command):
    everyone = addresses(100)
    queue(everyone)
    target = everyone[40]
    if command == "MAIL":
        server.fail("MAIL", "421 4.3.2 Shutting down", skip=40, times=1, closing=True)
    else:
        server.fail(command, "421 4.3.2 Shutting down", address=target, times=1, closing=True)
    deliver()
    assert server.commands_after_closing() == 0
    assert server.connections == 2
    charged = [d for d in rows().values() if d.attempts != 1 or d.status != "sent"]
    assert [(d.address, d.status, d.attempts) for d in charged] == [(target, "queued", 1)]
    time_passes()
    deliver()
    assert server.copies() == {a: 1 for a in everyone}
