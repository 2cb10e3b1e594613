"""Absolute links for emails, built without a request (the worker and the CLI have none)."""
from urllib.parse import urlsplit

from flask import current_app


def public_url(endpoint, **values):
    parts = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)
    return adapter.build(endpoint, values, force_external=True)
