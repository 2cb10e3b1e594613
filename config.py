"""Settings, read from the environment with safe development defaults.

Every setting is listed, with its default, in the README's settings table.
"""
import math
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
DEV_SECRET = "dev-only-secret-change-me"


def _env_bool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name, default):
    return int(os.environ.get(name, default))


def _env_float(name, default):
    return float(os.environ.get(name, default))


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET)
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'coalition.db'}"
    )
    # Where links in emails point: the worker has no request to read it from.
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/")
    COALITION_NAME = os.environ.get("COALITION_NAME", "End SIJS Backlog Coalition")

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "127.0.0.1")
    MAIL_PORT = _env_int("MAIL_PORT", 8025)
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _env_bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get(
        "MAIL_DEFAULT_SENDER", "Coalition Groups <groups@example.org>"
    )
    # The envelope sender (Return-Path) where bounces go; never a person's address.
    MAIL_BOUNCE_ADDRESS = os.environ.get("MAIL_BOUNCE_ADDRESS", "bounces@example.org")
    MAIL_TIMEOUT = _env_float("MAIL_TIMEOUT", 30)

    OUTBOX_BATCH_SIZE = _env_int("OUTBOX_BATCH_SIZE", 100)
    OUTBOX_LEASE_SECONDS = _env_int("OUTBOX_LEASE_SECONDS", 300)
    OUTBOX_RETRY_HOURS = _env_float("OUTBOX_RETRY_HOURS", 72)
    OUTBOX_RETRY_BASE_SECONDS = _env_float("OUTBOX_RETRY_BASE_SECONDS", 60)
    OUTBOX_MAX_LEASES = _env_int("OUTBOX_MAX_LEASES", 3)
    OUTBOX_RATE_PER_SECOND = _env_float("OUTBOX_RATE_PER_SECOND", 0)
    OUTBOX_MESSAGES_PER_CONNECTION = _env_int("OUTBOX_MESSAGES_PER_CONNECTION", 1000)
    OUTBOX_IDLE_SECONDS = _env_float("OUTBOX_IDLE_SECONDS", 2)

    # Bounces (webapp/bounces/): Mailman's defaults.
    BOUNCE_SCORE_THRESHOLD = _env_float("BOUNCE_SCORE_THRESHOLD", 5)
    BOUNCE_STALE_DAYS = _env_int("BOUNCE_STALE_DAYS", 7)
    BOUNCE_LMTP_HOST = os.environ.get("BOUNCE_LMTP_HOST", "127.0.0.1")
    BOUNCE_LMTP_PORT = _env_int("BOUNCE_LMTP_PORT", 8024)

    CONFIRM_LINK_HOURS = _env_int("CONFIRM_LINK_HOURS", 72)
    CONFIRM_RESEND_MINUTES = _env_int("CONFIRM_RESEND_MINUTES", 60)
    # `flask remind-contacts` lists the pending requests that have waited longer than this.
    REMIND_AFTER_DAYS = _env_int("REMIND_AFTER_DAYS", 3)

    # The largest CSV file a contact may import into a group (membership/imports.py), in bytes.
    IMPORT_MAX_BYTES = _env_int("IMPORT_MAX_BYTES", 5 * 1024 * 1024)

    # How long `flask purge` keeps things (webapp/privacy/services.py): unconfirmed requests, declined requests,
    # finished deliveries and bounces, and the client addresses in the audit log.
    RETAIN_UNCONFIRMED_DAYS = _env_int("RETAIN_UNCONFIRMED_DAYS", 7)
    RETAIN_DECIDED_MONTHS = _env_int("RETAIN_DECIDED_MONTHS", 12)
    RETAIN_DELIVERY_DAYS = _env_int("RETAIN_DELIVERY_DAYS", 90)
    RETAIN_AUDIT_IP_DAYS = _env_int("RETAIN_AUDIT_IP_DAYS", 30)

    CATCHER_HOST = os.environ.get("CATCHER_HOST", "127.0.0.1")
    CATCHER_PORT = _env_int("CATCHER_PORT", 8025)
    CATCHER_MAILDIR = os.environ.get("CATCHER_MAILDIR", str(BASE_DIR / "instance" / "mail"))

    RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
    # memory:// counts per process; with several processes or hosts, redis://host:6379 shares the counts.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "coalition")
    # How many reverse proxies stand in front of the app: the client's address is read from X-Forwarded-For
    # (and the scheme and host from X-Forwarded-Proto/-Host) only when this is 1 or more.
    TRUSTED_PROXIES = _env_int("TRUSTED_PROXIES", 0)

    # The public pages (home, groups, organizations, a group's page) rendered once per language
    # (webapp/public_pages.py). SimpleCache lives in each process; RedisCache (CACHE_REDIS_URL) is shared.
    CACHE_TYPE = os.environ.get("CACHE_TYPE", "SimpleCache")
    CACHE_REDIS_URL = os.environ.get("CACHE_REDIS_URL", "redis://127.0.0.1:6379/0")
    CACHE_DEFAULT_TIMEOUT = _env_int("CACHE_DEFAULT_TIMEOUT", 600)
    CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "coalition-pages:")
    # The signed-in list pages kept for their reader until anything is written (webapp/signed_in_pages.py).
    KEEP_SIGNED_IN_PAGES = _env_bool("KEEP_SIGNED_IN_PAGES", True)
    # One JSON line per request on standard error (webapp/request_log.py).
    LOG_REQUESTS = _env_bool("LOG_REQUESTS", True)
    # /healthz calls the delivery workers stale when none has written a heartbeat for this long.
    HEALTH_WORKER_STALE_SECONDS = _env_int("HEALTH_WORKER_STALE_SECONDS", 300)
    JOIN_RATE_LIMIT = os.environ.get("JOIN_RATE_LIMIT", "20 per hour")
    # Failed sign-ins (a password, a code) per client address; per account and address, where the account's
    # owner elsewhere still gets in; and per account from anywhere (webapp/accounts/limits.py).
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
    # "Email me my link": per address asked about, and per client address.
    LINK_RATE_LIMIT = os.environ.get("LINK_RATE_LIMIT", "3 per hour")
    LINK_IP_RATE_LIMIT = os.environ.get("LINK_IP_RATE_LIMIT", "20 per hour")
    ACCOUNT_ADDRESS_RATE_LIMIT = os.environ.get("ACCOUNT_ADDRESS_RATE_LIMIT", "5 per 15 minutes")
    ACCOUNT_RATE_LIMIT = os.environ.get("ACCOUNT_RATE_LIMIT", "20 per 15 minutes")
    # Requests for a password reset link, per client address and per address typed.
    RESET_RATE_LIMIT = os.environ.get("RESET_RATE_LIMIT", "5 per hour")
    RESET_ACCOUNT_RATE_LIMIT = os.environ.get("RESET_ACCOUNT_RATE_LIMIT", "3 per hour")

    # Accounts (webapp/accounts/): links to choose a password, sessions, two-factor sign-in.
    INVITE_LINK_HOURS = _env_int("INVITE_LINK_HOURS", 72)
    RESET_LINK_MINUTES = _env_int("RESET_LINK_MINUTES", 60)
    SESSION_HOURS = _env_float("SESSION_HOURS", 12)
    SESSION_IDLE_MINUTES = _env_float("SESSION_IDLE_MINUTES", 60)
    # Sending to a roster, exports, contacts and roles want the password entered this recently.
    RECENT_SIGN_IN_MINUTES = _env_float("RECENT_SIGN_IN_MINUTES", 60)
    # Every account must set up two-factor sign-in before anything else.
    REQUIRE_TWO_FACTOR = _env_bool("REQUIRE_TWO_FACTOR", False)

    BABEL_DEFAULT_LOCALE = "en"
    # Absolute: Flask-Babel would read a relative folder from webapp/. The .mo files are built by make.
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
    LANGUAGES = ["en", "es"]
    # The coalition's time zone: pages and emails show times in it (the database keeps UTC).
    TIME_ZONE = os.environ.get("TIME_ZONE", "America/New_York")
    BABEL_DEFAULT_TIMEZONE = TIME_ZONE

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}


class DevelopmentConfig(Config):
    """`make run`: APP_ENV=development, the only name (with testing) allowed the development key."""


# Keys that are published, guessable or placeholders: refused in production whatever their length.
WEAK_SECRETS = {DEV_SECRET, "changeme", "change-me", "secret", "secret-key", "dev", "development", "test", "password"}


# Orders a person types without thinking: the alphabet, the digits, the rows of a keyboard.
_SEQUENCES = ("abcdefghijklmnopqrstuvwxyz", "0123456789", "qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890")
_PREDICTABLE_PAIRS = {pair for order in _SEQUENCES for a, b in zip(order, order[1:]) for pair in ((a, b), (b, a))}
_CLASSES = ("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789")
SECRET_BITS = 128


def secret_bits(key):
    """A cautious estimate of a key's randomness, in bits.

    Each character counts log2 of the alphabet its classes make (lower case, upper case, digits, the
    rest of printable ASCII), but one bit when it is predictable from what came before: the same
    character, the next or previous one in a sequence (abc, 123, qwerty), or a pair seen earlier.
    """
    alphabet = sum(len(c) for c in _CLASSES if any(ch in c for ch in key))
    alphabet += 33 if any(not any(ch in c for c in _CLASSES) for ch in key) else 0
    bits, seen = 0.0, set()
    for before, ch in zip(" " + key, key):
        pair = (before.lower(), ch.lower())
        predictable = ch == before or pair in _PREDICTABLE_PAIRS or (before, ch) in seen
        bits += 1 if predictable else math.log2(max(alphabet, 2))
        seen.add((before, ch))
    return bits


def weak_secret(key):
    """Why a SECRET_KEY is unfit for production, or "" when it will do: 32 characters or more, 128 bits of randomness."""
    if not key or key.lower() in WEAK_SECRETS:
        return "it is empty or a published placeholder"
    if len(key) < 32:
        return "it is shorter than 32 characters"
    if len(set(key)) < 12 or secret_bits(key) < SECRET_BITS:
        return "it follows a pattern or repeats itself: it is not random"
    return ""


class ProductionConfig(Config):
    """Every APP_ENV but development and testing, unset or misspelt included: it fails closed."""

    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)

    @classmethod
    def check(cls):
        problem = weak_secret(cls.SECRET_KEY)
        if problem:
            raise RuntimeError(f"Set SECRET_KEY to at least 32 random characters ({problem}), e.g. the output of "
                               "`python3 -c 'import secrets; print(secrets.token_urlsafe(48))'`, "
                               "or APP_ENV=development on a development machine.")
        if not cls.PUBLIC_URL.startswith("https://"):
            # Links in email (confirmations, one-click unsubscribe) must be https.
            raise RuntimeError("Set PUBLIC_URL to the site's https:// address.")


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    PUBLIC_URL = "http://localhost"
    MAIL_PORT = 0
    MAIL_SUPPRESS_SEND = False  # the tests run a real SMTP server
    MAIL_TIMEOUT = 5
    OUTBOX_IDLE_SECONDS = 0.05
    LOG_REQUESTS = False


def config_from_env():
    """The configuration APP_ENV names; anything but "development" or "testing" is production."""
    return {"development": DevelopmentConfig, "testing": TestConfig}.get(os.environ.get("APP_ENV", ""),
                                                                         ProductionConfig)
