"""The Flask extension objects, created unbound and initialised in create_app."""
from flask import request, session
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from webapp.translations import ReadersBabel


class Base(DeclarativeBase):
    # Named constraints, so that migrations can drop and alter them on every engine.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
mail = Mail()
csrf = CSRFProtect()
login = LoginManager()
limiter = Limiter(key_func=get_remote_address)
babel = ReadersBabel()  # Flask-Babel's, keeping each request's translations (webapp/translations.py)
cache = Cache()  # the public pages (webapp/public_pages.py)


def sqlite_settings(engine):
    """On SQLite, each connection writes ahead (WAL) and syncs to disk at checkpoints, not at each commit.

    With SQLite's defaults (a rollback journal, synchronous=FULL) every commit waits for the disk two or
    three times: a join request, which commits once, spent most of its time there. In WAL mode readers
    and the writer do not block each other (two web workers and the delivery worker share the file),
    and with synchronous=NORMAL a commit is durable once the next checkpoint syncs: a power cut may lose
    the last commits, never the database's consistency (SQLite's own advice for WAL). The journal mode
    stays with the file; synchronous is set on each connection.
    """
    import sqlalchemy as sa

    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _write_ahead(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def database_key():
    """A short name of the app's database: processes on the same database share a stamp file, others do not."""
    from hashlib import sha256

    from flask import current_app

    return sha256(current_app.config["SQLALCHEMY_DATABASE_URI"].encode()).hexdigest()[:12]


def select_locale():
    from flask import current_app
    from flask_login import current_user

    languages = current_app.config["LANGUAGES"]
    # ?lang= for this page; then a logged-in user's own language, once they chose one (the header's switch
    # chooses it too); else the header's switch (the session), then the browser's preference.
    user_language = getattr(current_user, "language", None) if current_user.is_authenticated else None
    for chosen in (request.args.get("lang"), user_language, session.get("lang")):
        if chosen in languages:
            return chosen
    return request.accept_languages.best_match(languages) or languages[0]
