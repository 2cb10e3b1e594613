"""Two-factor sign-in: a TOTP authenticator app (RFC 6238, pyotp), and ten single-use recovery codes."""
import hashlib
import hmac
import secrets
import time

import pyotp
import sqlalchemy as sa
from flask import current_app

from webapp.accounts.models import RecoveryCode, User
from webapp.audit.services import record
from webapp.extensions import db

RECOVERY_CODES = 10
STEP = 30


def clock():
    return time.time()


def new_secret():
    return pyotp.random_base32()


def provisioning_uri(user, secret):
    """The otpauth:// address an authenticator app reads (as a QR code, or typed)."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=current_app.config["COALITION_NAME"])


def _digits(code):
    return "".join((code or "").split())


def totp_step(secret, code, after=0):
    """The 30-second step `code` is right for (this one, or one either side for a slow clock), or None.

    A step not later than `after` (the last one used) is refused: each code works once.
    """
    code = _digits(code)
    if not (code.isdigit() and len(code) == 6):
        return None
    totp, current = pyotp.TOTP(secret), int(clock() // STEP)
    for step in (current - 1, current, current + 1):
        if step > after and hmac.compare_digest(totp.at(step * STEP), code):
            return step
    return None


def _normal(code):
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def _hash(code):
    return hashlib.sha256(_normal(code).encode()).hexdigest()


def _new_recovery_codes(user):
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = secrets.token_hex(5)
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_hash(raw)))
    return codes


def recovery_codes_left(user):
    return db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)
                             .where(RecoveryCode.user_id == user.id))


def turn_on(user, secret, code):
    """Keep the secret if the code from the app is right; returns the recovery codes (shown once), else None."""
    step = totp_step(secret, code)
    if step is None:
        return None
    user.totp_secret, user.totp_last_step = secret, step
    codes = _new_recovery_codes(user)
    record("account.two_factor_on", actor=user, target=f"user:{user.id}")
    db.session.commit()
    return codes


def check(user, code):
    """Whether `code` (from the app, or a recovery code) is right for this user; a right one is used up.

    Commits, so that a used code stays used whatever the request does next.
    """
    if not user.two_factor:
        return False
    step = totp_step(user.totp_secret, code, after=user.totp_last_step)
    if step is not None:
        # Guarded: of two requests sending one code at once, one moves the step on, the other finds it used.
        used = db.session.execute(sa.update(User).where(User.id == user.id, User.totp_last_step < step)
                                  .values(totp_last_step=step).execution_options(synchronize_session=False))
        db.session.commit()
        return used.rowcount == 1
    if len(_normal(code)) != 10:
        return False
    used = db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                                            RecoveryCode.code_hash == _hash(code)))
    if used.rowcount != 1:
        return False
    record("account.recovery_code", actor=user, target=f"user:{user.id}", left=recovery_codes_left(user))
    db.session.commit()
    return True


def turn_off(user, code):
    """Turn two-factor sign-in off, given a right code; returns whether it was."""
    if not check(user, code):
        return False
    user.totp_secret, user.totp_last_step = "", 0
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    record("account.two_factor_off", actor=user, target=f"user:{user.id}")
    db.session.commit()
    return True
