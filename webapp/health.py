"""/healthz for load balancers and monitors: can this process reach the database, are the delivery workers
alive, does the mail server answer. It says nothing about anyone's data (no counts, no addresses, no errors).

200 when the database answers; 503 when it does not (this web process cannot serve). The workers' and the
mail server's state are reported for monitoring, without turning a web server away from its load balancer.
"""
from flask import Blueprint, current_app, jsonify

from webapp.db_types import utcnow
from webapp.extensions import db, limiter
from webapp.outbox import services as outbox

bp = Blueprint("health", __name__)


@bp.route("/healthz")
@limiter.exempt
def healthz():
    try:
        state = outbox.server_state()
        trouble = outbox.server_trouble()
    except Exception:  # noqa: BLE001 - any database fault is "unreachable", and the page must still answer
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable"), 503
    finally:
        db.session.rollback()  # a read only; hand the connection back at once
    heartbeat = state.heartbeat_at if state is not None else None
    age = round((utcnow() - heartbeat).total_seconds()) if heartbeat is not None else None
    stale = age is None or age > current_app.config["HEALTH_WORKER_STALE_SECONDS"]
    if state is None or (state.reached_at is None and state.failed_at is None):
        mail = "unknown"
    else:
        mail = "unreachable" if trouble else "ok"
    return jsonify(status="ok", database="ok",
                   worker={"heartbeat_age_seconds": age, "state": "stale" if stale else "ok"},
                   mail_server=mail)
