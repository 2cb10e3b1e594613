"""Absolute links for emails, built without a request (the worker and the CLI have none),
and the check on where a form may send the browser back to."""
from urllib.parse import urlsplit

from flask import current_app


def public_url(endpoint, **values):
    parts = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)
    return adapter.build(endpoint, values, force_external=True)


def same_site_path(target):
    """`target` if it is a path on this site, else None: never an open redirect.

    Browsers read a backslash as a slash, so "/\\evil.example" would leave the site too.
    """
    if not target or not target.startswith("/") or any(c == "\\" or c < " " for c in target):
        return None
    parts = urlsplit(target)
    if target.startswith("//") or parts.scheme or parts.netloc:
        return None
    return target
