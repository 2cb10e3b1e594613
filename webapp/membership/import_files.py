"""Reading an uploaded CSV file into rows: its encoding, its delimiter, its header in English or Spanish.

Each row is cleaned and carries the reason it cannot be imported into any
group (no address, an invalid one, a name too long...); whether it may join
this group is imports.py's question.
"""
import csv
import io
import unicodedata
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from flask_babel import format_decimal, format_number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.input_guard import IN_FORMS
from webapp.outbox import blocks
from webapp.outbox.services import normalize_address

MAX_ROWS = 10_000  # a whole coalition's list fits; a longer file is two lists or a mistake
NAME_MAX, EMAIL_MAX, ORGANIZATION_MAX, ROLE_MAX = 120, 254, 200, 120

# Header names, compared without case, accents or extra spaces.
COLUMNS = {
    "name": {"name", "full name", "nombre", "nombre completo"},
    "email": {"email", "e-mail", "email address", "e-mail address", "correo", "correo electronico", "correo-e"},
    "organization": {"organization", "organisation", "organizacion"},
    "role": {"role", "role or title", "title", "rol", "cargo"},
}

PROBLEMS = {
    "control": _l("Contains control characters."),
    "no_email": _l("No email address."),
    "bad_email": _l("Not a valid email address."),
    "own": _l("This is the group system's own address."),
    "no_name": _l("No name."),
    "long_name": _l("The name is longer than %(max)d characters.", max=NAME_MAX),
    "long_organization": _l("The organization is longer than %(max)d characters.", max=ORGANIZATION_MAX),
    "long_role": _l("The role is longer than %(max)d characters.", max=ROLE_MAX),
}


class BadFile(Exception):
    """A file that cannot be imported at all; `message` says why, to the importer."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class Row:
    line: int  # the row's number in the spreadsheet, the header being 1
    name: str
    email: str
    organization: str = ""
    role: str = ""
    reason: str = ""  # why it is not imported; empty for a row that may be


def limits(max_bytes):
    """The file's limits as the upload page states them: {"size": megabytes, "rows": rows}, in the reader's locale."""
    return {"size": format_decimal(round(max_bytes / 2**20, 1)), "rows": format_number(MAX_ROWS)}


def too_large(max_bytes):
    return _("The file is too large: at most %(size)s MB.", size=limits(max_bytes)["size"])


def _plain(text):
    decomposed = unicodedata.normalize("NFKD", text)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).lower().split())


def _clean(value):
    return " ".join((value or "").split())  # a line break or a run of spaces in a cell is one space


def _decode(data):
    # What spreadsheets write: UTF-8 (Excel's "CSV UTF-8" adds a BOM), else Windows-1252 (Excel's "CSV").
    if b"\x00" not in data:
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
    raise BadFile(_("This does not look like a CSV file. Save the spreadsheet as “CSV UTF-8” and upload that."))


def _delimiter(text):
    """The header line's most frequent of comma, semicolon and tab (Excel writes semicolons in Spanish locales)."""
    header = text.lstrip().partition("\n")[0]
    return max(",;\t", key=header.count)  # a tie, a header of one column, is a comma


def _columns(cells):
    columns, ignored = {}, []
    for index, cell in enumerate(cells):
        column = next((c for c, names in COLUMNS.items() if _plain(cell) in names), None)
        if column and column not in columns:
            columns[column] = index
        elif cell.strip():
            ignored.append(cell.strip())
    return columns, ignored


def _cell(cells, index):
    return cells[index] if index is not None and index < len(cells) else ""


def make_row(line, name, email, organization="", role=""):
    """A row, cleaned, with the reason it cannot be imported whatever the group (or none)."""
    row = Row(line, _clean(name), normalize_address(_clean(email)), _clean(organization), _clean(role))
    row.reason = _problem(row, raw=(name, email, organization, role))
    return row


def _problem(row, raw):
    if any(IN_FORMS.search(value or "") for value in raw):
        return PROBLEMS["control"]
    if not row.email:
        return PROBLEMS["no_email"]
    if len(row.email) > EMAIL_MAX or not _is_valid_address(row.email):
        return PROBLEMS["bad_email"]
    if blocks.is_own_address(row.email):
        return PROBLEMS["own"]
    if not row.name:
        return PROBLEMS["no_name"]
    for field, most in (("name", NAME_MAX), ("organization", ORGANIZATION_MAX), ("role", ROLE_MAX)):
        if len(getattr(row, field)) > most:
            return PROBLEMS[f"long_{field}"]
    return ""


def _is_valid_address(address):
    """The join form's check (wtforms' Email validator, no DNS lookup): email_validator's rules."""
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def read_file(data, max_bytes):
    """The rows of an uploaded CSV file and its columns not used; raises BadFile for a file that cannot be imported."""
    if len(data) > max_bytes:
        raise BadFile(too_large(max_bytes))
    if not data.strip():
        raise BadFile(_("The file is empty."))
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        records = ((n, cells) for n, cells in enumerate(reader, start=1) if any(c.strip() for c in cells))
        header = next(records, None)
        if header is None:
            raise BadFile(_("The file is empty."))
        columns, ignored = _columns(header[1])
        if "email" not in columns:
            raise BadFile(_("The file has no email column. Its first row must name the columns: name, email, "
                            "organization, role (or nombre, correo, organización, cargo)."))
        rows = []
        for line, cells in records:
            if len(rows) == MAX_ROWS:
                raise BadFile(_("The file has more than %(max)s rows. Please split it into files of at most "
                                "%(max)s rows.", max=format_number(MAX_ROWS)))
            rows.append(make_row(line, *(_cell(cells, columns.get(c)) for c in ("name", "email", "organization",
                                                                                "role"))))
    except csv.Error:
        raise BadFile(_("The file could not be read as CSV (near row %(line)d).", line=reader.line_num)) from None
    if not rows:
        raise BadFile(_("The file has a header row but no people below it."))
    return rows, ignored
