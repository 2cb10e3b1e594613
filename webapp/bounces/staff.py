"""What staff change on the suppression and block lists: each change audited and committed."""
import sqlalchemy as sa

from webapp.audit.services import record
from webapp.bounces import scoring
from webapp.extensions import db
from webapp.outbox import blocks
from webapp.outbox import services as outbox
from webapp.outbox.models import Suppression, SuppressionKind


class NotSuppressed(Exception):
    """The address was not on the suppression list (lifted already, say, in another tab)."""


def is_address(pattern):
    """Whether a block pattern is one plain address, not a domain or a wildcard pattern."""
    return "@" in pattern and not pattern.startswith("@") and not any(c in pattern for c in "*?[")


def lift(address, actor):
    """Give an address roster mail again, its bounce score starting from nothing; raises NotSuppressed."""
    address = outbox.normalize_address(address)
    if not scoring.lift(address):
        db.session.rollback()  # keep the score of an address that was not suppressed
        raise NotSuppressed(address)
    record("suppression.lift", actor=actor, target=f"address:{address}")
    db.session.commit()


def block(pattern, note, actor):
    """Block an address, a domain or a pattern from asking to join; a plain address also gets no roster mail.

    Returns the pattern as stored (trimmed, lower case).
    """
    pattern = blocks.add(pattern, note)
    if is_address(pattern):
        reason = f"blocked by staff: {note}" if note else "blocked by staff"
        outbox.suppress(pattern, reason[:300], kind=SuppressionKind.STAFF)
    record("block.add", actor=actor, target=f"block:{pattern}", note=note)
    db.session.commit()
    return pattern


def unblock(block_id, actor):
    """Remove a block; for a plain address, the suppression the block made goes too (not a bounce one).

    Returns the pattern, or None if there was no such block.
    """
    pattern = blocks.remove(block_id)
    if pattern is None:
        return None
    if is_address(pattern):
        db.session.execute(sa.delete(Suppression).where(Suppression.address == outbox.normalize_address(pattern),
                                                        Suppression.kind == SuppressionKind.STAFF))
    record("block.remove", actor=actor, target=f"block:{pattern}")
    db.session.commit()
    return pattern
