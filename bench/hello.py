"""The yardstick: a one-route Flask app, served and driven exactly as the app is (`bench.http_pages`)."""
from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    return "Hello, World!"
