"""Every way a mail server can answer, and what becomes of each delivery.

Each test ends with what was received at the server: nothing lost, nothing twice.
"""
from datetime import timedelta

import pytest

from tests.fault_smtp import DROP, closed_port, silent_port
from tests.outbox.conftest import age, queue, rows, time_passes
from webapp.db_types import utcnow
from webapp.outbox import services
from webapp.outbox.models import EmailKind

ANA, BEN, CY = "ana@example.org", "ben@example.org", "cy@example.org"
TEMPORARY = [(command, code) for command in ("MAIL", "RCPT", "DATA") for code in (421, 450, 451, 452, 552)]
PERMANENT = [(command, code) for command in ("MAIL", "RCPT", "DATA") for code in (550, 553, 554)]


def _fault_on_ben(server, command, reply, first_round=True):
    """Refuse Ben's next attempt once."""
    if command == "MAIL":
        # MAIL names no recipient: Ben's is the second MAIL of the first batch
        # (Ana, Ben, Cy), and the only one after that.
        server.fail("MAIL", reply, skip=1 if first_round else 0, times=1)
    else:
        server.fail(command, reply, address=BEN, times=1)


def _assert_backoff(delivery, attempt, base=60):
    delay = (delivery.next_attempt_at - utcnow()).total_seconds()
    expected = base * 2 ** (attempt - 1)
    assert expected * 0.8 - 2 <= delay <= expected * 1.2, delay


@pytest.mark.parametrize("command,code", TEMPORARY)
def test_a_temporary_refusal_is_retried_with_growing_delays_then_sent_once(server, deliver, command, code):
    queue([ANA, BEN, CY])
    _fault_on_ben(server, command, f"{code} 4.3.0 Try again later")

    deliver()
    ben = rows()[BEN]
    assert (ben.status, ben.attempts) == ("queued", 1)
    assert ben.last_reply == f"{code} 4.3.0 Try again later"
    _assert_backoff(ben, 1)
    assert server.copies() == {ANA: 1, CY: 1}

    deliver()  # not due yet: nothing happens
    assert rows()[BEN].attempts == 1

    _fault_on_ben(server, command, f"{code} 4.3.0 Try again later", first_round=False)
    time_passes()
    deliver()
    ben = rows()[BEN]
    assert (ben.status, ben.attempts) == ("queued", 2)
    _assert_backoff(ben, 2)

    time_passes()
    deliver()
    final = rows()
    assert (final[BEN].status, final[BEN].attempts) == ("sent", 3)
    assert final[BEN].last_reply == "250 2.0.0 OK queued" and final[BEN].sent_at is not None
    assert [(d.status, d.attempts) for d in (final[ANA], final[CY])] == [("sent", 1), ("sent", 1)]
    assert server.copies() == {ANA: 1, BEN: 1, CY: 1}


@pytest.mark.parametrize("command,code", PERMANENT)
def test_a_permanent_refusal_fails_at_once_with_the_reply_and_is_not_retried(server, deliver, command, code):
    queue([ANA, BEN, CY])
    _fault_on_ben(server, command, f"{code} 5.7.1 Not accepted here")

    deliver()
    time_passes()
    deliver()
    final = rows()
    assert (final[BEN].status, final[BEN].attempts) == ("failed", 1)
    assert final[BEN].last_reply == f"{code} 5.7.1 Not accepted here"
    assert [d.status for d in (final[ANA], final[CY])] == ["sent", "sent"]
    assert server.copies() == {ANA: 1, CY: 1}
    assert not services.is_suppressed(BEN)  # a policy refusal is not an unknown mailbox


def test_an_unknown_mailbox_counts_as_a_hard_bounce_and_once_suppressed_only_notices_go(server, deliver, app):
    app.config["BOUNCE_SCORE_THRESHOLD"] = 1  # one hard bounce is enough (the default, 5, takes five days)
    queue([ANA, BEN])
    server.fail("RCPT", "550 5.1.1 <ben@example.org>: Recipient address rejected: User unknown", address=BEN, times=1)
    deliver()
    assert rows()[BEN].status == "failed"
    assert services.is_suppressed(BEN)

    later = queue([ANA, BEN], subject="Next meeting")
    notice = queue([BEN], kind=EmailKind.NOTICE, subject="Your request")
    deliver()
    assert rows(later)[BEN].status == "suppressed"
    assert rows(notice)[BEN].status == "sent"
    assert [m.subject for m in server.to(BEN)] == ["Your request"]


def test_temporary_failures_are_retried_for_three_days_then_failed(server, deliver):
    queue([ANA, BEN])
    server.fail("RCPT", "451 4.7.1 Greylisted", address=BEN)
    deliver()
    age(hours=71)
    time_passes()
    deliver()
    assert (rows()[BEN].status, rows()[BEN].attempts) == ("queued", 2)

    age(hours=72)
    time_passes()
    deliver()
    ben = rows()[BEN]
    assert (ben.status, ben.attempts, ben.last_reply) == ("failed", 3, "451 4.7.1 Greylisted")
    assert server.copies() == {ANA: 1}


def test_a_connection_dropped_mid_data_is_a_temporary_failure_and_the_batch_goes_on(server, deliver):
    queue([ANA, BEN, CY])
    server.fail("DATA", DROP, address=BEN, times=2)
    deliver()
    ben = rows()[BEN]
    assert (ben.status, ben.attempts) == ("queued", 1)
    assert "connection lost during DATA" in ben.last_reply
    assert server.copies() == {ANA: 1, CY: 1}  # Cy's went over a new connection

    for _ in range(2):
        time_passes()
        deliver()
    assert (rows()[BEN].status, rows()[BEN].attempts) == ("sent", 3)
    assert server.copies() == {ANA: 1, BEN: 1, CY: 1}


def test_a_server_too_slow_to_answer_data_is_a_temporary_failure(server, deliver, app):
    app.config["MAIL_TIMEOUT"] = 0.5
    queue([ANA, BEN, CY])
    server.slow("DATA", 5, address=BEN, times=1)
    deliver()
    ben = rows()[BEN]
    assert (ben.status, ben.attempts) == ("queued", 1)
    assert "timed out" in ben.last_reply
    time_passes()
    deliver()
    assert [d.status for d in rows().values()] == ["sent"] * 3
    assert server.copies() == {ANA: 1, BEN: 1, CY: 1}


def _assert_untouched(deliveries):
    for delivery in deliveries:
        assert (delivery.status, delivery.attempts, delivery.last_reply) == ("queued", 0, "")
        assert delivery.lease_expires_at is None


@pytest.mark.parametrize("unreachable", ["refused", "silent"])
def test_an_unreachable_server_burns_nothing_and_everything_goes_when_it_is_back(server, deliver, app, unreachable):
    app.config["MAIL_TIMEOUT"] = 0.5
    queue([ANA, BEN, CY])
    with silent_port() as silent:
        app.config["MAIL_PORT"] = silent if unreachable == "silent" else closed_port()
        deliver()
    _assert_untouched(rows().values())
    assert services.server_trouble()  # the message page warns

    app.config["MAIL_PORT"] = server.port
    time_passes()
    deliver()
    assert [(d.status, d.attempts) for d in rows().values()] == [("sent", 1)] * 3
    assert server.copies() == {ANA: 1, BEN: 1, CY: 1}
    assert services.server_trouble() is None


def test_a_server_lost_mid_batch_sends_the_untried_rows_back_untouched(server, deliver):
    addresses = [ANA, BEN, CY, "dee@example.org", "eve@example.org"]
    queue(addresses)
    server.fail("MAIL", DROP, skip=2)  # two emails go, then every new MAIL is cut off
    deliver()
    after = rows()
    assert [after[a].status for a in (ANA, BEN)] == ["sent", "sent"]
    _assert_untouched(after[a] for a in addresses[2:])
    assert services.server_state().failed_at is not None
    # It took mail a moment ago: one lost connection is no reason to warn yet.
    assert services.server_trouble() is None

    server.heal()
    time_passes()
    deliver()
    assert [d.status for d in rows().values()] == ["sent"] * 5
    assert server.copies() == {a: 1 for a in addresses}


def test_the_retry_delay_doubles_and_is_capped_at_six_hours():
    assert services.retry_delay(1, 60, 0) == timedelta(seconds=60)
    assert services.retry_delay(3, 60, 0) == timedelta(seconds=240)
    assert services.retry_delay(30, 60, 0.2) == timedelta(hours=6 * 1.2)


def test_a_connection_the_server_closed_before_mail_is_reopened_and_nobody_is_charged(server, deliver):
    queue([ANA, BEN, CY])
    server.fail("MAIL", DROP, skip=1, times=1)  # e.g. the server timed out an idle connection
    deliver()
    assert [(d.status, d.attempts) for d in rows().values()] == [("sent", 1)] * 3
    assert server.connections == 2
    assert server.copies() == {ANA: 1, BEN: 1, CY: 1}
    assert services.server_trouble() is None
