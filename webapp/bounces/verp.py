"""VERP: every email goes out with its own envelope sender, so a bounce names its delivery without reading its body.

`bounces@example.org` becomes `bounces+1234-5f0c2a9e1b@example.org` for delivery
1234; the ten hex digits are a signature, so nobody can charge another
delivery by writing to a made-up address.
"""
import hashlib
import hmac
import re

from flask import current_app


def _parts():
    local, _, domain = current_app.config["MAIL_BOUNCE_ADDRESS"].strip().lower().rpartition("@")
    return local, domain


def _signature(delivery_id):
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"verp:{delivery_id}".encode(), hashlib.sha256).hexdigest()[:10]


def envelope_sender(delivery_id):
    local, domain = _parts()
    return f"{local}+{delivery_id}-{_signature(delivery_id)}@{domain}"


def _pattern():
    local, domain = _parts()
    return re.compile(rf"{re.escape(local)}\+(\d{{1,18}})-([0-9a-f]{{10}})@{re.escape(domain)}")


def delivery_id(recipient):
    """The delivery a VERP address names, or None when it is not one of ours or its signature is wrong."""
    match = _pattern().fullmatch(recipient.strip().strip("<>").lower())
    if match and hmac.compare_digest(match[2], _signature(int(match[1]))):
        return int(match[1])
    return None


def is_bounce_address(address):
    """The bounce address itself, or any address of its VERP form, signed or not."""
    local, domain = _parts()
    address_local, _, address_domain = address.strip().lower().rpartition("@")
    return address_domain == domain and (address_local == local or address_local.startswith(local + "+"))
