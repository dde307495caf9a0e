from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from learnnet.admin import organisation, users, views  # noqa: E402,F401
