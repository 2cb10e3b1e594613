"""A roster of any size: tabs with their counts, search, sort and pages, each at a fixed number of queries."""
import html
import re
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from tests.conftest import login
from tests.membership.roster_helpers import add_many, bounce, names_on, tab_counts
from webapp.extensions import db
from webapp.membership.models import Membership

ROSTER = "/groups/defensive-support/roster"


@pytest.fixture
def group(make):
    contact = make.user(name="Dalia Contact", email="dalia@example.org")
    make.user(name="Sam Staff", email="staff@example.org", role="staff")
    group = make.group(contacts=[contact])
    make.group(slug="youth-organizing", name="Youth Organizing")
    return group


@pytest.fixture
def everyone(make, group, client):
    """One member in each status, one of the active ones bouncing, and someone in another group."""
    make.member(group, name="Ana Active", email="ana@example.org", organization="Oasis Legal Services")
    make.member(group, name="Ben Bouncing", email="ben@example.org")
    bounce("ben@example.org")
    for status in ("pending", "left", "removed", "declined", "unconfirmed"):
        make.member(group, name=f"{status.title()} Person", email=f"{status}@example.org", status=status)
    make.member(make.group(slug="other", name="Other"), name="Olga Other", email="olga@example.org")
    login(client, "dalia@example.org")


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def test_each_tab_lists_its_members_and_every_tab_says_how_many(client, everyone):
    page = get(client, ROSTER)
    assert names_on(page) == ["Ana Active", "Ben Bouncing"]
    assert tab_counts(page) == {"Active": 2, "Pending": 1, "Left": 1, "Removed": 1, "Declined": 1, "Bouncing": 1}
    assert "2 active members" in page
    assert page.count("Mail bouncing") == 1  # the badge, beside Ben's address
    assert f'href="{ROSTER}?tab=pending">Pending (1)</a>' in page and f'href="{ROSTER}.csv" download' in page
    searched = get(client, f"{ROSTER}?tab=left&q=person&order=desc")
    assert f'href="{ROSTER}?tab=pending&amp;q=person&amp;order=desc">Pending (1)</a>' in searched
    assert f'href="{ROSTER}.csv?tab=left&amp;q=person" download' in searched
    for tab, name in [("pending", "Pending Person"), ("left", "Left Person"), ("removed", "Removed Person"),
                      ("declined", "Declined Person"), ("bouncing", "Ben Bouncing"), ("active", "Ana Active")]:
        assert name in names_on(get(client, f"{ROSTER}?tab={tab}")), tab
    assert names_on(get(client, f"{ROSTER}?tab=bouncing")) == ["Ben Bouncing"]
    assert "Mail bouncing" in get(client, f"{ROSTER}?tab=bouncing")
    assert "Unconfirmed Person" not in get(client, ROSTER) and "Olga Other" not in get(client, ROSTER)
    get(client, f"{ROSTER}?tab=unconfirmed", 400)
    get(client, f"{ROSTER}?tab=everyone", 400)


def test_a_tab_with_nobody_in_it_is_still_there_with_nought(client, make, group):
    make.member(group, name="Ana Active")
    login(client, "dalia@example.org")
    page = get(client, ROSTER)
    assert tab_counts(page) == {"Active": 1, "Pending": 0, "Left": 0, "Removed": 0, "Declined": 0, "Bouncing": 0}
    assert "Nobody here." in get(client, f"{ROSTER}?tab=removed")


def test_the_search_finds_part_of_a_name_an_address_or_an_organization_in_any_case(client, make, group):
    make.member(group, name="Ana García", email="ana@example.org", organization="Oasis Legal Services")
    make.member(group, name="Ben Okafor", email="ben@lawfirm.example")
    make.member(group, name="Carla 100% Sure", email="carla@example.org")
    make.member(group, name="Dee_Underscore", email="dee@example.org")
    make.member(group, name="Gabriel García", email="gabriel@example.org", status="pending")
    login(client, "dalia@example.org")
    assert names_on(get(client, f"{ROSTER}?q=GARC")) == ["Ana García"]
    assert tab_counts(get(client, f"{ROSTER}?q=garc"))["Pending"] == 1  # the tabs count what matches
    assert names_on(get(client, f"{ROSTER}?q=garc&tab=pending")) == ["Gabriel García"]
    assert names_on(get(client, f"{ROSTER}?q=LawFirm")) == ["Ben Okafor"]
    assert names_on(get(client, f"{ROSTER}?q=oasis%20%20LEGAL")) == ["Ana García"]
    # % and _ are what they are, not wildcards.
    assert names_on(get(client, f"{ROSTER}?q=%25")) == ["Carla 100% Sure"]
    assert names_on(get(client, f"{ROSTER}?q=_")) == ["Dee_Underscore"]
    nothing = get(client, f"{ROSTER}?q=nobody")
    assert names_on(nothing) == [] and "No member matches your search." in nothing
    assert 'value="GARC"' in get(client, f"{ROSTER}?q=GARC")  # the box keeps what was typed
    get(client, f"{ROSTER}?q={'x' * 201}", 400)


def when(day):
    return datetime(2026, 1, day, 12, tzinfo=timezone.utc)


def test_the_list_is_sorted_by_name_organization_or_date_either_way(client, make, group):
    for name, org, day in [("bea Brown", "Zeta Org", 3), ("Abel Adams", None, 1), ("Cy Chen", "Alpha Org", 2)]:
        make.member(group, name=name, organization=org).joined_at = when(day)
    db.session.commit()
    login(client, "dalia@example.org")
    assert names_on(get(client, ROSTER)) == ["Abel Adams", "bea Brown", "Cy Chen"]  # by name, in any case
    assert names_on(get(client, f"{ROSTER}?sort=name&order=desc")) == ["Cy Chen", "bea Brown", "Abel Adams"]
    # By organization: those without one come last.
    assert names_on(get(client, f"{ROSTER}?sort=organization")) == ["Cy Chen", "bea Brown", "Abel Adams"]
    assert names_on(get(client, f"{ROSTER}?sort=date")) == ["Abel Adams", "Cy Chen", "bea Brown"]
    assert names_on(get(client, f"{ROSTER}?sort=date&order=desc")) == ["bea Brown", "Cy Chen", "Abel Adams"]
    get(client, f"{ROSTER}?sort=email", 400)
    get(client, f"{ROSTER}?sort=name;drop%20table", 400)
    get(client, f"{ROSTER}?order=sideways", 400)


def link(page, label):
    """The href of the pager's link with this label, unescaped; None if the page has none."""
    found = re.search(rf'<a href="([^"]*)">{label}</a>', page)
    return html.unescape(found.group(1)) if found else None


def walk(client, url, label):
    """Each page from `url` on, following the pager's `label` link ("Next" or "Previous")."""
    pages = []
    while url is not None:
        pages.append(get(client, url))
        url = link(pages[-1], label)
        assert len(pages) < 20, "the pages go round in a circle"
    return pages


def ids_on(page):
    return [int(i) for i in re.findall(r'name="selected" value="(\d+)"', page)]


def test_a_big_roster_comes_fifty_to_a_page_with_links_that_keep_the_choices(client, group):
    add_many(group, 120)
    login(client, "dalia@example.org")
    first = get(client, ROSTER)
    assert names_on(first) == [f"Person {i:05d}" for i in range(50)]
    assert "120 active members" in first
    assert link(first, "Previous") is None and link(first, "First") is None
    assert link(first, "Last") == f"{ROSTER}?before=end"
    second = get(client, link(first, "Next"))
    assert names_on(second) == [f"Person {i:05d}" for i in range(50, 100)]
    assert link(second, "First") == ROSTER
    last = get(client, f"{ROSTER}?before=end")
    assert names_on(last) == [f"Person {i:05d}" for i in range(70, 120)]
    assert link(last, "Next") is None and link(last, "Last") is None
    assert names_on(get(client, link(last, "Previous"))) == [f"Person {i:05d}" for i in range(20, 70)]
    # Old links with a page number, and cursors that are not this group's members, show the first page.
    for bad in ("page=3", "page=two", "after=two", "after=99999999999999999999", "before=-4", "after=999999",
                "before=1.5", "before="):
        assert names_on(get(client, f"{ROSTER}?{bad}")) == names_on(first), bad
    searched = get(client, f"{ROSTER}?q=person&sort=date&order=desc")
    following = link(searched, "Next")
    assert following.startswith(f"{ROSTER}?q=person&sort=date&order=desc&after=")
    assert "q=person&sort=date&order=desc" in link(get(client, following), "Previous")


def test_a_cursor_from_another_group_shows_the_first_page(client, make, group):
    add_many(group, 60)
    other = make.group(slug="other", name="Other")
    stranger = make.member(other, name="Zed Stranger")
    login(client, "dalia@example.org")
    first = names_on(get(client, ROSTER))
    for side in ("after", "before"):
        assert names_on(get(client, f"{ROSTER}?{side}={stranger.id}")) == first


@pytest.mark.parametrize("sort", ["name", "organization", "date"])
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_every_page_of_every_order_together_is_the_whole_tab_once(client, make, group, sort, order):
    # Ties in every key, and members with and without an organization: the pages must still meet exactly,
    # whether read forwards with Next from the first or backwards with Previous from the last.
    add_many(group, 70, organization_id=make.member(group, name="Same Name", organization="Org").organization_id)
    for n in range(40):
        make.member(group, name="Same Name", organization=None if n % 2 else f"Org {n % 3}")
    login(client, "dalia@example.org")
    url = f"{ROSTER}?sort={sort}&order={order}"
    forwards = walk(client, url, "Next")
    assert [len(names_on(p)) for p in forwards] == [50, 50, 11]
    everyone = [name for page in forwards for name in names_on(page)]
    assert sorted(everyone) == sorted([f"Person {i:05d}" for i in range(70)] + ["Same Name"] * 41)
    if sort == "name":
        assert everyone == sorted(everyone, key=str.lower, reverse=order == "desc")
    ids = [i for page in forwards for i in ids_on(page)]
    assert len(set(ids)) == 111  # each member once
    backwards = walk(client, f"{url}&before=end", "Previous")
    assert [i for page in reversed(backwards) for i in ids_on(page)] == ids


ROSTER_PAGES = [ROSTER, f"{ROSTER}?tab=pending", f"{ROSTER}?tab=left", f"{ROSTER}?tab=removed",
                f"{ROSTER}?tab=declined", f"{ROSTER}?tab=bouncing", f"{ROSTER}?q=person",
                f"{ROSTER}?sort=organization&order=desc", f"{ROSTER}?sort=date", f"{ROSTER}?before=end",
                f"{ROSTER}?tab=removed&sort=date&order=desc&before=end",
                f"{ROSTER}?sort=organization&before=end", f"{ROSTER}.csv?tab=left"]


def test_every_tab_search_order_and_page_costs_the_same_queries_with_ten_members_or_thousands(
        client, group, count_queries):
    login(client, "dalia@example.org")
    statuses = ("active", "pending", "left", "removed", "declined")
    for n, status in enumerate(statuses):
        add_many(group, 2, status=status, start=n * 10_000, bouncing=2)
    active, left = (db.session.scalars(sa.select(Membership.id).where(Membership.status == status)
                                       .order_by(Membership.id)).all() for status in ("active", "left"))
    urls = ROSTER_PAGES + [f"{ROSTER}?after={active[0]}", f"{ROSTER}?before={active[1]}",
                           f"{ROSTER}?sort=organization&after={active[0]}", f"{ROSTER}?tab=bouncing&after={active[0]}",
                           f"{ROSTER}?tab=left&sort=date&order=desc&after={left[0]}"]
    few = {url: count_queries(lambda: client.get(url).get_data()) for url in urls}
    for n, status in enumerate(statuses):
        add_many(group, 600, status=status, start=n * 10_000 + 100, bouncing=100)
    many = {url: count_queries(lambda: client.get(url).get_data()) for url in urls}
    assert many == few
    assert len(client.get(ROSTER).get_data()) < 60_000  # fifty rows, whatever the roster's size


def test_only_the_groups_contacts_and_staff_see_its_roster(client, everyone, app):
    assert client.get("/groups/youth-organizing/roster").status_code == 403
    assert client.get("/groups/youth-organizing/roster.csv").status_code == 403
    staff = app.test_client()
    login(staff, "staff@example.org")
    assert staff.get("/groups/youth-organizing/roster?tab=pending").status_code == 200
