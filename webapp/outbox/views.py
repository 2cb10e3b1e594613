"""Unsubscribing from roster mail (RFC 8058 one-click, and a page for people)."""
from flask import Blueprint, abort, render_template, request

from webapp.extensions import csrf, db
from webapp.outbox import services

bp = Blueprint("outbox", __name__)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # One-click unsubscribe comes from a mail client with no session or token (RFC 8058).
def unsubscribe(token):
    address = services.address_from_unsubscribe_token(token)
    if address is None:
        abort(404)
    if request.method == "POST":
        services.suppress(address, "unsubscribed")
        db.session.commit()
        return render_template("outbox/unsubscribed.html", address=address)
    # A GET changes nothing: mail scanners follow links.
    return render_template("outbox/unsubscribe.html", address=address,
                           already=services.is_suppressed(address))
