"""The staff pages /staff/suppressions (lift, block, unblock) and /staff/bounces (every message that came back)."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.bounces.conftest import sample
from webapp.local_time import local_time
from tests.conftest import login, membership_of
from webapp.audit.models import AuditEvent
from webapp.bounces import services
from webapp.bounces.models import Bounce, BounceKind, BounceScore
from webapp.db_types import utcnow
from webapp.extensions import db
from webapp.outbox import blocks
from webapp.outbox import services as outbox
from webapp.outbox.models import Block, Suppression, SuppressionKind

BEN = "ben@example.com"
DSN = "550 5.1.1"  # in the Postfix sample's diagnostic


def page(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def table(text, name):
    found = text[text.index(f'<table class="{name}">'):]
    return found[:found.index("</table>")]


def suppressed(text):
    """The addresses in the suppressions table, in order."""
    return re.findall(r'<td class="address">([^<]+)</td>', table(text, "suppressions"))


def action(text, label, row_text):
    """The POST action of the button labelled `label` in the table row that contains `row_text`."""
    for row in re.findall(r"<tr>.*?</tr>", text, flags=re.S):
        if row_text in row and f">{label}</button>" in row:
            return re.search(r'action="([^"]+)"', row).group(1)
    raise AssertionError(f"no {label} button for {row_text}")


def a_day_passes():
    db.session.execute(sa.update(BounceScore).values(last_counted_on=utcnow().date() - timedelta(days=1)))
    db.session.commit()


def score(address):
    db.session.expire_all()
    return db.session.scalar(sa.select(BounceScore.score).where(BounceScore.address == address))


def audited():
    db.session.expire_all()
    return db.session.execute(sa.select(AuditEvent.action, AuditEvent.target).order_by(AuditEvent.id)).all()


def members_mailed(sent, subject):
    """Which members got a roster message sent now (the contact may get a notice in the same run)."""
    return set(sent(subject)) - {"dalia@example.org"}


def bounce_until_suppressed(sent, address=BEN):
    senders = sent()
    for _ in range(5):
        services.receive(sample("postfix_dsn_hard.eml", senders[address], address))
        a_day_passes()
    assert outbox.is_suppressed(address)


def test_staff_lift_a_bouncing_address_which_gets_roster_mail_again_scored_from_zero(roster, client, sent, mailbox):
    bounce_until_suppressed(sent)
    assert members_mailed(sent, "Still bouncing?") == {"ana@example.com", "cy@example.com"}
    login(client, "staff@example.org")
    text = page(client, "/staff/suppressions")
    assert suppressed(text) == [BEN]
    row = table(text, "suppressions")
    today = local_time(utcnow()).split(",")[0]  # in the coalition's zone, as the page shows it
    for seen in ("Bouncing", "score 5", DSN, "User unknown", today, ">Lift</button>"):
        assert seen in row

    done = client.post(action(text, "Lift", BEN), follow_redirects=True).get_data(as_text=True)
    assert f"{BEN} gets roster mail again; its bounce score starts from zero." in done
    assert suppressed(done) == [] and "No address is suppressed." in done
    assert audited()[-1] == ("suppression.lift", f"address:{BEN}")
    assert not outbox.is_suppressed(BEN) and score(BEN) is None

    senders = sent("Welcome back")
    assert set(senders) - {"dalia@example.org"} == {"ana@example.com", BEN, "cy@example.com"}
    assert mailbox.to(BEN)[0].subject == "Welcome back"
    services.receive(sample("postfix_dsn_hard.eml", senders[BEN], BEN))
    assert score(BEN) == 1.0 and not outbox.is_suppressed(BEN)


def test_lifting_what_is_lifted_already_says_so_and_changes_nothing(roster, client):
    outbox.suppress(BEN, "bouncing: score 5", kind=SuppressionKind.BOUNCE)
    db.session.commit()
    login(client, "staff@example.org")
    lift = action(page(client, "/staff/suppressions"), "Lift", BEN)
    client.post(lift)
    again = client.post(lift, follow_redirects=True).get_data(as_text=True)
    assert "That address is no longer suppressed." in again
    assert [a for a, _ in audited()].count("suppression.lift") == 1


def test_each_row_says_why_and_since_when_and_the_list_is_searched_and_paged(roster, client):
    now = utcnow()
    db.session.execute(sa.insert(Suppression), [
        {"address": f"m{i:04d}@example.net", "kind": SuppressionKind.BOUNCE, "reason": "bouncing: score 5",
         "created_at": now} for i in range(150)])
    db.session.execute(sa.insert(BounceScore), [
        {"address": f"m{i:04d}@example.net", "score": 5.5, "last_diagnostic": f"550 5.1.1 no m{i:04d}",
         "updated_at": now} for i in range(150)])
    outbox.suppress("Spam@Example.ORG", "blocked by staff: sends spam", kind=SuppressionKind.STAFF)
    db.session.commit()
    login(client, "staff@example.org")

    first = page(client, "/staff/suppressions")
    assert len(suppressed(first)) == 100 and suppressed(first)[0] == "spam@example.org"
    assert "151 suppressed addresses" in first and "Page 1 of 2" in first
    assert re.search(r"Blocked by staff</span>.*blocked by staff: sends spam", first)
    assert "score 5.5" in first and "550 5.1.1 no m0149" in first
    assert '<a href="/staff/suppressions?page=2">Next</a>' in first
    assert len(suppressed(page(client, "/staff/suppressions?page=2"))) == 51
    assert re.search(r'<label for="\w+">Address</label>', first)

    assert suppressed(page(client, "/staff/suppressions?address=SPAM@")) == ["spam@example.org"]
    found = page(client, "/staff/suppressions?address=m000")
    assert suppressed(found) == [f"m{i:04d}@example.net" for i in reversed(range(10))]
    assert "10 suppressed addresses" in found
    assert "No suppressed address matches." in page(client, "/staff/suppressions?address=nobody")
    assert suppressed(page(client, "/staff/suppressions?address=%25")) == []  # a % is a character, not a wildcard


def test_blocking_an_address_stops_its_roster_mail_and_joining_until_the_block_is_removed(roster, client, sent,
                                                                                       mailbox):
    login(client, "staff@example.org")
    text = page(client, "/staff/suppressions")
    assert "a domain with its subdomains (example.com), one domain only (@example.com)" in text
    assert "Nothing is blocked." in text
    done = client.post("/staff/blocks", data={"pattern": " Ana@Example.com ", "note": "asked us to stop"},
                       follow_redirects=True).get_data(as_text=True)
    assert "ana@example.com is blocked." in done
    assert '<td class="pattern">ana@example.com</td>' in table(done, "blocks") and "asked us to stop" in done
    assert suppressed(done) == ["ana@example.com"]
    assert "blocked by staff: asked us to stop" in table(done, "suppressions")
    assert audited()[-1] == ("block.add", "block:ana@example.com")

    assert members_mailed(sent, "Without Ana") == {BEN, "cy@example.com"}
    removed = client.post(action(page(client, "/staff/suppressions"), "Remove", "ana@example.com"),
                          follow_redirects=True).get_data(as_text=True)
    assert "ana@example.com is no longer blocked." in removed
    assert "Nothing is blocked." in removed and suppressed(removed) == []
    assert audited()[-1] == ("block.remove", "block:ana@example.com")
    assert members_mailed(sent, "With Ana") == {"ana@example.com", BEN, "cy@example.com"}


def test_removing_a_block_leaves_a_bounce_suppression_alone(roster, client):
    outbox.suppress(BEN, "bouncing: score 5", kind=SuppressionKind.BOUNCE)
    db.session.commit()
    login(client, "staff@example.org")
    client.post("/staff/blocks", data={"pattern": BEN, "note": "and blocked"})
    text = page(client, "/staff/suppressions")
    assert "Bouncing" in table(text, "suppressions")  # blocked as well, but it bounced first
    client.post(action(text, "Remove", f'"pattern">{BEN}'))
    assert outbox.is_suppressed(BEN)
    assert "That block was removed already." in client.post(action(text, "Remove", f'"pattern">{BEN}'),
                                                             follow_redirects=True).get_data(as_text=True)


@pytest.mark.parametrize("pattern,refused", [("example.com", {"rosa@example.com", "rosa@mail.example.com"}),
                                             ("@example.com", {"rosa@example.com"}),
                                             ("*@*.example.com", {"rosa@mail.example.com"})])
def test_a_domain_or_pattern_is_blocked_from_joining_but_suppresses_no_address(roster, client, pattern, refused):
    login(client, "staff@example.org")
    client.post("/staff/blocks", data={"pattern": pattern, "note": ""})
    assert [b.pattern for b in blocks.all_blocks()] == [pattern]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Suppression)) == 0
    client.post("/logout")
    for address in ("rosa@example.com", "rosa@mail.example.com"):
        client.post("/groups/defensive-support", data={"name": "Rosa", "email": address, "consent": "y"})
    assert {a for a in ("rosa@example.com", "rosa@mail.example.com") if membership_of(roster[1], a) is None} == refused


@pytest.mark.parametrize("pattern,error", [
    ("", "Enter an address, a domain or a pattern."),
    ("   ", "Enter an address, a domain or a pattern."),
    ("ana @example.com", "No spaces: one address, domain or pattern at a time."),
    ("a" * 243 + "@example.com", "At most 254 characters."),
])
def test_a_pattern_that_makes_no_sense_is_a_400_with_the_reason(roster, client, pattern, error):
    login(client, "staff@example.org")
    response = client.post("/staff/blocks", data={"pattern": pattern, "note": "x"})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert re.search(rf'<p class="error-text" id="pattern-error">{re.escape(error)}</p>', text)
    assert 'aria-invalid="true"' in text and "<h1>Suppressions</h1>" in text
    assert blocks.all_blocks() == [] and "block.add" not in [a for a, _ in audited()]


def received(client, sent):
    """One bounce of each kind, in this order, from the roster message's envelope senders."""
    senders = sent()
    for name, address in [("postfix_dsn_hard.eml", BEN), ("out_of_office.eml", "ana@example.com"),
                          ("dsn_delayed_soft.eml", "cy@example.com"), ("unreadable.eml", "ana@example.com")]:
        services.receive(sample(name, senders[address], address))
    login(client, "staff@example.org")


def kinds(text):
    return re.findall(r'<td class="kind">([^<]+)</td>', table(text, "bounces"))


def test_every_bounce_is_listed_newest_first_and_filtered_by_kind(roster, client, sent):
    received(client, sent)
    text = page(client, "/staff/bounces")
    assert kinds(text) == ["Unreadable", "Soft", "Auto-reply", "Hard"]
    for seen in ("Undelivered Mail Returned to Sender", DSN, BEN, local_time(utcnow()).split(",")[0], ">Yes</td>",
                 ">No</td>"):
        assert seen in table(text, "bounces")
    assert "<strong>All (4)</strong>" in text
    for kind, label in [("hard", "Hard"), ("soft", "Soft"), ("auto_reply", "Auto-reply"), ("unparsed", "Unreadable")]:
        assert f'<a href="/staff/bounces?kind={kind}">{label} (1)</a>' in text
        assert kinds(page(client, f"/staff/bounces?kind={kind}")) == [label]
    assert re.search(r'<label for="\w+">Kind</label>', text)
    assert kinds(page(client, "/staff/bounces?address=CY@")) == ["Soft"]
    by_address = page(client, "/staff/bounces?address=ben")
    assert '<a href="/staff/bounces?kind=hard&amp;address=ben">Hard (1)</a>' in by_address
    assert "Nothing came back here." in page(client, "/staff/bounces?address=nobody")


def test_a_bounce_page_shows_the_message_as_it_came(roster, client, sent):
    received(client, sent)
    text = page(client, "/staff/bounces?kind=unparsed")
    link = re.search(r'<a href="(/staff/bounces/\d+)">', table(text, "bounces")).group(1)
    detail = page(client, link)
    raw = db.session.scalar(sa.select(Bounce.raw).where(Bounce.kind == BounceKind.UNPARSED)).decode()
    first_line = raw.splitlines()[0]
    assert "Unreadable" in detail and '<pre class="raw">' in detail
    assert first_line.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;") in detail
    assert client.get("/staff/bounces/999999").status_code == 404


def test_a_bounce_that_is_not_utf8_is_shown_with_replacement_characters(roster, client):
    bounce = Bounce(kind=BounceKind.UNPARSED, raw=b"Subject: caf\xe9\r\n\r\n<b>body</b>\xff\r\n")
    db.session.add(bounce)
    db.session.commit()
    login(client, "staff@example.org")
    detail = page(client, f"/staff/bounces/{bounce.id}")
    assert "Subject: caf\ufffd\r\n\r\n&lt;b&gt;body&lt;/b&gt;\ufffd" in detail


@pytest.mark.parametrize("path", ["/staff/bounces?kind=spam", "/staff/bounces?page=abc",
                                  "/staff/suppressions?page=abc", "/staff/suppressions?address=" + "x" * 300])
def test_a_filter_that_makes_no_sense_is_a_400(roster, client, path):
    login(client, "staff@example.org")
    assert client.get(path).status_code == 400


def test_only_staff_see_the_pages_or_change_anything(roster, client, make, sent):
    senders = sent()
    bounce = services.receive(sample("postfix_dsn_hard.eml", senders[BEN], BEN))
    outbox.suppress(BEN, "bouncing: score 5", kind=SuppressionKind.BOUNCE)
    blocks.add("spam.example", "spam")
    db.session.commit()
    suppression_id = db.session.scalar(sa.select(Suppression.id))
    block_id = db.session.scalar(sa.select(Block.id))
    gets = ["/staff/suppressions", "/staff/bounces", f"/staff/bounces/{bounce.id}"]
    posts = [(f"/staff/suppressions/{suppression_id}/lift", {}), ("/staff/blocks", {"pattern": "x.org", "note": ""}),
             (f"/staff/blocks/{block_id}/remove", {})]

    def state():
        db.session.expire_all()
        return (db.session.execute(sa.select(Suppression.address, Suppression.kind)).all(),
                db.session.execute(sa.select(Block.pattern)).all(), len(audited()))

    before = state()
    for response in [client.get(path) for path in gets] + [client.post(path, data=data) for path, data in posts]:
        assert response.status_code == 302 and response.location.startswith("/login")
    assert state() == before
    make.user(name="Casey Contact", email="casey@example.org")
    login(client, "casey@example.org")
    before = state()
    for response in [client.get(path) for path in gets] + [client.post(path, data=data) for path, data in posts]:
        assert response.status_code == 403
    assert state() == before
    menu = page(client, "/dashboard")
    assert "Suppressions</a>" not in menu and "Bounces</a>" not in menu


def test_staff_find_the_pages_in_the_menu(roster, client):
    login(client, "staff@example.org")
    menu = page(client, "/dashboard")
    assert '<a href="/staff/mail">Mail</a>' in menu
    assert '<a href="/staff/suppressions">Suppressions</a>' in menu and '<a href="/staff/bounces">Bounces</a>' in menu


def many(count, start=0):
    """`count` suppressed addresses with scores, and as many bounces of every kind, in executemanys."""
    now = utcnow()
    addresses = [f"x{i:06d}@example.net" for i in range(start, start + count)]
    db.session.execute(sa.insert(Suppression), [
        {"address": a, "kind": SuppressionKind.BOUNCE if i % 2 else SuppressionKind.STAFF, "reason": "r",
         "created_at": now} for i, a in enumerate(addresses)])
    db.session.execute(sa.insert(BounceScore), [
        {"address": a, "score": 5.0, "last_diagnostic": "550 5.1.1 unknown", "updated_at": now} for a in addresses])
    kinds_ = list(BounceKind)
    db.session.execute(sa.insert(Bounce), [
        {"address": a, "kind": kinds_[i % 4], "received_at": now, "subject": "Undelivered",
         "diagnostic": "550 5.1.1 unknown", "counted": bool(i % 2), "raw": b"x" * 2000}
        for i, a in enumerate(addresses)])
    db.session.commit()


@pytest.mark.parametrize("path", ["/staff/suppressions", "/staff/suppressions?address=example.net&page=2",
                                  "/staff/suppressions?page=99999999999999999999", "/staff/bounces",
                                  "/staff/bounces?kind=hard&address=x0&page=2"])
def test_the_pages_cost_the_same_queries_and_size_whatever_the_rows(roster, client, count_queries, path):
    blocks.add("spam.example", "spam")
    db.session.commit()
    login(client, "staff@example.org")
    many(250)
    responses = []
    few = count_queries(lambda: responses.append(client.get(path)))
    many(4000, start=250)
    lots = count_queries(lambda: responses.append(client.get(path)))
    assert few == lots, (few, lots)
    assert [r.status_code for r in responses] == [200, 200]
    assert len(responses[1].get_data()) < 80_000
