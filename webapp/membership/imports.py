"""Bringing members in: a CSV file read, sorted against the group and, once confirmed, imported; or one person by hand.

A row never re-adds someone who left (by their page or an email's unsubscribe
link), was removed or was declined: only they can ask again. Nor an address
that bounces or that staff block, nor someone whose request is in progress
(their contact decides it on the review page). Those rows are shown with the
reason and left alone. Nothing is written until the importer confirms the
preview; the confirmation sorts the rows again and writes everything in one
transaction.
"""
import secrets
from dataclasses import dataclass, field, replace

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError

from webapp.audit.services import record
from webapp.bounces.scoring import bouncing
from webapp.extensions import db
from webapp.membership import notifications, services
# BadFile, limits, too_large and MAX_ROWS too: the views and tests need only this module.
from webapp.membership.import_files import MAX_ROWS, BadFile, limits, make_row, read_file, too_large  # noqa: F401
from webapp.membership.models import Membership, MembershipEvent, Person, Status
from webapp.organizations.services import find_or_create, name_key
from webapp.outbox import blocks

PREVIEW_SECONDS = 3600  # how long a preview may be confirmed
CHUNK = 1000  # addresses looked up per query

REFUSED = {
    "left": _l("Left the group; only they can ask to join again."),
    "unsubscribed": _l("Left the group by the unsubscribe link in an email; only they can ask to join again."),
    "removed": _l("Was removed from the group."),
    "declined": _l("Their request to join was declined; only they can ask again."),
    "withdrawn": _l("Took back their request to join; only they can ask again."),
    "pending": _l("Has a pending request: approve or decline it on the review page."),
    "unconfirmed": _l("Asked to join and has not yet confirmed their address."),
    "bouncing": _l("Mail to this address bounces."),
    "blocked": _l("This address is blocked by staff."),
}


class PreviewInvalid(Exception):
    """A preview changed on the way back, expired, or made for another group or importer."""


class NotAdded(Exception):
    """One person by hand who may not be added; `reason` says why."""

    def __init__(self, address, reason=""):
        super().__init__(address)
        self.address, self.reason = address, reason


class AlreadyMember(NotAdded):
    pass


@dataclass
class Sorted:
    """What importing a file's rows would do (or did), each with its reason."""

    new: list = field(default_factory=list)
    members: list = field(default_factory=list)
    refused: list = field(default_factory=list)
    invalid: list = field(default_factory=list)
    duplicates: list = field(default_factory=list)
    ignored_columns: list = field(default_factory=list)
    people: dict = field(default_factory=dict)  # address -> stored Person, for the addresses already known
    token: str = ""
    nonce: str = ""


def sort_rows(group, rows, ignored_columns=()):
    """What importing these rows into the group would do, row by row, from the database as it is now."""
    rows = [replace(row) for row in rows]  # the reasons found here are this sorting's, not the caller's rows'
    result = Sorted(ignored_columns=list(ignored_columns))
    first_line = {}
    for row in rows:
        if row.reason:
            result.invalid.append(row)
        elif row.email in first_line:
            row.reason = _l("Also on row %(line)d.", line=first_line[row.email])
            result.duplicates.append(row)
        else:
            first_line[row.email] = row.line
    candidates = [row for row in rows if not row.reason]
    standing = _standing(group, [row.email for row in candidates], result.people)
    for row in candidates:
        state = standing.get(row.email)
        if state == "member":
            result.members.append(row)
        elif state:
            row.reason = REFUSED[state]
            result.refused.append(row)
        else:
            result.new.append(row)
    return result


def _standing(group, addresses, people):
    """Why each address may not be imported ("member" for an active one): two queries a thousand addresses, and two."""
    statuses, left, bounced = {}, {}, set()
    for start in range(0, len(addresses), CHUNK):
        chunk = addresses[start:start + CHUNK]
        for person, membership_id, status in db.session.execute(
                sa.select(Person, Membership.id, Membership.status)
                .outerjoin(Membership, sa.and_(Membership.person_id == Person.id, Membership.group_id == group.id))
                .where(Person.email.in_(chunk))):
            people[person.email] = person
            if status == Status.LEFT:
                left[membership_id] = person.email
            elif status is not None:
                statuses[person.email] = "member" if status == Status.ACTIVE else status.value
        bounced |= bouncing(chunk)
    for address in left.values():
        statuses[address] = "left"
    for membership_id in _left_by_unsubscribing(list(left)):
        statuses[left[membership_id]] = "unsubscribed"
    patterns = [block.pattern for block in blocks.all_blocks()]  # few: matched here, as blocks.is_blocked does
    for address in addresses:
        if address in statuses:
            continue
        if any(blocks.matches(pattern, address) for pattern in patterns):
            statuses[address] = "blocked"
        elif address in bounced:
            statuses[address] = "bouncing"
    return statuses


def _left_by_unsubscribing(membership_ids):
    """Of these memberships that left, those whose last leaving was by an email's unsubscribe link."""
    last = {}
    for start in range(0, len(membership_ids), CHUNK):
        last.update(db.session.execute(
            sa.select(MembershipEvent.membership_id, MembershipEvent.actor_label)
            .where(MembershipEvent.membership_id.in_(membership_ids[start:start + CHUNK]),
                   MembershipEvent.to_status == Status.LEFT)
            .order_by(MembershipEvent.id)).all())  # the last row of each membership wins
    return [m for m, label in last.items() if label == services.UNSUBSCRIBE_LABEL]


# The preview's new rows travel to the confirmation in the page itself, signed with
# the app's secret for this group and importer, rather than in a temporary file on
# the server: nothing with people's addresses is left on disk when an importer walks
# away, and the confirmation may reach any of several web hosts. The signature makes
# the rows tamper-proof and an hour old at most; a nonce kept in the importer's
# session (see import_views) makes a preview good for one confirmation.
def _serializer():
    return URLSafeTimedSerializer(current_app.secret_key, salt="membership-import")


def preview(group, actor, data, welcome):
    """Read and sort an uploaded file; nothing is written. The result's token carries its new rows to `confirm`."""
    rows, ignored = read_file(data, current_app.config["IMPORT_MAX_BYTES"])
    result = sort_rows(group, rows, ignored)
    result.nonce = secrets.token_hex(16)
    result.token = _serializer().dumps({
        "group": group.id, "by": actor.id, "nonce": result.nonce, "welcome": bool(welcome),
        "rows": [[row.line, row.name, row.email, row.organization, row.role] for row in result.new]})
    return result


def read_preview(token, group, actor):
    """(nonce, welcome, rows) of a preview's token; raises PreviewInvalid."""
    try:
        data = _serializer().loads(token, max_age=PREVIEW_SECONDS)
    except BadData:
        raise PreviewInvalid() from None
    if data.get("group") != group.id or data.get("by") != actor.id:
        raise PreviewInvalid()
    return data["nonce"], data["welcome"], [make_row(*values) for values in data["rows"]]


def confirm(group, rows, *, actor, welcome):
    """Bring the rows' new people into the group in one transaction, with one audit row; returns what was done.

    The rows are sorted again first, so a status that changed since the preview
    holds. Of two confirmations at once, the second fails on the unique address
    or membership, starts again, and finds the first one's members.
    """
    try:
        return _confirm(group, rows, actor, welcome)
    except IntegrityError:
        db.session.rollback()
        return _confirm(group, rows, actor, welcome)


def _confirm(group, rows, actor, welcome):
    result = sort_rows(group, rows)
    organizations = {}
    for row in result.new:
        _bring_in(group, row, result.people.get(row.email), actor, f"imported by {actor.name}", welcome,
                  organizations)
    if result.new:
        record("membership.import", actor=actor, target=f"group:{group.id}", count=len(result.new))
    db.session.commit()
    return result


def _bring_in(group, row, person, actor, label, welcome, organizations):
    organization = None
    if row.organization:
        key = name_key(row.organization)
        if key not in organizations:  # one lookup per organization named, however many rows name it
            organizations[key] = find_or_create(row.organization)
        organization = organizations[key]
    # A stored person keeps their name: they may have written it themselves.
    membership = Membership(person=person or Person(name=row.name, email=row.email), group=group,
                            organization=organization, role_title=row.role)
    services.bring_in(membership, actor, label)
    if welcome:
        db.session.flush()  # the welcome's link names the person by id
        notifications.welcome(membership)
    return membership


def add_member(group, *, actor, name, email, organization="", role="", welcome=False):
    """One person added by hand, by the import's rules; raises AlreadyMember, or NotAdded with the reason."""
    row = make_row(1, name, email, organization, role)
    try:
        return _add_member(group, row, actor, welcome)
    except IntegrityError:
        db.session.rollback()
        return _add_member(group, row, actor, welcome)


def _add_member(group, row, actor, welcome):
    result = sort_rows(group, [row])
    if result.members:
        raise AlreadyMember(row.email)
    if not result.new:
        (refused,) = result.refused + result.invalid
        raise NotAdded(row.email, refused.reason)
    membership = _bring_in(group, row, result.people.get(row.email), actor, f"added by {actor.name}", welcome, {})
    db.session.flush()
    record("membership.add", actor=actor, target=f"membership:{membership.id}")
    db.session.commit()
    return membership
