"""A group's roster as CSV, for spreadsheets, written as it is read."""
import csv
import io
import queue
import threading

from flask import current_app
from flask_babel import gettext as _

from webapp.extensions import db

# A cell starting with one of these is read as a formula by spreadsheet programs.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    value = "" if value is None else str(value)
    return "'" + value if value.startswith(FORMULA_START) else value


def roster_csv(chunks):
    """The CSV's text, piece by piece: the header at once, then one piece per chunk of
    (name, email, organization, role or title, joined) rows; joined is a UTC date."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Name"), _("Email"), _("Organization"), _("Role or title"), _("Joined")])
    yield out.getvalue()
    for rows in chunks:
        out.seek(0)
        out.truncate()
        for name, email, organization, role_title, joined_at in rows:
            writer.writerow([_cell(name), _cell(email), _cell(organization), _cell(role_title),
                             joined_at.date().isoformat() if joined_at else ""])  # strftime: 5x the time
        yield out.getvalue()


_END = object()


class _Failed:
    def __init__(self, error):
        self.error = error


def read_ahead(read, *args, **kwargs):
    """The chunks `read(*args, **kwargs)` yields, read one chunk ahead by a thread of its own.

    While this chunk is written and sent, the database finds the next one: on
    another connection, hence another core (psycopg and sqlite3 let go of Python
    while the database works). At most two chunks are held. A client that goes
    away closes this generator, which stops the reader and ends its session.
    """
    app = current_app._get_current_object()
    ahead = queue.Queue(maxsize=1)
    stop = threading.Event()

    def hand_over(item):
        while not stop.is_set():
            try:
                ahead.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def reader():
        with app.app_context():  # its own context, hence its own database session
            try:
                for chunk in read(*args, **kwargs):
                    if not hand_over(chunk):
                        return
                hand_over(_END)
            except Exception as error:  # handed to the reading side, which raises it there
                hand_over(_Failed(error))
            finally:
                db.session.remove()

    thread = threading.Thread(target=reader, name="roster-csv-reader", daemon=True)
    thread.start()
    try:
        while (item := ahead.get()) is not _END:
            if isinstance(item, _Failed):
                raise item.error
            yield item
    finally:
        stop.set()
        thread.join()
