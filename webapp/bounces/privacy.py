"""What the bounce records hold about an address, for webapp/privacy: export it, erase it, purge old bounces."""
import sqlalchemy as sa

from webapp.bounces.models import Bounce, BounceScore
from webapp.extensions import db
from webapp.outbox.models import Delivery
from webapp.outbox.privacy import ERASED_ADDRESS


def _bounces_of(address, *columns):
    """The bounces charged to the address, or that came back for one of its deliveries (one query)."""
    theirs = sa.select(Delivery.id).where(Delivery.address == address)
    # A bounce without VERP may charge several addresses, kept as "a, b".
    charged = sa.or_(Bounce.address == address, Bounce.address.startswith(f"{address}, ", autoescape=True),
                     Bounce.address.endswith(f", {address}", autoescape=True),
                     Bounce.address.contains(f", {address}, ", autoescape=True))
    return db.session.execute(sa.select(Bounce.id, Bounce.address, *columns)
                              .where(sa.or_(charged, Bounce.delivery_id.in_(theirs))).order_by(Bounce.id)).all()


def export_address(address):
    """The address's bounces, each with the message as it came, and its bounce score (two queries)."""
    bounces = _bounces_of(address, Bounce.received_at, Bounce.kind, Bounce.subject, Bounce.diagnostic,
                          Bounce.counted, Bounce.raw)
    score = db.session.scalar(sa.select(BounceScore).where(BounceScore.address == address))
    return {
        "bounces": [{"id": b.id, "received_at": b.received_at, "kind": b.kind.value, "subject": b.subject,
                     "diagnostic": b.diagnostic, "counted": b.counted,
                     "message": b.raw.decode("utf-8", errors="replace")} for b in bounces],
        "bounce_score": score and {"score": score.score, "last_counted_on": score.last_counted_on,
                                   "last_diagnostic": score.last_diagnostic, "updated_at": score.updated_at},
    }


def erase_address(address):
    """Empty the address's bounces (kept, as counts) and delete its score; the caller commits. Returns how many.

    Call it before the outbox erases the address: it finds bounces by their deliveries too.
    """
    bounces = _bounces_of(address)
    for bounce in bounces:
        others = [a for a in bounce.address.split(", ") if a and a != address]
        db.session.execute(sa.update(Bounce).where(Bounce.id == bounce.id).values(
            raw=b"", subject="", diagnostic="", address=", ".join([ERASED_ADDRESS, *others])[:254]))
    db.session.execute(sa.delete(BounceScore).where(BounceScore.address == address))
    return len(bounces)


def purge(cutoff):
    """Delete the bounces received before `cutoff`; returns how many.

    Bounces of deliveries the outbox purged let go of them too: SQLite does not
    enforce the foreign key that PostgreSQL sets to NULL.
    """
    deleted = db.session.execute(sa.delete(Bounce).where(Bounce.received_at < cutoff)).rowcount
    gone = ~sa.exists().where(Delivery.id == Bounce.delivery_id)
    db.session.execute(sa.update(Bounce).where(Bounce.delivery_id.is_not(None), gone).values(delivery_id=None))
    return deleted
