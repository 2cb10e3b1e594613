"""A group's roster as CSV, for spreadsheets, written as it is read."""
import csv
import io

from flask_babel import gettext as _

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
