"""Times are shown in the coalition's time zone and the reader's language."""
from datetime import datetime

from flask_babel import refresh

from webapp.local_time import local_date, local_time


def test_times_are_shown_in_the_coalitions_zone(app):
    app.config["BABEL_DEFAULT_TIMEZONE"] = "America/New_York"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert local_time(datetime(2026, 11, 30, 21, 0)) == "11/30/26, 4:00\u202fPM"
        assert local_date(datetime(2026, 12, 1, 2, 0)) == "Nov 30, 2026"
        assert local_time(None) == ""
    with app.test_request_context(headers={"Accept-Language": "es"}):
        refresh()  # the test's app context keeps the locale chosen above
        assert local_time(datetime(2026, 11, 30, 21, 0)) == "30/11/26, 16:00"


def test_the_lists_quick_filters_read_as_flask_babel_writes(app):
    # local_time and local_date apply each language's patterns themselves (a list page formats a date a row);
    # what they write is what Flask-Babel's format_datetime and format_date write, around the clock changes too.
    from flask_babel import format_date, format_datetime

    moments = [datetime(2026, 3, 8, hour, 59) for hour in range(5, 9)] + \
              [datetime(2026, 11, 1, hour, 1) for hour in range(4, 8)] + [datetime(2025, 12, 31, 23, 30, 45)]
    for language in ("en", "es"):
        with app.test_request_context(f"/?lang={language}"):
            refresh()
            for moment in moments:
                for form in ("short", "medium", "long", "full"):
                    assert local_time(moment, form) == format_datetime(moment, form)
                    assert local_date(moment, form) == format_date(moment, form)
