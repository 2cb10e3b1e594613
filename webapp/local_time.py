"""Times as people read them: in the coalition's time zone (TIME_ZONE) and the reader's language.

The database keeps naive UTC times; Flask-Babel converts them to BABEL_DEFAULT_TIMEZONE, which
config sets from TIME_ZONE. Templates use the filters: `{{ event.created_at|local_time }}`,
`{{ person.created_at|local_date }}`.
"""
from flask_babel import format_date, format_datetime, to_user_timezone


def local_time(value, format="short"):
    """A UTC datetime as a date and time in the coalition's zone; '' for None."""
    return format_datetime(value, format) if value else ""


def local_date(value, format="medium"):
    """A UTC datetime as a date in the coalition's zone; '' for None."""
    return format_date(to_user_timezone(value), format) if value else ""


def init_app(app):
    app.add_template_filter(local_time)
    app.add_template_filter(local_date)
