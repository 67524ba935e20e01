"""The framework's limit on this machine: a bare Flask "hello world", served like the app."""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    return "Hello, World!"
