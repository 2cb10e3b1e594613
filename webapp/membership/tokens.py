"""Signed links: confirming a request (expiring, single use) and a member's own page."""
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer


class LinkExpired(Exception):
    pass


class LinkInvalid(Exception):
    pass


def _timed(salt):
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def confirmation_token(membership):
    return _timed("confirm-request").dumps([membership.id, membership.confirm_nonce])


def read_confirmation_token(token):
    """(membership id, nonce) from a confirmation link; raises LinkExpired or LinkInvalid."""
    max_age = current_app.config["CONFIRM_LINK_HOURS"] * 3600
    try:
        membership_id, nonce = _timed("confirm-request").loads(token, max_age=max_age)
    except SignatureExpired:
        raise LinkExpired()
    except (BadSignature, ValueError, TypeError):
        raise LinkInvalid()
    return membership_id, nonce


def _member_page():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="member-page")


def member_token(person_id):
    """A lasting link to a person's own memberships page (leave a group)."""
    return _member_page().dumps(person_id)


def member_token_maker():
    """member_token for a whole roster: one serializer made once, not one per person."""
    return _member_page().dumps


def read_member_token(token):
    try:
        return _member_page().loads(token)
    except BadSignature:
        raise LinkInvalid()
