from flask import Blueprint

bp = Blueprint("auth", __name__)

from learnnet.auth import views  # noqa: E402,F401
