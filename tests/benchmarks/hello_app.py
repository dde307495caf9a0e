"""A bare Flask "hello" view: the yardstick the web load benchmark compares learnnet with."""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello() -> str:
    return "hello"
