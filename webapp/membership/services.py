"""The rules of membership: asking to join, confirming, deciding, leaving.

Each status change is one function here; an illegal one raises a named error;
each writes a MembershipEvent and, where a person acted, an AuditEvent. The
caller's request ends with this module's commit.
"""
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from webapp.audit.services import record
from webapp.db_types import insert_for, utcnow
from webapp.extensions import db
from webapp.groups.models import JoinPolicy
from webapp.membership import notifications
from webapp.membership.models import Membership, MembershipEvent, Person, Status
from webapp.membership.tokens import LinkInvalid, read_confirmation_token
from webapp.organizations.services import find_or_create
from webapp.outbox import blocks
from webapp.outbox.services import cancel_queued_roster_mail, normalize_address


class MembershipError(Exception):
    """A change the rules do not allow."""


class NotTakingRequests(MembershipError):
    pass


class AlreadyDecided(MembershipError):
    """The request was approved or declined already (another tab, another contact)."""


class IllegalTransition(MembershipError):
    pass


class LinkUsed(MembershipError):
    """A confirmation link that was already used, or replaced by a newer one."""


# Which statuses each status may be reached from; None is a membership that does not exist yet.
ALLOWED = {
    Status.UNCONFIRMED: {None, Status.DECLINED, Status.LEFT, Status.REMOVED, Status.WITHDRAWN},
    Status.PENDING: {Status.UNCONFIRMED},
    # From None: a contact or staff brings someone in (an import, or one added by hand: `bring_in`).
    # Never from DECLINED, LEFT or REMOVED: those people come back only by asking again themselves.
    Status.ACTIVE: {None, Status.UNCONFIRMED, Status.PENDING},
    Status.DECLINED: {Status.PENDING},
    Status.LEFT: {Status.ACTIVE},
    Status.REMOVED: {Status.ACTIVE},
    Status.WITHDRAWN: {Status.UNCONFIRMED, Status.PENDING},
}
ASKS_AGAIN = {Status.DECLINED, Status.LEFT, Status.REMOVED, Status.WITHDRAWN}
# The statuses a confirmation link may start from: a request never confirmed, or one asking again.
CONFIRMABLE = {Status.UNCONFIRMED} | ASKS_AGAIN


def _actor_label(actor, default):
    return actor.name if actor is not None else default


def _transition(membership, to, *, actor=None, actor_label="", reason="", error=IllegalTransition):
    """Move a membership to `to` if its stored status allows it; the guard holds across tabs and workers."""
    allowed = ALLOWED[to]
    if membership.id is not None:
        # A guarded UPDATE: of two people deciding at once, exactly one wins.
        result = db.session.execute(
            sa.update(Membership)
            .where(Membership.id == membership.id, Membership.status.in_([s for s in allowed if s]))
            .values(status=to, status_changed_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            db.session.rollback()
            raise error(f"cannot move membership {membership.id} to {to}")
        from_status = membership.status
        db.session.refresh(membership)
    else:
        if None not in allowed:
            raise error(f"a new membership cannot start as {to}")
        from_status = None
        membership.status = to
    db.session.add(MembershipEvent(
        membership=membership, actor_id=getattr(actor, "id", None),
        actor_label=actor_label or _actor_label(actor, ""), from_status=from_status, to_status=to, reason=reason,
    ))
    return membership


def request_to_join(group, **details):
    """Ask to join a group. Whatever the address's state, the caller shows the same page.

    Two requests for a new address at the same moment race to create the person;
    the loser retries once and finds what the winner wrote.
    """
    try:
        _request_to_join(group, **details)
    except IntegrityError:
        db.session.rollback()
        _request_to_join(group, **details)


def _request_to_join(group, *, name, email, organization_name="", role_title="", note="", language="en"):
    """Ask to join a group. Whatever the address's state, the same statements run and one email goes out.

    Anyone can type anyone's address, so what the request says (name, organization,
    role, note, language) is kept on the request alone, and takes effect only when
    the address's owner confirms it (`confirm_request`): the stored person, the
    organizations and a declined, left or removed membership's status, reason and
    history stay as they are until then. Each state gets its email: new, still
    unconfirmed, declined, left or removed a confirmation link; pending "your request
    is waiting"; active "you are already a member". At most one email per address and
    group each CONFIRM_RESEND_MINUTES.
    """
    if not group.takes_requests:
        raise NotTakingRequests(group.slug)
    address = normalize_address(email)
    if blocks.is_blocked(address) or blocks.is_own_address(address):
        return  # the same page as anyone's; nothing stored, nothing sent
    now = utcnow()
    # The same statements whatever the address's state, so its time tells nothing: an INSERT that does
    # nothing for a known person or membership, then a SELECT. A new person is this request's own row.
    insert = insert_for(db.engine)
    db.session.execute(insert(Person).values(name=name.strip(), email=address, language=language, created_at=now)
                       .on_conflict_do_nothing(index_elements=["email"]))
    person = db.session.scalar(sa.select(Person).where(Person.email == address))
    started = db.session.execute(
        insert(Membership).values(person_id=person.id, group_id=group.id, status=Status.UNCONFIRMED,
                                  requested_at=now, status_changed_at=now)
        .on_conflict_do_nothing(index_elements=["person_id", "group_id"])
        .returning(Membership.id)).scalar() is not None  # RETURNING: rowcount is not reliable on every driver
    membership = db.session.scalar(
        sa.select(Membership).where(Membership.person_id == person.id, Membership.group_id == group.id)
    )
    if started:
        db.session.add(MembershipEvent(membership=membership, actor_label="applicant", from_status=None,
                                       to_status=Status.UNCONFIRMED))
    resend_after = timedelta(minutes=current_app.config["CONFIRM_RESEND_MINUTES"])
    if membership.confirm_sent_at and now - membership.confirm_sent_at < resend_after:
        db.session.rollback()
        return
    membership.confirm_sent_at = now
    if membership.status in CONFIRMABLE:
        membership.request_name = name.strip()
        membership.request_organization = organization_name.strip()
        membership.request_role_title = role_title.strip()
        membership.request_note = note.strip()
        membership.request_language = language
        membership.confirm_nonce = secrets.token_hex(16)
    db.session.flush()
    if membership.status in CONFIRMABLE:
        notifications.confirm_your_request(membership)
    elif membership.status == Status.PENDING:
        notifications.request_still_waiting(membership)
    else:
        notifications.already_a_member(membership)
    db.session.commit()


def membership_for_confirmation(token):
    """The membership a confirmation link is for; raises LinkExpired, LinkInvalid or LinkUsed."""
    membership_id, nonce = read_confirmation_token(token)
    membership = db.session.get(Membership, membership_id) if isinstance(membership_id, int) else None
    if membership is None:
        raise LinkInvalid()
    if (membership.status not in CONFIRMABLE or not membership.confirm_nonce
            or not secrets.compare_digest(membership.confirm_nonce, str(nonce))):
        raise LinkUsed()
    return membership


def confirm_request(token):
    """The applicant confirmed their address: pending (moderated group) or active (open group).

    Only now does what the request said take effect, and only now does a declined,
    left or removed membership start a new cycle; its old decision stays in the history.
    """
    membership = membership_for_confirmation(token)
    group = membership.group
    if not group.takes_requests:
        raise NotTakingRequests(group.slug)
    asked_again = membership.status in ASKS_AGAIN
    if asked_again:
        _transition(membership, Status.UNCONFIRMED, actor_label="applicant", error=LinkUsed)
    to = Status.ACTIVE if group.join_policy == JoinPolicy.OPEN else Status.PENDING
    _transition(membership, to, actor_label="applicant", error=LinkUsed)
    if asked_again:
        membership.requested_at = membership.confirm_sent_at or utcnow()
        membership.decided_by_id = None
        membership.decision_reason = ""
    _take_effect(membership)
    membership.confirm_nonce = ""
    if to == Status.ACTIVE:
        membership.joined_at = utcnow()
        notifications.welcome(membership)
    else:
        notifications.request_received(membership)
        notifications.new_request_for_contacts(membership)
    record("membership.confirm", actor=membership.person.email, target=f"membership:{membership.id}")
    db.session.commit()
    return membership


def _take_effect(membership):
    """What the confirmed request said becomes the person's and the membership's, and the request is emptied."""
    if not membership.request_name:
        return  # a request made before requests were kept apart: its details are on the membership already
    person = membership.person
    person.name = membership.request_name
    person.language = membership.request_language or person.language
    membership.organization = find_or_create(membership.request_organization) if membership.request_organization \
        else None
    membership.role_title = membership.request_role_title
    membership.note = membership.request_note
    membership.consented_at = membership.confirm_sent_at or utcnow()
    forget_request(membership)


def forget_request(membership):
    """Empty what a request asked, confirmed or not."""
    membership.request_name = membership.request_organization = membership.request_role_title = ""
    membership.request_note = membership.request_language = ""


def approve(membership, actor, reason=""):
    """A contact or staff approves a pending request; the applicant is told."""
    _transition(membership, Status.ACTIVE, actor=actor, reason=reason, error=AlreadyDecided)
    membership.joined_at = utcnow()
    membership.decided_by_id = actor.id
    membership.decision_reason = reason
    notifications.approved(membership)
    record("membership.approve", actor=actor, target=f"membership:{membership.id}", reason=reason)
    db.session.commit()


def decline(membership, actor, reason=""):
    """A contact or staff declines a pending request; the applicant is told, with the reason if given."""
    _transition(membership, Status.DECLINED, actor=actor, reason=reason, error=AlreadyDecided)
    membership.decided_by_id = actor.id
    membership.decision_reason = reason
    notifications.declined(membership)
    record("membership.decline", actor=actor, target=f"membership:{membership.id}", reason=reason)
    db.session.commit()


def bring_in(membership, actor, actor_label):
    """A contact or staff puts a new membership straight on the roster: active, with its history row.

    Only for a membership not yet stored (no status): an import or one added by
    hand never re-adds someone who left, was removed or was declined. The
    caller commits, so that an import of many is one transaction.
    """
    if membership.id is not None:
        raise IllegalTransition(f"membership {membership.id} exists already: it is {membership.status}")
    _transition(membership, Status.ACTIVE, actor=actor, actor_label=actor_label)
    membership.joined_at = membership.requested_at = utcnow()
    return membership


def leave(membership):
    """The member leaves the group themself, from their own page."""
    _transition(membership, Status.LEFT, actor_label="member")
    _stop_roster_mail(membership)
    record("membership.leave", actor=membership.person.email, target=f"membership:{membership.id}")
    db.session.commit()


def withdraw(membership):
    """The applicant takes back a request not yet decided (unconfirmed or pending); they may ask again later.

    The contacts told of a pending request are told it was taken back, in the same transaction.
    """
    was_pending = membership.status == Status.PENDING
    _transition(membership, Status.WITHDRAWN, actor_label="applicant")
    membership.confirm_nonce = ""  # the confirmation link it was sent stops working
    membership.confirm_sent_at = None  # the owner acted: asking again soon gets a new link at once
    record("membership.withdraw", actor=membership.person.email, target=f"membership:{membership.id}")
    if was_pending:
        notifications.withdrawn_for_contacts(membership)
    db.session.commit()


UNSUBSCRIBE_LABEL = "member, by unsubscribe link"


def groups_of_audience(audience):
    """The group ids an email was for, from its audience keys; None (every group) when unknown."""
    if audience is None:
        return None
    return {int(key.partition(":")[2]) for key in audience if key.startswith("group:")}


def unsubscribe(address, group_ids=None):
    """Whoever has this address leaves these groups (every group when None): an unsubscribe is leaving.

    Idempotent, and safe when a mail provider posts twice at once: each
    membership changes in its own guarded transition and commit. Returns the
    memberships left now.
    """
    person = db.session.scalar(sa.select(Person).where(Person.email == normalize_address(address)))
    if person is None:
        return []
    query = sa.select(Membership).where(Membership.person_id == person.id, Membership.status == Status.ACTIVE)
    if group_ids is not None:
        query = query.where(Membership.group_id.in_(group_ids))
    left = []
    for membership_id in db.session.scalars(query.with_only_columns(Membership.id)).all():
        membership = db.session.get(Membership, membership_id)
        try:
            _transition(membership, Status.LEFT, actor_label=UNSUBSCRIBE_LABEL)
        except IllegalTransition:
            continue  # left by another request meanwhile
        _stop_roster_mail(membership)
        record("membership.unsubscribe", actor=person.email, target=f"membership:{membership.id}")
        db.session.commit()
        left.append(membership)
    return left


def remove(membership, actor, reason="", tell_member=False):
    """A contact or staff removes an active member from the roster; with `tell_member`, the member is emailed."""
    _transition(membership, Status.REMOVED, actor=actor, reason=reason)
    _stop_roster_mail(membership)
    if tell_member:
        notifications.removed(membership, reason, actor)
    record("membership.remove", actor=actor, target=f"membership:{membership.id}", reason=reason)
    db.session.commit()


def remove_many(group, membership_ids, actor, reason="", tell_members=False):
    """Remove the selected members of a group at once; returns (how many were removed, how many were skipped).

    Each is removed as `remove` does it, with its guarded transition, history
    row and audit row (the audit log names each membership, as for one), and,
    with `tell_members`, its own email; all are committed together. Those no
    longer active are skipped; ids of other groups' memberships are ignored. The rows are locked as they are read
    (PostgreSQL), so no one changes them before they are written; where a change
    can still slip in between the read and the first write (SQLite), the
    transition refuses, rolls the batch back, and the batch is read again.
    """
    for _ in range(3):
        chosen = db.session.scalars(
            sa.select(Membership).options(joinedload(Membership.person))
            .where(Membership.group_id == group.id, Membership.id.in_(set(membership_ids)))
            .order_by(Membership.id).with_for_update(of=Membership)
        ).all()
        active = [m for m in chosen if m.status == Status.ACTIVE]
        try:
            for membership in active:
                _transition(membership, Status.REMOVED, actor=actor, reason=reason)
                _stop_roster_mail(membership)
                record("membership.remove", actor=actor, target=f"membership:{membership.id}", reason=reason)
        except IllegalTransition:
            continue  # _transition rolled the whole batch back: read it again
        for membership in active if tell_members else ():
            notifications.removed(membership, reason, actor)
        db.session.commit()
        return len(active), len(chosen) - len(active)
    raise IllegalTransition("the selected memberships kept changing")


def _stop_roster_mail(membership):
    still_in = db.session.scalars(
        sa.select(Membership.group_id).where(
            Membership.person_id == membership.person_id, Membership.status == Status.ACTIVE
        )
    )
    cancel_queued_roster_mail(membership.person.email, still_for={f"group:{g}" for g in still_in})

