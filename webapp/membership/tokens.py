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


def member_token(person):
    """A lasting link to a person's own page; it works until they ask for a new one (link_version)."""
    return _member_page().dumps([person.id, person.link_version])


def member_token_maker():
    """member_token for a whole roster, from (id, link version): one serializer made once, not one per person."""
    dumps = _member_page().dumps
    return lambda person_id, version: dumps([person_id, version])


def read_member_token(token):
    """(person id, link version); links from before versions named the person alone, and count as version 1."""
    try:
        payload = _member_page().loads(token)
    except BadSignature:
        raise LinkInvalid()
    if isinstance(payload, int):
        return payload, 1
    try:
        person_id, version = payload
    except (TypeError, ValueError):
        raise LinkInvalid()
    if not isinstance(person_id, int) or not isinstance(version, int):
        raise LinkInvalid()
    return person_id, version


def _address_change():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="address-change")


def address_change_token(person):
    """The link sent to a new address: it names the person and the nonce stored with the change, no address."""
    return _address_change().dumps([person.id, person.new_email_nonce])


def read_address_change_token(token):
    """(person id, nonce); raises LinkExpired or LinkInvalid."""
    max_age = current_app.config["CONFIRM_LINK_HOURS"] * 3600
    try:
        person_id, nonce = _address_change().loads(token, max_age=max_age)
    except SignatureExpired:
        raise LinkExpired()
    except (BadSignature, ValueError, TypeError):
        raise LinkInvalid()
    if not isinstance(person_id, int) or not isinstance(nonce, str):
        raise LinkInvalid()
    return person_id, nonce
