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
