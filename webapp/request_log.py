"""One JSON line per request on standard error, for a log shipper: what was asked, how it went, how long it took.

The request id comes from the X-Request-ID header (a proxy's) when it is a
plain token, else it is made here; either way the response carries it back.
The line names the route's template (/groups/<slug>), never the filled-in path
or query, which may hold tokens or addresses.
"""
import json
import logging
import re
import sys
import time
import uuid

from flask import g, request

log = logging.getLogger("webapp.requests")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def request_id():
    return getattr(g, "request_id", None)


def lines_to_stderr(logger):
    """Each record of this logger (INFO and up) as one line on standard error, as it was written."""
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def init_app(app):
    if app.config["LOG_REQUESTS"]:
        lines_to_stderr(log)

    @app.before_request
    def start():
        g.request_started = time.perf_counter()
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex

    @app.after_request
    def finish(response):
        if "request_id" not in g:  # a request refused before the hooks ran
            g.request_id, g.request_started = uuid.uuid4().hex, time.perf_counter()
        response.headers["X-Request-ID"] = g.request_id
        if app.config["LOG_REQUESTS"]:
            log.info(json.dumps({
                "event": "request", "method": request.method,
                "path": request.url_rule.rule if request.url_rule else None,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - g.request_started) * 1000, 2),
                "request_id": g.request_id,
            }))
        return response
