"""Figures read from every membership, kept in the cache until a membership changes.

Counting a group's memberships by status reads all of them (in an index): the
one part of a roster page whose cost grew with the roster; the dashboard's
figures read them all too. They are kept (Flask-Caching) under the memberships'
generation, which every commit writing to `membership`, `membership_event` or
`person` moves on (webapp/generations.py).
"""
from webapp import generations
from webapp.extensions import cache


def kept(key, compute):
    """A figure read from the memberships: from the cache, or `compute()`d and kept until a membership changes."""
    key = f"{key}:{generations.current(generations.MEMBERSHIPS)}"
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found)
    return found


def status_counts(group_id, count):
    """{status: n} of the group, from the cache or from `count()` (then kept)."""
    return kept(f"roster-counts:{group_id}", count)
