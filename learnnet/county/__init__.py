from flask import Blueprint

bp = Blueprint("county", __name__, url_prefix="/county")

from learnnet.county import views  # noqa: E402,F401
