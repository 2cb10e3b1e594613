"""Each address's bounce score, Mailman's way, and the suppression it leads to.

A hard bounce counts 1, a soft one 0.5, and at most one bounce a day counts. A
score not added to for BOUNCE_STALE_DAYS starts again from nothing. When the
score reaches BOUNCE_SCORE_THRESHOLD the address gets no more roster mail;
memberships stay, shown as "mail bouncing", and the groups' contacts are told
(membership listens to `started_bouncing`: this package knows no groups).
"""
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from blinker import Namespace
from flask import current_app

from webapp.bounces.models import BounceScore
from webapp.db_types import insert_for, utcnow
from webapp.extensions import db
from webapp.outbox import services as outbox
from webapp.outbox.models import Suppression, SuppressionKind

# Sent with addresses=[...] inside the transaction that suppressed them, so that
# what listeners queue (the contacts' email) commits with it.
started_bouncing = Namespace().signal("started-bouncing")

HARD, SOFT = 1.0, 0.5


@dataclass
class Charge:
    counted: bool  # added to the score (not a second bounce the same day)
    started: bool  # this bounce made the address reach the threshold


def charge(address, hard, diagnostic, today=None):
    """Add one bounce to an address's score; suppress it at the threshold. Returns a Charge."""
    config = current_app.config
    address = outbox.normalize_address(address)
    today = today or utcnow().date()
    db.session.execute(insert_for(db.engine)(BounceScore)
                       .values(address=address, score=0.0, last_diagnostic="", updated_at=utcnow())
                       .on_conflict_do_nothing(index_elements=["address"]))
    query = sa.select(BounceScore).where(BounceScore.address == address)
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update()  # two bounces for one address at once count one after the other
    score = db.session.scalar(query)
    score.last_diagnostic, score.updated_at = diagnostic[:2000], utcnow()
    if score.last_counted_on == today:
        return Charge(counted=False, started=False)
    if score.last_counted_on is None or today - score.last_counted_on > timedelta(days=config["BOUNCE_STALE_DAYS"]):
        score.score = 0.0
    score.score += HARD if hard else SOFT
    score.last_counted_on = today
    if score.score >= config["BOUNCE_SCORE_THRESHOLD"] and not outbox.is_suppressed(address):
        outbox.suppress(address, f"bouncing: score {score.score:g}", kind=SuppressionKind.BOUNCE)
        return Charge(counted=True, started=True)
    return Charge(counted=True, started=False)


def announce(addresses):
    """Tell listeners (membership) which addresses started bouncing, in the caller's transaction."""
    if addresses:
        started_bouncing.send(current_app._get_current_object(), addresses=sorted(set(addresses)))


def lift(address):
    """Take an address off the suppression list and forget its score; returns whether it was suppressed."""
    address = outbox.normalize_address(address)
    db.session.execute(sa.delete(BounceScore).where(BounceScore.address == address))
    result = db.session.execute(sa.delete(Suppression).where(Suppression.address == address))
    return result.rowcount > 0


def bouncing(addresses):
    """Which of these addresses are suppressed because they bounce."""
    addresses = list(addresses)
    if not addresses:
        return set()
    return set(db.session.scalars(sa.select(Suppression.address).where(
        Suppression.address.in_(addresses), Suppression.kind == SuppressionKind.BOUNCE)))
