"""Deciding requests from the review queue, one or many at once; discarding spam; reminding contacts.

Deciding many: each request is one guarded transition, with its history row,
audit row and the applicant's email, committed on its own (services.approve
and services.decline commit). Not one commit at the end: when another contact
decided a request meanwhile, its guarded UPDATE fails and the transition rolls
the session back, which would take with it every request decided before it in
the batch. Committed one by one, each decision stands with its email whatever
becomes of the next, and the batch reports how many were decided and how many
had been decided already. The group's other contacts then get one notice for
the whole batch, in a last commit: a notice lost to a crash there costs only a
notice, never a decision or an applicant's email.
"""
import enum
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app

from webapp import permissions
from webapp.audit.services import record
from webapp.db_types import utcnow
from webapp.extensions import db
from webapp.membership import notifications, review_queries, services
from webapp.membership.models import Status
from webapp.membership.services import AlreadyDecided, MembershipError, _transition


class Decision(enum.StrEnum):
    APPROVE = "approve"
    DECLINE = "decline"
    SPAM = "spam"


SPAM_REASON = "discarded as spam"
# At most this many requests in one decision: four pages of the queue.
MOST_AT_ONCE = 4 * review_queries.PAGE_SIZE


class NotAllowed(MembershipError):
    """A request that does not exist, or that this user may not decide."""


@dataclass
class Outcome:
    decided: list = field(default_factory=list)
    already: list = field(default_factory=list)  # decided by someone else meanwhile: left alone


def discard_as_spam(membership, actor):
    """Decline a pending request without a word to the applicant; the history and the audit say why."""
    _transition(membership, Status.DECLINED, actor=actor, reason=SPAM_REASON, error=AlreadyDecided)
    membership.decided_by_id = actor.id
    membership.decision_reason = SPAM_REASON
    record("membership.spam", actor=actor, target=f"membership:{membership.id}")
    db.session.commit()


def _decide_one(membership, decision, actor, reason):
    if decision == Decision.APPROVE:
        services.approve(membership, actor, reason)
    elif decision == Decision.DECLINE:
        services.decline(membership, actor, reason)
    else:
        discard_as_spam(membership, actor)


def decide(actor, membership, decision, reason=""):
    """Approve, decline or discard one pending request; raises AlreadyDecided. The other contacts are told."""
    _decide_one(membership, Decision(decision), actor, reason)
    notifications.decided_for_other_contacts(actor, decision, [membership], reason)
    db.session.commit()


def decide_many(actor, membership_ids, decision, reason=""):
    """Approve, decline or discard these requests together; returns an Outcome.

    Raises NotAllowed, before changing anything, if any id is not a request the
    actor may decide.
    """
    decision = Decision(decision)
    memberships = review_queries.for_decision(set(membership_ids))
    if len(memberships) != len(set(membership_ids)) or \
            not all(permissions.can_review(actor, m.group) for m in memberships):
        raise NotAllowed()
    outcome = Outcome()
    for membership in memberships:
        try:
            _decide_one(membership, decision, actor, reason)
        except AlreadyDecided:
            outcome.already.append(membership)
        else:
            outcome.decided.append(membership)
    if outcome.decided:
        notifications.decided_for_other_contacts(actor, decision, outcome.decided, reason)
        db.session.commit()
    return outcome


def remind_contacts():
    """Email each active contact ONE list of their groups' requests pending for more than REMIND_AFTER_DAYS.

    Whatever their email preferences; nothing to a contact with nothing waiting
    that long. Returns how many emails were queued.
    """
    cutoff = utcnow() - timedelta(days=current_app.config["REMIND_AFTER_DAYS"])
    waiting = {}
    for membership in review_queries.waiting_since_before(cutoff):
        for contact in membership.group.contacts:
            waiting.setdefault(contact, {}).setdefault(membership.group, []).append(membership)
    for contact, their_groups in waiting.items():
        notifications.reminder(contact, their_groups)
    db.session.commit()
    return len(waiting)
