"""Reading a group's roster: its tabs' counts, a page of a tab, and its rows for the CSV.

Each costs the same queries whatever the roster's size, and a page reads about
as many rows as it shows, wherever it is: pages are found by a cursor (the
member a page starts after or ends before), never by an OFFSET. By name a page
walks ix_person_name (a join would make the database read and sort the whole
tab first, as SQLite does), the bouncing tab sorting its few people instead; by
date, ix_membership_roster (joined: the active tabs) or ix_membership_review
(changed: the others); by organization, the organizations by name and each
one's members here (ix_membership_organization). The counts read the whole tab
in an index, and are cached (count_cache.py). A search finds its people and
organizations by trigrams where the database has them (search.py).
`make bench-pages-inprocess` has the figures.
"""
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from webapp.extensions import db
from webapp.membership import count_cache
from webapp.membership import search as search_index
from webapp.membership.models import Membership, Person, Status
from webapp.organizations.models import Organization
from webapp.outbox.models import Suppression, SuppressionKind

PAGE_SIZE = 50
EXPORT_CHUNK = 1000  # rows per query of the CSV
TABS = ("active", "pending", "left", "removed", "declined", "bouncing")
SORTS = ("name", "organization", "date")
# Bouncing: active members whose address is suppressed because it bounces.
_STATUS = {**{tab: Status(tab) for tab in TABS if tab != "bouncing"}, "bouncing": Status.ACTIVE}


def _bouncing_people():
    return (sa.select(Person.id).join(Suppression, Suppression.address == Person.email)
            .where(Suppression.kind == SuppressionKind.BOUNCE).correlate(None))


def _in_tab(tab):
    conditions = [Membership.status == _STATUS[tab]]
    if tab == "bouncing":
        conditions.append(Membership.person_id.in_(_bouncing_people()))
    return conditions


def _in_group(group_id, search=""):
    """The group's memberships; with a search, those whose person's name or address, or whose organization's
    name, contains it in any case (% and _ stand for themselves).

    A search finds the people and organizations that match, in trigram indexes
    where there are some (search.py); their memberships are then looked up by
    person and by organization, so that no plan starts from the group's
    thousands of memberships, as SQLite's does from `group_id = ?` when it has
    no statistics (the app never runs ANALYZE). Organization names are matched
    on their name_key (lower case, single spaces), so the search is folded so.
    """
    if not search:
        return Membership.group_id == group_id
    term = " ".join(search.split()).lower()
    people = search_index.people(term)
    organizations = search_index.organizations(term)
    found = sa.union_all(
        sa.select(Membership.id).where(Membership.group_id == group_id,
                                       Membership.person_id.in_(people.correlate(None))).correlate(None),
        sa.select(Membership.id).where(Membership.group_id == group_id,
                                       Membership.organization_id.in_(organizations.correlate(None))).correlate(None))
    return Membership.id.in_(found)


def _conditions(group_id, tab, search):
    return [_in_group(group_id, search), *_in_tab(tab)]


def _sort_keys(sort, tab):
    """The roster's order, ending in a unique key so that every page meets the next exactly."""
    if sort == "name":
        return [sa.func.lower(Person.name), Person.id]
    if sort == "organization":  # those without one last; in one, in the order they asked
        return [Organization.name_key.is_(None), Organization.name_key, Membership.id]
    changed = Membership.joined_at if _STATUS[tab] == Status.ACTIVE else Membership.status_changed_at
    return [changed, Membership.id]


def _ordered(conditions, sort, tab, descending, people_first):
    """(the column that picks rows, a SELECT of its values in roster order) of the memberships meeting
    `conditions`: people's ids walking ix_person_name, or memberships' ids."""
    keys = [key.desc() if descending else key.asc() for key in _sort_keys(sort, tab)]
    if people_first:
        # People in name order, each kept if they have a matching membership here.
        here = sa.exists().where(Membership.person_id == Person.id, *conditions)
        query = sa.select(Person.id).where(here.correlate(Person))
        return Membership.person_id, query.order_by(*keys).correlate(None)
    query = sa.select(Membership.id).where(*conditions)
    if sort == "name":
        query = query.join(Person, Person.id == Membership.person_id)
    if sort == "organization":
        query = query.outerjoin(Organization, Organization.id == Membership.organization_id)
    return Membership.id, query.order_by(*keys).correlate(None)


def _rows_of(group_id, column, chosen):
    """The memberships `chosen` picks, with their person and organization: by their ids, or by their people's."""
    mine = [Membership.group_id == group_id] if column is Membership.person_id else []
    return (sa.select(Membership).join(Membership.person).outerjoin(Membership.organization)
            .options(contains_eager(Membership.person), contains_eager(Membership.organization))
            .where(column.in_(chosen), *mine))


def counts(group, search=""):
    """{tab: how many members it has}, of those matching the search, in one query.

    The statuses are counted in ix_membership_roster alone; the bouncing ones
    from the suppression list, each looked up in the group (with a search, the
    other way round).
    """
    in_group = _in_group(group.id, search)
    if search:
        # The matches, found once (a CTE used twice is materialized on both engines) for both counts.
        matched = sa.select(Membership.id).where(in_group).cte("matched")
        in_group = Membership.id.in_(sa.select(matched.c.id))
    by_status = (sa.select(sa.type_coerce(Membership.status, sa.String), sa.func.count())
                 .where(in_group).group_by(Membership.status))
    here = sa.exists().where(Person.email == Suppression.address, Membership.person_id == Person.id, in_group,
                             Membership.status == Status.ACTIVE).correlate(Suppression)
    bouncing = (sa.select(sa.literal("bouncing"), sa.func.count()).select_from(Suppression)
                .where(Suppression.kind == SuppressionKind.BOUNCE, here))
    found = dict.fromkeys(TABS, 0)
    if search:
        # The matches are few next to the bounces: each active one looked up in the suppression list.
        bounces = sa.exists().where(Suppression.address == Person.email, Suppression.kind == SuppressionKind.BOUNCE)
        bouncing = (sa.select(sa.literal("bouncing"), sa.func.count()).select_from(Membership)
                    .join(Person, Person.id == Membership.person_id)
                    .where(in_group, Membership.status == Status.ACTIVE, bounces.correlate(Person)))
        found.update((tab, n) for tab, n in db.session.execute(sa.union_all(by_status, bouncing)) if tab in found)
        return found
    # Without a search the statuses' counts come from the cache while no membership changes (count_cache.py);
    # the bouncing tab's is read each time, as the suppression list changes on its own.
    found.update(count_cache.status_counts(group.id, lambda: dict(db.session.execute(by_status).all())))
    found.update(db.session.execute(bouncing).all())
    return {tab: found[tab] for tab in TABS}


@dataclass
class RosterPage:
    """One page of a tab: its members, how many the tab has, and where the pages before and after it start.

    `previous` and `following` are the membership ids to give as ?before= and ?after= (None: no such page);
    `at_start`/`at_end` say whether this is the first or the last page.
    """

    items: list
    total: int
    previous: int | None
    following: int | None
    at_start: bool
    at_end: bool


def _cursor_keys(group_id, sort, tab, membership_id):
    """The sort key of one of the group's memberships, for reading the rows after or before it; None if it is not
    the group's (a cursor is only a position, and only in this group's roster: no other group's order leaks)."""
    changed = Membership.joined_at if _STATUS[tab] == Status.ACTIVE else Membership.status_changed_at
    columns = {"name": [sa.func.lower(Person.name), Person.id],
               "organization": [Organization.name_key, Membership.id],
               "date": [changed, Membership.id]}[sort]
    row = db.session.execute(
        sa.select(*columns).select_from(Membership).join(Person, Person.id == Membership.person_id)
        .outerjoin(Organization, Organization.id == Membership.organization_id)
        .where(Membership.id == membership_id, Membership.group_id == group_id)).first()
    if row is None or (sort != "organization" and None in tuple(row)):
        return None
    return tuple(row)


def _beyond(keys, cursor, descending):
    """Rows past `cursor` in the order of `keys` (two: a key and a unique tie-breaker). The first term lets an
    index seek to the place; the second is the exact place."""
    first, second = keys
    if descending:
        return [first <= cursor[0], sa.tuple_(first, second) < sa.tuple_(*cursor)]
    return [first >= cursor[0], sa.tuple_(first, second) > sa.tuple_(*cursor)]


def _by_organization(conditions, cursor, descending, limit):
    """The ids of up to `limit` memberships in organization order past `cursor` (None: from the start).

    Two parts, each cut at `limit`: those with an organization, then those without one, by id (descending
    reads them the other way round). The first part picks its organizations first, walking their names in
    order (organization's unique name_key) and keeping each with a membership in the tab
    (ix_membership_organization), up to `limit` of them; then it sorts only those organizations'
    memberships. A join of the two would let SQLite start from the tab's thousands of memberships.
    """
    order = (lambda c: c.desc()) if descending else (lambda c: c.asc())
    in_tab = sa.exists().where(Membership.organization_id == Organization.id, *conditions)
    organizations = sa.select(Organization.id).where(in_tab.correlate(Organization))
    with_org = (sa.select(Membership.id.label("id"), sa.literal(0).label("part"), Organization.name_key.label("key"))
                .select_from(Membership).join(Organization, Organization.id == Membership.organization_id)
                .where(*conditions))
    without = (sa.select(Membership.id.label("id"), sa.literal(1).label("part"), sa.literal("").label("key"))
               .where(Membership.organization_id.is_(None), *conditions))
    if cursor is not None and cursor[0] is None:  # the cursor is among those without an organization
        without = without.where(Membership.id < cursor[1] if descending else Membership.id > cursor[1])
        if not descending:
            with_org = with_org.where(sa.false())
    elif cursor is not None:
        organizations = organizations.where(Organization.name_key <= cursor[0] if descending
                                            else Organization.name_key >= cursor[0])
        with_org = with_org.where(*_beyond([Organization.name_key, Membership.id], cursor, descending))
        if descending:
            without = without.where(sa.false())
    organizations = organizations.order_by(order(Organization.name_key)).limit(limit)
    with_org = with_org.where(Membership.organization_id.in_(organizations.correlate(None)))
    with_org = with_org.order_by(order(Organization.name_key), order(Membership.id)).limit(limit).subquery()
    without = without.order_by(order(Membership.id)).limit(limit).subquery()
    both = sa.union_all(sa.select(with_org), sa.select(without)).subquery()
    return sa.select(both.c.id).order_by(order(both.c.part), order(both.c.key), order(both.c.id)).limit(limit)


def page(group, *, tab, search, sort, descending, after=None, before=None, total):
    """A page of a tab: the first, the one after membership `after`, the one before membership `before`, or the
    last (`before="end"`); a cursor that is not one of the group's memberships gives the first page.

    `total` is the tab's count, from counts(). Each page reads about as many rows as it shows, wherever it is
    in the roster (keyset paging: no OFFSET). Two queries: the cursor's place (when there is one), then the page.
    """
    backwards = before is not None
    mark = before if backwards else after
    cursor = None
    if isinstance(mark, int):
        cursor = _cursor_keys(group.id, sort, tab, mark)
        if cursor is None:  # not a member here: the first page
            backwards, mark = False, None
    conditions = _conditions(group.id, tab, search)
    reading_desc = descending != backwards
    people_first = sort == "name" and not search
    if sort == "organization":
        column = Membership.id
        chosen = _by_organization(conditions, cursor, reading_desc, PAGE_SIZE + 1)
    else:
        column, ordered = _ordered(conditions, sort, tab, reading_desc, people_first=people_first)
        if cursor is not None:
            ordered = ordered.where(*_beyond(_sort_keys(sort, tab), cursor, reading_desc))
        if people_first and tab == "bouncing":  # the few bouncing people, sorted, not every name walked
            ordered = ordered.where(Person.id.in_(_bouncing_people()))
        chosen = ordered.limit(PAGE_SIZE + 1)
    keys = [key.desc() if reading_desc else key.asc() for key in _sort_keys(sort, tab)]
    items = db.session.scalars(_rows_of(group.id, column, chosen).order_by(*keys)).all()
    if not items and cursor is not None:  # nobody there any more (removed since): the first page
        return page(group, tab=tab, search=search, sort=sort, descending=descending, total=total)
    more = len(items) > PAGE_SIZE
    items = items[:PAGE_SIZE]
    if backwards:
        items.reverse()
    at_start = not more if backwards else mark is None
    at_end = (mark == "end" or not more) if backwards else not more
    return RosterPage(items=items, total=total, at_start=at_start, at_end=at_end,
                      previous=items[0].id if items and not at_start else None,
                      following=items[-1].id if items and not at_end else None)


def export(group, *, tab="active", search="", selected=None):
    """The rows of the roster's CSV, in name order, as lists of up to EXPORT_CHUNK
    (name, email, organization, role or title, joined) tuples: the tab's members
    matching the search, or only the `selected` memberships of the group.

    Each list is read by its own query, starting after the last row of the one
    before, and the read ends there: a download of any size holds one list in
    memory, and no lock (SQLite) or snapshot (PostgreSQL) while the client reads.
    """
    group_id = group.id
    if selected is not None:
        conditions = [Membership.group_id == group_id, Membership.id.in_(selected)]
    else:
        conditions = _conditions(group_id, tab, search)
    name_key = sa.func.lower(Person.name)
    after = None
    while True:
        column, ordered = _ordered(conditions, "name", tab, False,
                                   people_first=not search and selected is None)
        if after is not None:
            # The first term lets SQLite seek in the index; the second is the exact place.
            ordered = ordered.where(name_key >= after[0], sa.tuple_(name_key, Person.id) > sa.tuple_(*after))
        # The chunk's people with their names and addresses, read in the walk that finds them: joined back
        # to `person` by id instead, PostgreSQL read every person to hash them (45 ms a chunk at 200,000).
        chunk = ordered.add_columns(Person.id.label("person_id"), Person.name.label("person_name"),
                                    Person.email.label("person_email"), name_key.label("name_key")) \
            .limit(EXPORT_CHUNK).subquery("chunk")
        picked = column == list(chunk.c)[0]
        rows = db.session.execute(
            sa.select(chunk.c.person_name, chunk.c.person_email, Organization.name, Membership.role_title,
                      Membership.joined_at, chunk.c.name_key, chunk.c.person_id)
            .select_from(chunk).join(Membership, sa.and_(picked, *(
                [Membership.group_id == group_id] if column is Membership.person_id else [])))
            .outerjoin(Organization, Organization.id == Membership.organization_id)
            .order_by(chunk.c.name_key, chunk.c.person_id)
        ).all()
        db.session.rollback()  # nothing was written: this only ends the read
        if rows:
            yield [tuple(row[:5]) for row in rows]
        if len(rows) < EXPORT_CHUNK:
            return
        after = tuple(rows[-1][5:])
