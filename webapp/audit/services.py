import json

import sqlalchemy as sa
from flask import has_request_context, request

from webapp.audit.models import AuditEvent
from webapp.extensions import db


def record(action, *, actor=None, target="", **details):
    """Add an audit row to the session; the caller's commit keeps it with the change."""
    event = AuditEvent(
        action=action,
        actor_id=getattr(actor, "id", None),
        actor_label=getattr(actor, "email", None) or (actor if isinstance(actor, str) else ""),
        ip_address=(request.remote_addr or "") if has_request_context() else "",
        target=target,
        details=details,
    )
    db.session.add(event)
    return event


def latest(offset=0, limit=100):
    """Audit events, newest first."""
    return db.session.scalars(
        sa.select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()).offset(offset).limit(limit)
    ).all()


def matching(*, actor_id=None, actions=(), targets=None, since=None, until=None):
    """A SELECT of the audit events that match every filter given, newest first, and one of their count.

    `targets` is a SELECT of target strings (what a group's rows are about); `since` and `until` are
    aware datetimes, `until` excluded.
    """
    conditions = []
    if actor_id is not None:
        conditions.append(AuditEvent.actor_id == actor_id)
    if actions:
        conditions.append(AuditEvent.action.in_(list(actions)))
    if targets is not None:
        conditions.append(AuditEvent.target.in_(targets))
    if since is not None:
        conditions.append(AuditEvent.created_at >= since)
    if until is not None:
        conditions.append(AuditEvent.created_at < until)
    rows = sa.select(AuditEvent).where(*conditions).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    count = sa.select(sa.func.count()).select_from(AuditEvent).where(*conditions)
    return rows, count


# -- a person's privacy: what the log holds about them, erasing them from it, and how long addresses stay --------

ERASED_ACTOR = "erased person"


def about(address, targets):
    """The rows a person did (by their address), that are about one of `targets` or whose details name their
    address, oldest first, as plain data."""
    details = sa.func.lower(sa.cast(AuditEvent.details, sa.Text))
    # JSON text may hold a non-ASCII address \u-escaped.
    named = [details.contains(form, autoescape=True) for form in {address, json.dumps(address)[1:-1]}]
    events = db.session.scalars(
        sa.select(AuditEvent).where(sa.or_(AuditEvent.actor_label == address, AuditEvent.target.in_(list(targets)),
                                           *named))
        .order_by(AuditEvent.id)
    ).all()
    return [{"at": e.created_at, "actor": e.actor_label, "ip_address": e.ip_address, "action": e.action,
             "target": e.target, "details": e.details} for e in events]


def erase_mentions(address, mentions, targets):
    """Take a person out of the log; the caller commits. Returns how many rows changed.

    Rows they did say "erased person", from no address. In the rows about one
    of `targets` (their records), and in any row whose target or details name
    their address or name, `mentions` scrubs them out (see privacy.services.Mentions).
    """
    # Only what they did as a person: an account with the same address keeps its own record (actor_id set).
    acted = set(db.session.scalars(sa.update(AuditEvent).where(AuditEvent.actor_label == address,
                                                               AuditEvent.actor_id.is_(None))
                                   .values(actor_label=ERASED_ACTOR, ip_address="").returning(AuditEvent.id)))
    details = sa.cast(AuditEvent.details, sa.Text)
    mentioning = db.session.scalars(sa.select(AuditEvent).where(sa.or_(
        AuditEvent.target.in_(list(targets)), mentions.found_in(AuditEvent.target),
        mentions.found_in(details, as_json=True)))).all()
    for event in mentioning:
        event.target = mentions.scrub(event.target)[:120]
        event.details = _scrubbed(event.details, mentions.scrub)
    return len(acted | {event.id for event in mentioning})


def _scrubbed(value, scrub):
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {key: _scrubbed(item, scrub) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrubbed(item, scrub) for item in value]
    return value


def forget_actors(addresses, address_as):
    """People deleted by the retention purge: rows they did, or that name their address, no longer do.

    Returns how many rows changed.
    """
    changed = 0
    for start in range(0, len(addresses), 500):
        chunk = addresses[start:start + 500]
        changed += db.session.execute(sa.update(AuditEvent).where(AuditEvent.actor_label.in_(chunk),
                                                                  AuditEvent.actor_id.is_(None))
                                      .values(actor_label=ERASED_ACTOR, ip_address="")).rowcount
        named = {f"{kind}:{address}": f"{kind}:{address_as}" for kind in ("address", "block") for address in chunk}
        for event in db.session.scalars(sa.select(AuditEvent).where(AuditEvent.target.in_(named))):
            event.target = named[event.target]
            changed += 1
    return changed


def blank_ip_addresses(cutoff):
    """Blank the client addresses of rows written before `cutoff`; returns how many."""
    return db.session.execute(sa.update(AuditEvent).where(AuditEvent.created_at < cutoff, AuditEvent.ip_address != "")
                              .values(ip_address="")).rowcount
