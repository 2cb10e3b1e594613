"""The staff lists that had no such test yet cost the same SQL queries with ten rows or thousands."""
import pytest
import sqlalchemy as sa

from tests.conftest import login
from webapp.audit.models import AuditEvent
from webapp.db_types import utcnow
from webapp.extensions import db
from webapp.organizations.models import Organization


def add_rows(start, count):
    now = utcnow()
    db.session.execute(AuditEvent.__table__.insert(), [
        {"action": "membership.approve", "actor_label": "dalia@example.org", "target": f"membership:{i}",
         "details": {}, "ip_address": "127.0.0.1", "created_at": now} for i in range(start, start + count)])
    db.session.execute(Organization.__table__.insert(), [
        {"name": f"Organization {i:05d}", "name_key": f"organization {i:05d}", "created_at": now}
        for i in range(start, start + count)])
    db.session.commit()


@pytest.mark.parametrize("path", ["/staff/audit", "/staff/audit?page=3", "/staff/organizations",
                                  "/staff/organizations?status=applicant"])
def test_the_audit_log_and_the_organizations_cost_the_same_queries_whatever_their_length(
        client, make, count_queries, path):
    make.user(name="Sam Staff", email="staff@example.org", role="staff")
    login(client, "staff@example.org")
    add_rows(0, 10)
    few = count_queries(lambda: client.get(path).get_data())
    add_rows(10, 3000)
    assert count_queries(lambda: client.get(path).get_data()) == few
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) >= 3010
