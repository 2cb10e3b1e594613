"""The message page whatever the counts: recipients page by page, filtered by status."""
import re

import pytest
import sqlalchemy as sa

from tests.conftest import login
from webapp.db_types import utcnow
from webapp.extensions import db
from webapp.mailing.models import Message
from webapp.outbox.models import Delivery, DeliveryStatus
from tests.mailing.sending import send_message


@pytest.fixture
def staff(client, make):
    make.user(name="Sam Staff", email="staff@example.org", role="staff")
    login(client, "staff@example.org")


@pytest.fixture
def group(make):
    return make.group()


def write(client, group, subject="Hill visit"):
    """Staff send a message to the group; its page's address."""
    response = send_message(client, {"groups": [group.id], "subject": subject, "body": "Please join us."})
    assert response.status_code == 302
    return response.location


def add_recipients(url, count, status=DeliveryStatus.FAILED, prefix="refused", reply="550 5.7.1 Refused"):
    """`count` more deliveries of the message at `url`, in one executemany."""
    message = db.session.get(Message, int(url.rstrip("/").rsplit("/", 1)[1]))
    now = utcnow()
    db.session.execute(sa.insert(Delivery), [
        {"email_id": message.email_id, "address": f"{prefix}{i:06d}@example.org", "name": f"Person {i}",
         "variables": {}, "status": status, "attempts": 1, "expired_leases": 0, "next_attempt_at": now,
         "created_at": now, "leased_by": "", "last_reply": reply, "message_id": ""}
        for i in range(count)
    ])
    db.session.commit()


def listed(page):
    """The addresses in the recipients table, in order."""
    table = page[page.index(">Recipients</h2>"):]
    return re.findall(r"&lt;([^&]+)&gt;", table[:table.index("</table>")])


def test_100000_refused_recipients_cost_the_same_queries_and_about_the_same_page_as_10(
        client, staff, group, count_queries):
    few, many = write(client, group, "Ten refused"), write(client, group, "All refused")
    add_recipients(few, 10)
    add_recipients(many, 100_000)
    pages, queries = {}, {}
    for url in (few, many):
        def get(url=url):
            pages[url] = client.get(url).get_data(as_text=True)
        queries[url] = count_queries(get)

    assert queries[many] == queries[few]
    # One page of rows at most, where the whole list was 13 MB.
    assert len(pages[many]) < len(pages[few]) + 100 * 400
    assert len(pages[many]) < 80_000
    page = pages[many]
    assert "Page 1 of 1000" in page
    assert len(listed(page)) == 100 and listed(page)[0] == "refused000000@example.org"
    assert "Failed or set aside (100000)" in page
    assert "550 5.7.1 Refused" in page


def test_staff_page_through_the_recipients(client, staff, group):
    url = write(client, group)
    add_recipients(url, 250)
    second = client.get(url + "?page=2").get_data(as_text=True)
    assert "Page 2 of 3" in second
    assert listed(second)[0] == "refused000100@example.org" and len(listed(second)) == 100
    assert f'href="{url}?page=1"' in second and f'href="{url}?page=3"' in second
    assert len(listed(client.get(url + "?page=3").get_data(as_text=True))) == 50


def test_the_recipients_are_filtered_by_status_with_the_counts_on_top(client, staff, group, make):
    url = write(client, group)
    add_recipients(url, 3, status=DeliveryStatus.FAILED, prefix="failed")
    add_recipients(url, 2, status=DeliveryStatus.DEAD, prefix="dead", reply="set aside: 3 leases ran out")
    add_recipients(url, 4, status=DeliveryStatus.SENT, prefix="sent", reply="250 2.0.0 OK")
    page = client.get(url).get_data(as_text=True)
    assert "<strong>All (9)</strong>" in page
    assert f'<a href="{url}?status=failed">Failed or set aside (5)</a>' in page
    assert f'<a href="{url}?status=sent">Sent (4)</a>' in page
    assert "?status=cancelled" not in page  # no tab for what there is none of

    failed = client.get(url + "?status=failed").get_data(as_text=True)
    assert sorted(listed(failed)) == [f"dead{i:06d}@example.org" for i in range(2)] + \
        [f"failed{i:06d}@example.org" for i in range(3)]
    assert "set aside: 3 leases ran out" in failed and "250 2.0.0 OK" not in failed
    sent = client.get(url + "?status=sent").get_data(as_text=True)
    assert listed(sent) == [f"sent{i:06d}@example.org" for i in range(4)]
    assert listed(client.get(url + "?status=dead").get_data(as_text=True)) == ["dead000000@example.org",
                                                                               "dead000001@example.org"]
    nothing = client.get(url + "?status=cancelled").get_data(as_text=True)
    assert listed(nothing) == [] and "No recipients here." in nothing


def test_pages_keep_the_status_filter(client, staff, group):
    url = write(client, group)
    add_recipients(url, 150, status=DeliveryStatus.FAILED)
    add_recipients(url, 150, status=DeliveryStatus.SENT, prefix="sent")
    page = client.get(url + "?status=failed").get_data(as_text=True)
    assert "Page 1 of 2" in page
    assert f'href="{url}?status=failed&amp;page=2"' in page


@pytest.mark.parametrize("query", ["?status=nonsense", "?page=abc", "?page=1.5", "?status=failed&page=x"])
def test_a_filter_that_makes_no_sense_is_a_400(client, staff, group, query):
    url = write(client, group)
    response = client.get(url + query)
    assert response.status_code == 400
    assert "The request could not be understood." in response.get_data(as_text=True)


@pytest.mark.parametrize("page, shown", [("99999999999999999999", "Page 3 of 3"), ("4", "Page 3 of 3"),
                                         ("-1", "Page 1 of 3"), ("0", "Page 1 of 3")])
def test_a_page_out_of_range_shows_the_nearest_page(client, staff, group, page, shown):
    url = write(client, group)
    add_recipients(url, 250)
    response = client.get(f"{url}?page={page}")
    assert response.status_code == 200
    assert shown in response.get_data(as_text=True)


def test_contacts_still_see_only_messages_to_their_groups(client, make, group):
    dalia = make.user(name="Dalia Contact", email="dalia@example.org")
    make.user(name="Sam Staff", email="staff@example.org", role="staff")
    theirs = make.group(slug="youth-organizing", name="Youth Organizing", contacts=[dalia])
    login(client, "staff@example.org")
    other = write(client, group, "Not for Dalia")
    own = write(client, theirs, "For Dalia")
    add_recipients(other, 3)
    client.post("/logout")
    login(client, "dalia@example.org")
    assert client.get(other + "?status=failed").status_code == 403
    assert client.get(other + "?page=2").status_code == 403
    page = client.get(own).get_data(as_text=True)
    assert "For Dalia" in page and "Retry failed deliveries" not in page
