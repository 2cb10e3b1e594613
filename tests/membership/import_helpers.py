"""What the import tests share: a group with its contact, uploading a file, confirming its preview."""
import io
import re

import sqlalchemy as sa

from webapp.audit.models import AuditEvent
from webapp.extensions import db
from webapp.membership.models import Membership, MembershipEvent, Person

IMPORT = "/groups/defensive-support/import"
CONFIRM = "/groups/defensive-support/import/confirm"


def upload(client, content, *, welcome=False, path=IMPORT, filename="members.csv", **extra):
    data = {"file": (io.BytesIO(content), filename), **extra}
    if welcome:
        data["welcome"] = "y"
    response = client.post(path, data=data, content_type="multipart/form-data")
    # Werkzeug's test client spools a large body to a temporary file and, unless following redirects, leaves it open.
    response.request.input_stream.close()
    return response


def payload_in(page):
    return re.search(r'name="payload" type="hidden" value="([^"]*)"', page).group(1)


def confirm(client, page, path=CONFIRM, **extra):
    return client.post(path, data={"payload": payload_in(page), **extra})


def csv_bytes(*lines, encoding="utf-8"):
    return "\r\n".join(lines).encode(encoding) + b"\r\n"


def counts():
    """How many people, memberships, history rows and audit rows there are: nothing written leaves them alone."""
    db.session.expire_all()
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(model))
                 for model in (Person, Membership, MembershipEvent, AuditEvent))


def section(page, heading):
    """The HTML of the section whose <h2> starts with `heading`, up to the next <h2> or the form."""
    start = page.index(f"<h2>{heading}")
    ends = [i for i in (page.find("<h2>", start + 4), page.find("<form", start)) if i != -1]
    return page[start:min(ends) if ends else len(page)]
