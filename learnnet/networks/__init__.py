from flask import Blueprint

bp = Blueprint("networks", __name__, url_prefix="/networks")

from learnnet.networks import views  # noqa: E402,F401
