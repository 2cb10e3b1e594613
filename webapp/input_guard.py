"""Input no person types is answered plainly before any view runs: control characters and enormous ids.

Control characters (C0 and DEL) are refused everywhere, but for tab and line
breaks in a form's text; a NUL byte would otherwise reach PostgreSQL (which
refuses it) or an email header. Ids in paths are integers the database can hold.
"""
import re

from flask import abort, request
from werkzeug.routing import IntegerConverter

# C0 controls and DEL; tab, CR and LF pass in form values, and only text areas keep them (form_fields.one_line).
IN_FORMS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
ANYWHERE = re.compile(r"[\x00-\x1f\x7f]")
LARGEST_ID = 2**31 - 1  # PostgreSQL's integer; SQLite's is larger


class IdConverter(IntegerConverter):
    """`<int:…>` in a route: a number the database's integer column can hold, else the route does not match (404)."""

    def __init__(self, map, fixed_digits=0, min=None, max=LARGEST_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _has_control_characters():
    if ANYWHERE.search(request.path):
        return True
    if any(ANYWHERE.search(key) or ANYWHERE.search(value) for key, value in request.args.items(multi=True)):
        return True
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        return any(ANYWHERE.search(key) or IN_FORMS.search(value) for key, value in request.form.items(multi=True))
    return False


def init_app(app):
    app.url_map.converters["int"] = IdConverter

    @app.before_request
    def refuse_control_characters():
        if _has_control_characters():
            abort(400, description="control characters")
