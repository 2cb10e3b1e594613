"""Every action the app records reads as a sentence in the audit log, and can be found by the action filter."""
import ast
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa

from tests.conftest import login
from tests.mailing.sending import send_message
from tests.test_audit import sentences
from webapp.activity.sentences import ACTION_GROUPS, SENTENCES
from webapp.audit.models import AuditEvent
from webapp.extensions import db

WEBAPP = Path(__file__).resolve().parent.parent / "webapp"


def _strings(node):
    """The literal strings an argument can be: a constant, either side of `a if c else b`, an f-string's head."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        return [node.values[0].value]
    return None


def recorded_actions():
    """{action: kind of target} for every `record(...)` / `audit.record(...)` call in webapp/, read from the source."""
    found, unreadable = {}, []
    for path in sorted(WEBAPP.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if name != "record" or not node.args:
                continue
            actions = _strings(node.args[0])
            if not actions:
                unreadable.append(f"{path.relative_to(WEBAPP)}:{node.lineno}")
                continue
            target = next((k for k in node.keywords if k.arg == "target"), None)
            kind = (_strings(target.value) or [""])[0].partition(":")[0] if target else ""
            for action in actions:
                found[action] = kind
    assert not unreadable, f"record() with an action name the test cannot read: {unreadable}"
    return found


def test_the_source_records_the_actions_we_know_of():
    actions = recorded_actions()
    # A sample of each feature, so that a broken reader of the source cannot pass with nothing.
    for action in ("membership.approve", "message.save", "person.rename", "account.invite_accepted",
                   "account.reset", "account.activate", "account.deactivate", "privacy.purge", "block.add"):
        assert action in actions
    assert len(actions) >= 45


def test_every_recorded_action_has_a_sentence_and_a_place_in_the_action_filter():
    actions = recorded_actions()
    assert sorted(set(actions) - set(SENTENCES)) == []
    filtered = {a for _label, members in ACTION_GROUPS.values() for a in members}
    assert sorted(set(actions) - filtered) == []
    assert sorted(set(SENTENCES) - set(actions)) == []  # no sentence for an action nothing records


def test_no_row_of_the_log_shows_a_raw_code(client, make):
    staff = make.user(name="Sam Staff", email="staff@example.org", role="staff")
    db.session.execute(sa.delete(AuditEvent))
    db.session.execute(sa.insert(AuditEvent), [
        {"action": action, "actor_id": staff.id, "actor_label": "staff@example.org",
         "target": f"{kind}:424242" if kind else "", "details": {"count": 2}, "ip_address": "",
         "created_at": datetime.now(timezone.utc)} for action, kind in recorded_actions().items()])
    db.session.commit()
    login(client, "staff@example.org")
    page = client.get("/staff/audit").get_data(as_text=True)
    assert "<code>" not in page
    said = sentences(page)
    assert len(said) == len(recorded_actions())
    assert not [s for s in said if "." in s.split()[0] or "%(" in s]


def test_a_roster_message_and_an_invitation_read_as_sentences(client, make, mailbox):
    make.user(name="Sam Staff", email="staff@example.org", role="staff")
    group = make.group()
    make.member(group, name="Isabel Vega", email="isabel@example.org")
    login(client, "staff@example.org")
    client.post("/staff/accounts", data={"name": "Rosa Diaz", "email": "rosa@example.org", "role": "contact"})
    assert send_message(client, {"groups": [str(group.id)], "subject": "Meeting", "body": "Thursday.",
                                 "reply_to": "staff@example.org"}).status_code == 302
    page = client.get("/staff/audit").get_data(as_text=True)
    assert "<code>" not in page
    said = sentences(page)
    assert "Sam Staff saved the message “Meeting”" in said
    assert "Sam Staff sent the message “Meeting”" in said
    assert "Sam Staff invited Rosa Diaz to choose a password" in said
