"""Times as people read them: in the coalition's time zone (TIME_ZONE) and the reader's language.

The database keeps naive UTC times; Flask-Babel converts them to BABEL_DEFAULT_TIMEZONE, which
config sets from TIME_ZONE. Templates use the filters: `{{ event.created_at|local_time }}`,
`{{ person.created_at|local_date }}`.

A list page formats a date on every row. Flask-Babel's format_date and format_datetime look up
the locale, the zone and the locale's patterns on each call (25-30 us a date); here each named
format's patterns are parsed once per language and applied as Babel's format_date and
format_datetime apply them, so that a date costs its conversion and the pattern (about 5 us).
Any other format goes to Flask-Babel unchanged.
"""
from datetime import datetime
from functools import lru_cache

from babel import dates
from flask import g
from flask_babel import format_date, format_datetime, get_locale, get_timezone

NAMED = ("short", "medium", "long", "full")


def local_time(value, format="short"):
    """A UTC datetime as a date and time in the coalition's zone; '' for None."""
    if not value:
        return ""
    if format not in NAMED or not isinstance(value, datetime):
        return format_datetime(value, format)
    locale, zone = _reader()
    local = _in_zone(value, zone)
    joint, date_pattern, time_pattern = _datetime_patterns(locale, format)
    return (joint.replace("{0}", time_pattern.apply(local.timetz(), locale, reference_date=local.date()))
            .replace("{1}", date_pattern.apply(local.date(), locale)))


def local_date(value, format="medium"):
    """A UTC datetime as a date in the coalition's zone; '' for None."""
    if not value:
        return ""
    if format not in NAMED or not isinstance(value, datetime):
        return format_date(value, format)
    locale, zone = _reader()
    return _date_pattern(locale, format).apply(_in_zone(value, zone).date(), locale)


def _reader():
    """(locale, zone) of the request, as get_locale() and get_timezone() give them, read at once when known."""
    try:
        context = g._flask_babel
        locale, zone = context.babel_locale, context.babel_tzinfo
    except (AttributeError, RuntimeError):  # not chosen yet in this request, or no app context
        locale = zone = None
    return (locale or get_locale()), (zone or get_timezone())


def _in_zone(value, zone):
    # As flask_babel.to_user_timezone: a naive time is UTC.
    if value.tzinfo is None:
        return zone.fromutc(value.replace(tzinfo=zone))
    return zone.normalize(value.astimezone(zone)) if hasattr(zone, "normalize") else value.astimezone(zone)


@lru_cache(maxsize=64)
def _date_pattern(locale, format):
    return dates.parse_pattern(dates.get_date_format(format, locale=locale))


@lru_cache(maxsize=64)
def _datetime_patterns(locale, format):
    """(the joint "{1}, {0}", the date's pattern, the time's), as babel.dates.format_datetime combines them."""
    joint = dates.get_datetime_format(format, locale=locale).replace("'", "")
    return joint, _date_pattern(locale, format), dates.parse_pattern(dates.get_time_format(format, locale=locale))


def init_app(app):
    app.add_template_filter(local_time)
    app.add_template_filter(local_date)
