"""One page of a list, for the pages that show a list a page at a time (the `pager` macro draws its links)."""
from dataclasses import dataclass

from webapp.extensions import db


@dataclass
class Page:
    """One page of rows: the rows, which page of how many, and how many rows in all."""

    items: list
    number: int
    pages: int
    total: int


def page_of(query, number, total, size, rows=False):
    """Page `number` of a SELECT whose rows number `total`; a number out of range gives the nearest page.

    The items are the first column's values (objects), or with `rows` the whole rows (tuples).
    """
    pages = max((total + size - 1) // size, 1)
    number = min(max(number, 1), pages)
    result = db.session.execute(query.offset((number - 1) * size).limit(size))
    items = result.all() if rows else result.scalars().all()
    return Page(items=items, number=number, pages=pages, total=total)

