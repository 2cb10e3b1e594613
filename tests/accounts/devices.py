"""Browsers for tests of sessions: each request in an app context of its own, as a real server gives it.

The `app` fixture keeps one app context open for the whole test, and a test client's requests then
share it, with its `g`: Flask-Login's user of one request would be the next one's, whatever its cookie.
"""
from tests.conftest import login


class Device:
    def __init__(self, app, client=None):
        self.app = app
        self.client = client or app.test_client()

    def _fresh(self, method, *args, **kwargs):
        with self.app.app_context():
            return getattr(self.client, method)(*args, **kwargs)

    def get(self, *args, **kwargs):
        return self._fresh("get", *args, **kwargs)

    def post(self, *args, **kwargs):
        return self._fresh("post", *args, **kwargs)

    def login(self, email, password="correct horse battery"):
        with self.app.app_context():
            return login(self.client, email, password)

    def signed_in(self):
        return self.get("/dashboard").status_code == 200

    def cookie(self):
        return self.client.get_cookie("session").value

    def copy(self):
        """Another browser holding a copy of this one's session cookie."""
        return self.with_cookie(self.app, self.cookie())

    @classmethod
    def with_cookie(cls, app, value):
        other = cls(app)
        other.client.set_cookie("session", value)
        return other

    def session_transaction(self):
        return self.client.session_transaction()
