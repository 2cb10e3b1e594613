"""What the outbox holds about an address, for webapp/privacy: export it, erase it, forget it, purge old mail.

Deliveries keep their status when an address is erased, so a message's counts
stay true; what named the person (the address, name, footer variables, the
server's reply, notices that mention them) is replaced or cleared.
"""
import sqlalchemy as sa

from webapp.extensions import db
from webapp.outbox import services
from webapp.outbox.models import Block, Delivery, DeliveryStatus, Email, EmailKind, Suppression, SuppressionKind

# What an erased person's deliveries and bounces say instead of their address. It is no one's, not even their
# erased record's: an unsubscribe link in an old email names its delivery, and then finds no one to act for.
ERASED_ADDRESS = "erased@erased.invalid"
WAITING = (DeliveryStatus.QUEUED, DeliveryStatus.SENDING)


def export_address(address):
    """Every delivery to the address with its email's subject and kind, its suppression and blocks (three queries)."""
    deliveries = db.session.execute(
        sa.select(Delivery.id, Email.subject, Email.kind, Delivery.status, Delivery.attempts, Delivery.created_at,
                  Delivery.sent_at, Delivery.last_reply)
        .join(Email, Email.id == Delivery.email_id).where(Delivery.address == address).order_by(Delivery.id)
    ).all()
    suppression = db.session.scalar(sa.select(Suppression).where(Suppression.address == address))
    blocks = db.session.scalars(sa.select(Block).where(Block.pattern == address)).all()
    return {
        "deliveries": [{"id": d.id, "subject": d.subject, "kind": d.kind.value, "status": d.status.value,
                        "attempts": d.attempts, "queued_at": d.created_at, "sent_at": d.sent_at,
                        "server_reply": d.last_reply} for d in deliveries],
        "suppression": suppression and {"kind": suppression.kind.value, "reason": suppression.reason,
                                        "since": suppression.created_at},
        "blocks": [{"pattern": b.pattern, "note": b.note, "since": b.created_at} for b in blocks],
    }


def erase_address(address, mentions, placeholder):
    """Erase an address from the outbox; the caller commits. Returns how many deliveries it had.

    `mentions` finds and scrubs the person in text (see privacy.services.Mentions);
    `placeholder` is the erased person's new address, which gets no roster mail.
    """
    # Nothing more goes out to them: a queued row would otherwise be sent to the placeholder.
    db.session.execute(sa.update(Delivery).where(Delivery.address == address, Delivery.status.in_(WAITING))
                       .values(status=DeliveryStatus.CANCELLED, last_reply="cancelled: the person was erased"))
    _scrub_notices(address, mentions)
    for delivery in db.session.scalars(sa.select(Delivery).where(
            Delivery.address == address, mentions.found_in(Delivery.last_reply))):
        delivery.last_reply = mentions.scrub(delivery.last_reply)
    db.session.flush()
    count = db.session.execute(sa.update(Delivery).where(Delivery.address == address)
                               .values(address=ERASED_ADDRESS, name="", variables={})).rowcount
    db.session.execute(sa.delete(Suppression).where(Suppression.address == address))
    db.session.execute(sa.delete(Block).where(Block.pattern == address))
    # The memberships stay, so the roster would still include the placeholder: suppressed, it is never queued.
    services.suppress(placeholder, "the person was erased", kind=SuppressionKind.STAFF)
    return count


def _scrub_notices(address, mentions):
    """The notices sent to the address, and those telling contacts about the person: the person scrubbed out."""
    theirs = sa.select(Delivery.email_id).where(Delivery.address == address)
    notices = sa.select(Email).where(Email.kind == EmailKind.NOTICE, sa.or_(
        Email.id.in_(theirs), mentions.found_in(Email.subject), mentions.found_in(Email.text),
        mentions.found_in(Email.html)))
    for email in db.session.scalars(notices).all():
        email.subject = mentions.scrub(email.subject)[:300]
        email.text, email.html = mentions.scrub(email.text), mentions.scrub(email.html)


def forget_addresses(addresses):
    """Delete the notices to people who are gone (their own requests' emails); returns (deliveries, emails)."""
    notices = sa.select(Email.id).where(Email.kind == EmailKind.NOTICE)
    deleted = 0
    for start in range(0, len(addresses), 500):
        deleted += db.session.execute(sa.delete(Delivery).where(
            Delivery.address.in_(addresses[start:start + 500]), Delivery.email_id.in_(notices))).rowcount
    return deleted, _delete_unused_notices()


def purge_deliveries(cutoff):
    """Delete finished deliveries last sent or queued before `cutoff`, then notices left with none.

    Roster emails stay: their message points at them, and they hold only the
    shared body. Returns (deliveries, emails) deleted.
    """
    deleted = db.session.execute(sa.delete(Delivery).where(
        Delivery.status.in_(services.FINISHED), sa.func.coalesce(Delivery.sent_at, Delivery.created_at) < cutoff
    )).rowcount
    return deleted, _delete_unused_notices()


def _delete_unused_notices():
    unused = ~sa.exists().where(Delivery.email_id == Email.id)
    return db.session.execute(sa.delete(Email).where(Email.kind == EmailKind.NOTICE, unused)).rowcount
