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
