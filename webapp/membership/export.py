"""A group's roster as CSV, for spreadsheets."""
import csv
import io

from flask_babel import gettext as _

# A cell starting with one of these is read as a formula by spreadsheet programs.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    value = "" if value is None else str(value)
    return "'" + value if value.startswith(FORMULA_START) else value


def roster_csv(memberships):
    """The active members, one row each: name, email, organization, role, joined (UTC date)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Name"), _("Email"), _("Organization"), _("Role or title"), _("Joined")])
    for m in memberships:
        writer.writerow([_cell(m.person.name), _cell(m.person.email),
                         _cell(m.organization.name if m.organization else ""), _cell(m.role_title),
                         m.joined_at.strftime("%Y-%m-%d") if m.joined_at else ""])
    return out.getvalue()
