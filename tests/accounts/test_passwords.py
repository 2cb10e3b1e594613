"""Passwords: at least 12 characters, none of the common ones, hashed with argon2; older hashes upgrade at login."""
import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from tests.conftest import login
from webapp.accounts import passwords
from webapp.accounts.models import User
from webapp.accounts.services import WeakPassword, by_email, create_user
from webapp.extensions import db


@pytest.mark.parametrize("password, reason", [
    ("aaaaaaaaaa", "at least 12"),
    ("password12", "at least 12"),
    ("aaaaaaaaaaaa", "repeats too few"),
    ("abababababab", "repeats too few"),
    ("password1234", "passwords people use most"),
    ("Password2024!", "passwords people use most"),
    ("!!iloveyou99", "passwords people use most"),
    ("passwordpassword", "passwords people use most"),
    ("qwertyuiopasdf", "run along the keyboard"),
    ("123456789012", "run along the keyboard"),
    ("0987654321098", "run along the keyboard"),
    ("abcdefghijklm", "run along the keyboard"),
    ("End SIJS Backlog Coalition", "coalition's name"),
    ("endsijsbacklogcoalition1", "coalition's name"),
    ("Coalition-Groups-2026!!", "coalition's name"),
    ("dalia.castillo1990", "your address"),
])
def test_weak_passwords_are_refused_with_the_reason(app, password, reason):
    assert reason in passwords.problem(password, "dalia.castillo@example.org")


@pytest.mark.parametrize("password", ["correct horse battery", "river stones at dawn", "staff-demo-password",
                                      "Tuesday clinic 4 youth", "xK9#mQ2$vL7p"])
def test_good_passwords_pass(app, password):
    assert passwords.problem(password, "dalia@example.org") == ""


def test_the_list_of_common_passwords_is_shipped_and_read(app):
    common = passwords.common_passwords()
    assert len(common) > 300 and {"password", "123456", "qwerty", "iloveyou", "contraseña", "teamo"} <= common


def test_the_command_line_refuses_a_weak_password(app):
    result = app.test_cli_runner().invoke(args=["create-user", "x@example.org", "--name", "X",
                                                "--password", "password1234"])
    assert result.exit_code != 0 and "passwords people use most" in result.output
    with pytest.raises(WeakPassword):
        create_user(email="y@example.org", name="Y", password="aaaaaaaaaaaa")
    assert by_email("x@example.org") is None and by_email("y@example.org") is None


def test_passwords_are_hashed_with_argon2(make):
    make.user(email="dalia@example.org")
    stored = by_email("dalia@example.org").password_hash
    assert stored.startswith("$argon2id$") and "correct horse battery" not in stored


def test_an_older_werkzeug_hash_still_logs_in_and_is_upgraded_to_argon2(client, make):
    user = make.user(email="dalia@example.org")
    user.password_hash = generate_password_hash("an older password here")
    db.session.commit()
    assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))
    assert client.post("/login", data={"email": "dalia@example.org", "password": "wrong"}).status_code == 400
    db.session.expire_all()
    assert by_email("dalia@example.org").password_hash.startswith(("scrypt:", "pbkdf2:"))  # not on a failure
    login(client, "dalia@example.org", "an older password here")
    db.session.expire_all()
    upgraded = db.session.scalar(sa.select(User.password_hash).where(User.email == "dalia@example.org"))
    assert upgraded.startswith("$argon2id$")
    client.post("/logout")
    login(client, "dalia@example.org", "an older password here")
