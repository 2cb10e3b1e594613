"""The rows `bench.pages` times the list pages against, built with bulk inserts.

For N memberships: N people, each in one of three working groups (eight in ten
in Defensive Support, the group whose roster is timed); six in ten active, the
rest pending, unconfirmed, declined, left or removed; an organization for
most, out of N/20 (at least 120, so that the staff's page of 100 fills); dates
over three years. So that every list fills its first
page already at 1,000 memberships (a page that grows from 6 rows to 50 would
time its filling, not its list), fifty active members of the timed group
bounce, and one in a hundred of the others; and beside the memberships there
are N/10 addresses blocked by staff, N audit rows, N/10 roster messages with
ten deliveries each (N in all) and N/100 bounces. Five people are named Rosa Castillo-Granados at
every size: the search finds a person, as "find anyone" does.
"""
import random
from datetime import timedelta

import sqlalchemy as sa

GROUPS = (("defensive-support", "Defensive Support"), ("youth-organizing", "Youth Organizing"),
          ("narrative-based-advocacy", "Narrative-Based Advocacy"))
STATUSES = (("active", 60), ("pending", 10), ("unconfirmed", 4), ("declined", 8), ("left", 10), ("removed", 8))
FIRST = ("Ana", "Ben", "Carmen", "Dalia", "Elena", "Farid", "Grace", "Hector", "Ines", "Jamal", "Karla", "Luis",
         "Maya", "Nadia", "Omar", "Paula", "Quinn", "Raul", "Sofia", "Tomas", "Uma", "Victor", "Wen", "Ximena",
         "Yusuf", "Zoe")
LAST = ("Alvarez", "Brown", "Chen", "Diaz", "Evans", "Flores", "Garcia", "Hernandez", "Ibrahim", "Johnson", "Kim",
        "Lopez", "Martinez", "Nguyen", "Ortiz", "Patel", "Ramirez", "Smith", "Torres", "Vargas", "Williams", "Young")
SEARCHED = "Rosa Castillo-Granados"
BOUNCING = 0.01  # of the active members, after the first fifty (who all bounce: the tab fills a page at every size)
CHUNK = 5_000


def _chunks(rows):
    for start in range(0, len(rows), CHUNK):
        yield rows[start:start + CHUNK]


def _insert(model, rows):
    """Core executemanys (the ORM's bulk insert sends a few rows at a time)."""
    from webapp.extensions import db

    table = getattr(model, "__table__", model)
    for chunk in _chunks(rows):
        db.session.execute(table.insert(), chunk)


def build(size, seed=8):
    """Fill an empty, migrated database (inside an app context) with `size` memberships and the rest."""
    from webapp.accounts.services import create_user
    from webapp.audit.models import AuditEvent
    from webapp.bounces.models import Bounce, BounceKind
    from webapp.db_types import utcnow
    from webapp.extensions import db
    from webapp.groups.models import GroupContact, JoinPolicy, WorkingGroup
    from webapp.mailing.models import Message, message_group
    from webapp.membership.models import Membership, Person, Status
    from webapp.organizations.models import CoalitionStatus, Organization
    from webapp.outbox.models import Delivery, DeliveryStatus, Email, EmailKind, Suppression, SuppressionKind

    rng = random.Random(seed)
    now = utcnow()
    staff = create_user(email="staff@example.org", name="Sam Staff", password="bench-password-1", role="staff")
    contact = create_user(email="dalia@example.org", name="Dalia Contact", password="bench-password-1")
    groups = [WorkingGroup(slug=slug, name=name, join_policy=JoinPolicy.MODERATED) for slug, name in GROUPS]
    db.session.add_all(groups)
    db.session.flush()
    db.session.add(GroupContact(group_id=groups[0].id, user_id=contact.id, position=0))

    organizations = max(size // 20, 120)  # more than the staff page shows (100), already at 1,000
    _insert(Organization, [{"name": f"Organization {k:05d}", "name_key": f"organization {k:05d}",
                            "coalition_status": rng.choice(list(CoalitionStatus)), "listed": k % 3 == 0}
                           for k in range(organizations)])
    org_ids = db.session.scalars(sa.select(Organization.id)).all()

    people, memberships, bouncing = [], [], []
    statuses = [Status(s) for s, _ in STATUSES]
    weights = [w for _, w in STATUSES]
    for i in range(size):
        name = SEARCHED if i % (size // 5) == 7 else f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        email = f"{name.split()[0].lower()}.{i:06d}@example.org"
        people.append({"id": i + 1, "name": name, "email": email, "created_at": now})
        status = rng.choices(statuses, weights)[0]
        changed = now - timedelta(minutes=rng.randrange(3 * 365 * 24 * 60))
        group = groups[0] if i % 10 < 8 else groups[1 + i % 2]
        memberships.append({
            "person_id": i + 1, "group_id": group.id, "status": status, "consented_at": changed,
            "organization_id": rng.choice(org_ids) if rng.random() < 0.85 else None, "requested_at": changed,
            "joined_at": changed if status in (Status.ACTIVE, Status.LEFT, Status.REMOVED) else None,
            "status_changed_at": changed, "role_title": "", "note": "", "decision_reason": ""})
        if status == Status.ACTIVE and group is groups[0] and (len(bouncing) < 50 or rng.random() < BOUNCING):
            bouncing.append(email)
    _insert(Person, people)
    _insert(Membership, memberships)
    _insert(Suppression, [{"address": a, "kind": SuppressionKind.BOUNCE, "reason": "550 5.1.1", "created_at": now}
                          for a in bouncing]
            + [{"address": f"blocked{k}@spam.example", "kind": SuppressionKind.STAFF, "reason": "spam",
                "created_at": now} for k in range(size // 10)])
    _insert(AuditEvent, [{"action": "membership.approve", "actor_id": contact.id, "actor_label": contact.email,
                          "target": f"membership:{k + 1}", "details": {}, "ip_address": "127.0.0.1",
                          "created_at": now - timedelta(seconds=size - k)} for k in range(size)])
    _build_messages(size, rng, now, staff, groups, db, Email, EmailKind, Message, message_group, Delivery,
                    DeliveryStatus)
    _insert(Bounce, [{"address": people[k]["email"], "kind": BounceKind.HARD, "received_at": now, "subject": "x",
                      "diagnostic": "550 5.1.1", "counted": True, "raw": b"x" * 200}
                     for k in range(0, size, 100)])
    db.session.commit()
    _advance_sequences(db)
    _analyze(db)


def _advance_sequences(db):
    """Rows written here with their ids leave PostgreSQL's sequences behind: the app's next INSERT would reuse an id."""
    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.begin() as conn:
        for table in db.metadata.sorted_tables:
            if "id" in table.c and isinstance(table.c.id.type, sa.Integer) and table.c.id.autoincrement is not False:
                name = f'"{table.name}"'  # "user" is a reserved word
                conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                     f"(SELECT coalesce(max(id), 0) + 1 FROM {name}), false) "
                                     f"WHERE pg_get_serial_sequence('{name}', 'id') IS NOT NULL"))


def _build_messages(size, rng, now, staff, groups, db, Email, EmailKind, Message, message_group, Delivery,
                    DeliveryStatus):
    messages = max(size // 10, 1)
    _insert(Email, [{"id": k + 1, "kind": EmailKind.ROSTER, "subject": f"News {k}", "text": "Hello.", "audience": [],
                     "created_at": now} for k in range(messages)])
    _insert(Message, [{"id": k + 1, "subject": f"News {k}", "body": "Hello.", "author_id": staff.id,
                       "email_id": k + 1, "created_at": now - timedelta(hours=messages - k), "sent_at": now}
                      for k in range(messages)])
    _insert(message_group, [{"message_id": k + 1, "group_id": groups[k % 3].id} for k in range(messages)])
    states = list(DeliveryStatus)
    _insert(Delivery, [{"email_id": k // 10 + 1, "address": f"member.{k:06d}@example.org", "variables": {},
                        "status": DeliveryStatus.SENT if rng.random() < 0.9 else rng.choice(states),
                        "next_attempt_at": now, "created_at": now} for k in range(messages * 10)])


def _analyze(db):
    """What a PostgreSQL database in use has from autovacuum: statistics and a visibility map.

    SQLite gets nothing: the app never runs ANALYZE there, so the bench does not either.
    """
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))
