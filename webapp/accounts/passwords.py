"""Passwords: how they are hashed (argon2; werkzeug's older hashes still verify) and which are refused.

A password is refused, with the reason, when it is
- shorter than MIN_LENGTH (12) characters, or longer than MAX_LENGTH;
- one of the common passwords in common_passwords.txt, ignoring case, or one of them with digits or
  symbols before or after it ("Password2024!", "!!iloveyou99");
- made of fewer than five different characters ("aaaaaaaaaaaa", "abababababab");
- a run along the keyboard, the alphabet or the digits, either way ("qwertyuiopas", "123456789012");
- the coalition's name, the app's name or the person's own address (the part before the @), once
  digits, spaces and symbols are taken out.
"""
import re
import secrets
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_request_context
from flask_babel import gettext
from werkzeug.security import check_password_hash

MIN_LENGTH = 12
MAX_LENGTH = 200

_hasher = PasswordHasher()  # argon2id with RFC 9106's low-memory parameters


def hash_password(password):
    return _hasher.hash(password)


@lru_cache(maxsize=1)
def _nobody():
    # A hash of nothing anyone knows, made the way real ones are.
    return _hasher.hash(secrets.token_urlsafe(32))


def verify(password_hash, password):
    """(right, needs_rehash). With no hash (an unknown account) it checks against a hash of nothing:
    the same work, so the time of a login tells nobody who has an account."""
    if not password_hash:
        _check_argon2(_nobody(), password)
        return False, False
    if password_hash.startswith("$argon2"):
        right = _check_argon2(password_hash, password)
        return right, right and _hasher.check_needs_rehash(password_hash)
    # werkzeug's scrypt or pbkdf2, from before argon2: verified once more, then replaced.
    return check_password_hash(password_hash, password), True


def _check_argon2(password_hash, password):
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _(message, **values):
    # The command line has no request, hence no language: its people read English.
    return gettext(message, **values) if has_request_context() else message % values


@lru_cache(maxsize=1)
def common_passwords():
    path = Path(__file__).with_name("common_passwords.txt")
    return frozenset(line.strip().lower() for line in path.read_text(encoding="utf-8").splitlines()
                     if line.strip() and not line.startswith("#"))


_RUNS = ("qwertyuiopasdfghjklzxcvbnm", "qwertyuiop", "asdfghjkl", "zxcvbnm", "azertyuiop", "qwertzuiop",
         "1qaz2wsx3edc4rfv5tgb", "abcdefghijklmnopqrstuvwxyz", "1234567890")


def _is_run(text):
    for run in _RUNS:
        long_run = run * (len(text) // len(run) + 2)
        if text in long_run or text in long_run[::-1]:
            return True
    return False


def _letters(text):
    return re.sub(r"[\W\d_]+", "", text.lower())


def problem(password, email=""):
    """Why this password is refused, in words for the person choosing it; "" when it will do."""
    if len(password) < MIN_LENGTH:
        return _("Use at least %(num)d characters.", num=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Use at most %(num)d characters.", num=MAX_LENGTH)
    lowered = password.lower()
    core = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", lowered)
    common = common_passwords()
    if lowered in common or core in common or lowered.replace(" ", "") in common:
        return _("That is one of the passwords people use most: attackers try those first. Choose another.")
    if len(set(lowered)) < 5:
        return _("That password repeats too few characters. Choose another.")
    if _is_run(lowered) or _is_run(lowered.replace(" ", "")):
        return _("That password is a run along the keyboard or the alphabet. Choose another.")
    letters = _letters(password)
    names = {_letters(current_app.config["COALITION_NAME"]), "coalition", "coalitiongroups", "coalitiongroup"}
    local = _letters(email.split("@", 1)[0]) if email else ""
    if letters and (letters in names or letters == local or letters == _letters(email)):
        return _("That password is your address or the coalition's name. Choose another.")
    return ""
